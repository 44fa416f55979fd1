//! Moderation: finding reviews, excluding and restoring them, and the audit log of who did it.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::aggregates::{self, Cell};
use super::reviews::{REVIEW_COLUMNS, StoredReview, stored_review};
use super::{Backend, Store, StoreError, id};
use crate::domain::aggregate;
use crate::domain::answers::{Answers, Channel, Satisfaction, Score};
use crate::domain::search::SearchTerms;
use crate::domain::time::{from_millis, to_millis};

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

/// One line of the audit log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: Timestamp,
    /// The API key that acted, if one did.
    pub key_id: Option<Uuid>,
    /// The person who acted in the back-office, if one did; neither: the operator's command line.
    pub user_id: Option<Uuid>,
    pub action: String,
    pub review_id: Uuid,
    pub reason: String,
}

/// Who excludes or restores a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderator {
    /// The operator, on the command line.
    Operator,
    /// An API key.
    Key(Uuid),
    /// A person in the back-office.
    Person(Uuid),
}

impl From<Option<Uuid>> for Moderator {
    fn from(key: Option<Uuid>) -> Moderator {
        key.map_or(Moderator::Operator, Moderator::Key)
    }
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

    /// Keeps a review but takes its answers out of every counter, with an audit entry naming
    /// the API key that acted (none: the operator's command line). Returns whether it exists.
    #[tracing::instrument(skip(self))]
    pub async fn exclude_review(
        &self,
        review_id: Uuid,
        reason: &str,
        actor: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        self.moderate(review_id, Some(reason), reason, Moderator::from(actor))
            .await
    }

    /// Puts an excluded review's answers back into the counters, with an audit entry.
    #[tracing::instrument(skip(self))]
    pub async fn restore_review(
        &self,
        review_id: Uuid,
        reason: &str,
        actor: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        self.moderate(review_id, None, reason, Moderator::from(actor))
            .await
    }

    /// Excludes (with `exclusion` as its reason) or restores a review on behalf of `moderator`.
    /// Returns whether the review exists.
    pub async fn moderate_as(
        &self,
        review_id: Uuid,
        exclusion: Option<&str>,
        why: &str,
        moderator: Moderator,
    ) -> Result<bool, StoreError> {
        self.moderate(review_id, exclusion, why, moderator).await
    }

    async fn moderate(
        &self,
        review_id: Uuid,
        exclusion: Option<&str>,
        why: &str,
        moderator: Moderator,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        // Writing first locks the row, so two moderators cannot move the counts twice.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reviews SET excluded_reason = excluded_reason WHERE id = $1 RETURNING day, {REVIEW_COLUMNS}"
        )))
        .bind(review_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let day: String = row.try_get("day")?;
        let review = stored_review(&row)?;
        let nothing = Answers::default();
        let moves = match (review.excluded_reason.is_some(), exclusion.is_some()) {
            (false, true) => aggregate::delta(&review.answers, &nothing),
            (true, false) => aggregate::delta(&nothing, &review.answers),
            _ => Vec::new(),
        };
        sqlx::query("UPDATE reviews SET excluded_reason = $1 WHERE id = $2")
            .bind(exclusion)
            .bind(review_id.to_string())
            .execute(&mut *tx)
            .await?;
        let (procedure_id, button_id) = (
            review.procedure_id.to_string(),
            review.button_id.to_string(),
        );
        let cell = Cell {
            procedure_id: &procedure_id,
            button_id: &button_id,
            day: &day,
        };
        aggregates::apply(&mut tx, &cell, &moves).await?;
        let (key, person) = match moderator {
            Moderator::Operator => (None, None),
            Moderator::Key(key) => (Some(key.to_string()), None),
            Moderator::Person(user) => (None, Some(user.to_string())),
        };
        sqlx::query("INSERT INTO audit_log (id, at, key_id, user_id, action, review_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Uuid::now_v7().to_string())
            .bind(to_millis(Timestamp::now()))
            .bind(key)
            .bind(person)
            .bind(if exclusion.is_some() { "exclude" } else { "restore" })
            .bind(review_id.to_string())
            .bind(why)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The audit log of one review, oldest first.
    pub async fn audit_of(&self, review_id: Uuid) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query("SELECT id, at, key_id, user_id, action, review_id, reason FROM audit_log WHERE review_id = $1 ORDER BY at, id")
            .bind(review_id.to_string())
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(audit_entry).collect::<Result<_, _>>()?)
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

fn audit_entry(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let key: Option<String> = row.try_get("key_id")?;
    let person: Option<String> = row.try_get("user_id")?;
    Ok(AuditEntry {
        id: id(row.try_get("id")?)?,
        at: from_millis(row.try_get("at")?),
        key_id: key.as_deref().map(id).transpose()?,
        user_id: person.as_deref().map(id).transpose()?,
        action: row.try_get("action")?,
        review_id: id(row.try_get("review_id")?)?,
        reason: row.try_get("reason")?,
    })
}
