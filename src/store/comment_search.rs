//! The search in comments, on each backend's own index of their words: which reviews' words a
//! list reads, and in which order, so that its first page comes fast whether the words are found
//! in half the comments or in none.
//!
//! SQLite's full-text table (migration 24) and PostgreSQL's `review_words` (migration 25) both
//! hold, beside a comment's folded words, words naming its procedure and its button, so a search
//! in one procedure gathers that procedure's matches only.

use super::review_list::{Bind, Conditions, ReviewFilter};
use super::{Store, StoreError};
use crate::domain::search::SearchTerms;
use crate::domain::time::to_millis;

/// How a PostgreSQL list reads the comments' words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Words {
    /// Checks the words of the newest commented reviews in the list's scope one by one: those
    /// created from this time on, or every one (`None`). Cheap when the words are common.
    Newest(Option<i64>),
    /// Gathers every match from the words' inverted index, then sorts them. Cheap when the
    /// words are rare.
    Gathered,
}

/// How many of the newest commented reviews a PostgreSQL list checks one by one before it
/// gathers its matches instead: enough to fill a page twenty times over when one comment in
/// twenty matches. Reading them costs a few tens of milliseconds at most.
fn newest_to_check(filter: &ReviewFilter) -> i64 {
    (20 * (filter.limit + filter.offset)).max(5_000)
}

/// The word naming a list's scope in either backend's index: its button's, else its
/// procedure's, spelt as the index holds it (`@` on PostgreSQL keeps it apart from any word a
/// person can type).
fn scope_word(filter: &ReviewFilter, at: &str) -> Option<String> {
    match (filter.button, filter.procedure) {
        (Some(button), _) => Some(format!("{at}b{}", button.simple())),
        (None, Some(procedure)) => Some(format!("{at}p{}", procedure.simple())),
        (None, None) => None,
    }
}

impl Store {
    /// Whether an SQLite full-text `query` matches so many comments that reading them one by
    /// one, then sorting them, would cost more than walking a list newest first until a page is
    /// full. Counting stops at that many.
    async fn found_often(&self, query: &str) -> Result<bool, StoreError> {
        const OFTEN: i64 = 2_000;
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT rowid FROM review_search WHERE review_search MATCH $1 LIMIT $2)",
        )
        .bind(query)
        .bind(OFTEN)
        .fetch_one(&self.read)
        .await?;
        Ok(found >= OFTEN)
    }

    /// SQLite: adds the condition that a review's comment holds `terms`. Returns whether they
    /// are found rarely.
    ///
    /// A search names the reviews it finds through the full-text table. Found often, the list
    /// walks its own index newest first and looks each review up in what was found. Found
    /// rarely, it reads exactly those, then sorts them: `+` before a column then keeps SQLite
    /// from walking another index instead.
    pub(super) async fn sqlite_search(
        &self,
        filter: &ReviewFilter,
        terms: &SearchTerms,
        conditions: &mut Conditions,
    ) -> Result<bool, StoreError> {
        let scope = scope_word(filter, "")
            .map(|word| format!("scope : \"{word}\" AND "))
            .unwrap_or_default();
        let query = format!("{scope}{}", terms.fts5());
        let rare = !self.found_often(&query).await?;
        let plus = if rare { "" } else { "+" };
        conditions.add(
            &format!(
                "{plus}r.rowid IN (SELECT rowid FROM review_search WHERE review_search MATCH ?)"
            ),
            Bind::Text(query),
        );
        Ok(rare)
    }

    /// PostgreSQL: the creation time from which the newest commented reviews in the list's scope
    /// (and before its cursor) are checked one by one; `None` when there are fewer than that.
    pub(super) async fn newest_commented_since(
        &self,
        filter: &ReviewFilter,
    ) -> Result<Option<i64>, StoreError> {
        let mut conditions = Conditions::default();
        if let Some(button) = filter.button {
            conditions.add(
                "procedure_id = (SELECT procedure_id FROM buttons WHERE id = ?)",
                Bind::Text(button.to_string()),
            );
        } else if let Some(procedure) = filter.procedure {
            conditions.add("procedure_id = ?", Bind::Text(procedure.to_string()));
        }
        if let Some(after) = filter.after {
            conditions.add(
                "created_at <= ?",
                Bind::Integer(to_millis(after.created_at)),
            );
        }
        let sql = format!(
            "SELECT created_at FROM review_words{} ORDER BY created_at DESC OFFSET {} LIMIT 1",
            conditions.clause(),
            newest_to_check(filter)
        );
        let row = conditions.bound(sql).fetch_optional(&self.read).await?;
        Ok(row.map(|row| sqlx::Row::try_get(&row, 0)).transpose()?)
    }

    /// PostgreSQL: adds the condition that a review's comment holds `terms`, read as `words`
    /// says. Returns the tables to join to the reviews (`r`) for it.
    pub(super) fn postgres_search(
        filter: &ReviewFilter,
        terms: &SearchTerms,
        words: Words,
        conditions: &mut Conditions,
    ) -> &'static str {
        match words {
            Words::Newest(since) => {
                // The function rather than `@@` keeps PostgreSQL from reading the inverted index
                // here: the newest rows are read through their own index, and each checked.
                conditions.add(
                    "ts_match_vq(w.words, to_tsquery('simple', ?))",
                    Bind::Text(terms.tsquery()),
                );
                if let Some(button) = filter.button {
                    conditions.add(
                        "w.procedure_id = (SELECT procedure_id FROM buttons WHERE id = ?)",
                        Bind::Text(button.to_string()),
                    );
                } else if let Some(procedure) = filter.procedure {
                    conditions.add("w.procedure_id = ?", Bind::Text(procedure.to_string()));
                }
                if let Some(since) = since {
                    // On both tables, so that whichever PostgreSQL reads first, it reads no
                    // older review.
                    conditions.add_all(
                        "w.created_at >= ? AND r.created_at >= ?",
                        vec![Bind::Integer(since), Bind::Integer(since)],
                    );
                }
                " JOIN review_words w ON w.review_id = r.id"
            }
            Words::Gathered => {
                let query = "to_tsquery('simple', ?)";
                match scope_word(filter, "@") {
                    Some(scope) => conditions.add_all(
                        &format!(
                            "r.id IN (SELECT review_id FROM review_words WHERE words @@ ({query} && CAST(? AS tsquery)))"
                        ),
                        vec![Bind::Text(terms.tsquery()), Bind::Text(format!("'{scope}'"))],
                    ),
                    None => conditions.add(
                        &format!(
                            "r.id IN (SELECT review_id FROM review_words WHERE words @@ {query})"
                        ),
                        Bind::Text(terms.tsquery()),
                    ),
                }
                ""
            }
        }
    }
}
