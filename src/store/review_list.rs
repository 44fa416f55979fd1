//! Finding reviews: the filters of the back-office's lists, the API's and the exports', each
//! page newest first, and the search in comments on either backend.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::reviews::{REVIEW_COLUMNS, StoredReview, stored_review};
use super::{Backend, Store, StoreError};
use crate::domain::answers::{Channel, Satisfaction, Score};
use crate::domain::search::SearchTerms;
use crate::domain::time::to_millis;
/// Which help a review says it looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpFilter {
    /// Some help, whichever.
    Any,
    /// This channel; `none` is « no help needed ».
    Channel(Channel),
}

/// Where a page of reviews starts: just after this review, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: Timestamp,
    pub id: Uuid,
}

impl From<&StoredReview> for Cursor {
    fn from(review: &StoredReview) -> Cursor {
        Cursor {
            created_at: review.created_at,
            id: review.id,
        }
    }
}

/// Which reviews to list.
#[derive(Debug, Default, Clone)]
pub struct ReviewFilter {
    pub organisation: Option<Uuid>,
    pub procedure: Option<Uuid>,
    pub button: Option<Uuid>,
    /// Only excluded reviews (`true`) or only counted ones (`false`).
    pub excluded: Option<bool>,
    /// Words the comment contains, case and accents aside.
    pub search: Option<SearchTerms>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub satisfaction: Option<Satisfaction>,
    pub comprehension: Option<Score>,
    pub help: Option<HelpFilter>,
    /// Only reviews with a comment (`true`) or without (`false`).
    pub has_comment: Option<bool>,
    /// Only reviews whose author left an address to be contacted (`true`) or not (`false`).
    pub has_contact: Option<bool>,
    /// Only reviews older than this one, for the next page.
    pub after: Option<Cursor>,
    pub limit: i64,
    pub offset: i64,
}

/// A value bound to a statement.
enum Bind {
    Text(String),
    Integer(i64),
}

/// The conditions of a `WHERE` clause and the values they bind.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// Adds a condition whose every `?` stands for its next value.
    fn add_all(&mut self, condition: &str, values: Vec<Bind>) {
        let mut values = values.into_iter();
        let mut numbered = String::with_capacity(condition.len() + 8);
        for c in condition.chars() {
            if c == '?'
                && let Some(value) = values.next()
            {
                self.binds.push(value);
                numbered.push_str(&format!("${}", self.binds.len()));
            } else {
                numbered.push(c);
            }
        }
        self.sql.push(numbered);
    }

    fn add(&mut self, condition: &str, value: Bind) {
        self.add_all(condition, vec![value]);
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

    /// Reviews matching `filter`, newest first. With a cursor, each page costs the same however
    /// far it is from the first.
    pub async fn list_reviews(
        &self,
        filter: &ReviewFilter,
    ) -> Result<Vec<StoredReview>, StoreError> {
        let columns: Vec<String> = REVIEW_COLUMNS
            .split(',')
            .map(|c| format!("r.{c} AS {c}", c = c.trim()))
            .collect();
        let (mut sql, binds) = self.matching(filter, &columns.join(", ")).await?;
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
            filter.limit, filter.offset
        ));
        let rows = bound(sql, binds).fetch_all(&self.read).await?;
        Ok(rows.iter().map(stored_review).collect::<Result<_, _>>()?)
    }

    /// How many reviews match `filter` (its cursor included, its page aside).
    pub async fn count_reviews(&self, filter: &ReviewFilter) -> Result<i64, StoreError> {
        let (sql, binds) = self.matching(filter, "COUNT(*) AS n").await?;
        let sql = format!("SELECT CAST(SUM(n) AS BIGINT) AS n FROM ({sql}) counted");
        let row = bound(sql, binds).fetch_one(&self.read).await?;
        Ok(row.try_get::<Option<i64>, _>("n")?.unwrap_or(0))
    }

    /// The `SELECT` of `what` from the reviews matching `filter`, and the values it binds.
    async fn matching(
        &self,
        filter: &ReviewFilter,
        what: &str,
    ) -> Result<(String, Vec<Bind>), StoreError> {
        let sqlite = self.backend == Backend::Sqlite;
        let mut conditions = Conditions::default();
        let text = |value: &dyn ToString| Bind::Text(value.to_string());
        // On SQLite a search names the reviews it finds through its own index. Found often,
        // the list walks its own index newest first and looks each review up in what was found.
        // Found rarely, it reads exactly those, then sorts them: `+` before a column then keeps
        // SQLite from walking another index instead.
        let mut rare = false;
        if let Some(terms) = &filter.search {
            if sqlite {
                // The index also holds words naming each review's procedure and button, so a
                // search in one of them gathers only their reviews.
                let scope = match (filter.button, filter.procedure) {
                    (Some(button), _) => format!("scope : \"b{}\" AND ", button.simple()),
                    (None, Some(procedure)) => format!("scope : \"p{}\" AND ", procedure.simple()),
                    (None, None) => String::new(),
                };
                let query = format!("{scope}{}", terms.fts5());
                rare = !self.found_often(&query).await?;
                let plus = if rare { "" } else { "+" };
                conditions.add(
                    &format!(
                        "{plus}r.rowid IN (SELECT rowid FROM review_search WHERE review_search MATCH ?)"
                    ),
                    Bind::Text(query),
                );
            } else {
                conditions.add(
                    "r.verbatim IS NOT NULL AND to_tsvector('simple', avis_fold(r.verbatim)) @@ to_tsquery('simple', ?)",
                    Bind::Text(terms.tsquery()),
                );
            }
        }
        let r = if rare { "+r" } else { "r" };
        if let Some(org) = filter.organisation {
            conditions.add("p.organisation_id = ?", text(&org));
        }
        if let Some(procedure) = filter.procedure {
            conditions.add(&format!("{r}.procedure_id = ?"), text(&procedure));
        }
        if let Some(button) = filter.button {
            conditions.add("r.button_id = ?", text(&button));
            // Through the procedure's index: there is none on the button.
            conditions.add(
                &format!("{r}.procedure_id = (SELECT procedure_id FROM buttons WHERE id = ?)"),
                text(&button),
            );
        }
        if let Some(from) = filter.from {
            conditions.add("r.day >= ?", text(&from));
        }
        if let Some(to) = filter.to {
            conditions.add("r.day <= ?", text(&to));
        }
        if let Some(after) = filter.after {
            let at = to_millis(after.created_at);
            // The first condition alone is what an index on the creation time can seek.
            conditions.add(&format!("{r}.created_at <= ?"), Bind::Integer(at));
            conditions.add_all(
                "(r.created_at < ? OR r.id < ?)",
                vec![Bind::Integer(at), text(&after.id)],
            );
        }
        let answer = |path: &str| {
            if sqlite {
                format!("CAST(json_extract(r.answers, '$.{path}') AS TEXT)")
            } else {
                format!("(CAST(r.answers AS jsonb) ->> '{path}')")
            }
        };
        if let Some(satisfaction) = filter.satisfaction {
            conditions.add(
                &format!("{} = ?", answer("satisfaction")),
                text(&satisfaction.code()),
            );
        }
        if let Some(score) = filter.comprehension {
            conditions.add(
                &format!("{} = ?", answer("comprehension")),
                text(&score.get()),
            );
        }
        let tried = |channel: &str| {
            if sqlite {
                format!(
                    "EXISTS (SELECT 1 FROM json_each(r.answers, '$.contact_tried') WHERE value = {channel})"
                )
            } else {
                format!("jsonb_exists(CAST(r.answers AS jsonb) -> 'contact_tried', {channel})")
            }
        };
        match filter.help {
            Some(HelpFilter::Channel(channel)) => {
                conditions.add(&tried("?"), text(&channel.code()))
            }
            Some(HelpFilter::Any) => conditions.sql.push(format!(
                "{} IS NOT NULL AND NOT {}",
                answer("contact_tried"),
                tried("'none'")
            )),
            None => {}
        }
        match filter.has_comment {
            Some(true) => conditions.sql.push("r.verbatim IS NOT NULL".to_owned()),
            Some(false) => conditions.sql.push("r.verbatim IS NULL".to_owned()),
            None => {}
        }
        let contact = "EXISTS (SELECT 1 FROM contact_emails c WHERE c.review_id = r.id)";
        match filter.has_contact {
            Some(true) => conditions.sql.push(contact.to_owned()),
            Some(false) => conditions.sql.push(format!("NOT {contact}")),
            None => {}
        }
        match filter.excluded {
            Some(true) => conditions
                .sql
                .push("r.excluded_reason IS NOT NULL".to_owned()),
            Some(false) => conditions.sql.push("r.excluded_reason IS NULL".to_owned()),
            None => {}
        }
        let select = |filed: Option<&str>| {
            let mut select =
                format!("SELECT {what} FROM reviews r JOIN procedures p ON p.id = r.procedure_id");
            let conditions: Vec<&str> = conditions
                .sql
                .iter()
                .map(String::as_str)
                .chain(filed)
                .collect();
            if !conditions.is_empty() {
                select.push_str(" WHERE ");
                select.push_str(&conditions.join(" AND "));
            }
            select
        };
        // On SQLite a procedure's index holds its filed reviews only; those the writer has not
        // filed yet are read apart, in the order they came, and the two merged.
        let by_procedure = filter.procedure.is_some() || filter.button.is_some();
        let sql = if by_procedure && sqlite {
            format!(
                "{} UNION ALL {}",
                select(Some("r.filed = 1")),
                select(Some("r.filed = 0"))
            )
        } else {
            select(None)
        };
        Ok((sql, conditions.binds))
    }
}

/// A statement with its values bound in order.
fn bound(
    sql: String,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = match bind {
            Bind::Text(value) => query.bind(value),
            Bind::Integer(value) => query.bind(value),
        };
    }
    query
}
