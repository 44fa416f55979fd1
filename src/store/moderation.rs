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
use crate::domain::answers::Answers;
use crate::domain::time::{from_millis, to_millis};

/// Which reviews to list.
#[derive(Debug, Default, Clone)]
pub struct ReviewFilter {
    pub organisation: Option<Uuid>,
    pub procedure: Option<Uuid>,
    pub button: Option<Uuid>,
    /// Only excluded reviews (`true`) or only counted ones (`false`).
    pub excluded: Option<bool>,
    /// Words the comment contains, case aside.
    pub text: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub limit: i64,
    pub offset: i64,
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: Timestamp,
    /// The API key that acted; none for the operator's command line.
    pub key_id: Option<Uuid>,
    pub action: String,
    pub review_id: Uuid,
    pub reason: String,
}

impl Store {
    /// Reviews matching `filter`, newest first.
    pub async fn list_reviews(
        &self,
        filter: &ReviewFilter,
    ) -> Result<Vec<StoredReview>, StoreError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        let mut add = |condition: &str, value: String| {
            binds.push(value);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(org) = filter.organisation {
            add("p.organisation_id = ?", org.to_string());
        }
        if let Some(procedure) = filter.procedure {
            add("r.procedure_id = ?", procedure.to_string());
        }
        if let Some(button) = filter.button {
            add("r.button_id = ?", button.to_string());
            // Through the procedure's index: there is none on the button.
            add(
                "r.procedure_id = (SELECT procedure_id FROM buttons WHERE id = ?)",
                button.to_string(),
            );
        }
        if let Some(from) = filter.from {
            add("r.day >= ?", from.to_string());
        }
        if let Some(to) = filter.to {
            add("r.day <= ?", to.to_string());
        }
        if let Some(text) = &filter.text {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            add(
                "LOWER(r.verbatim) LIKE ? ESCAPE '\\'",
                format!("%{escaped}%"),
            );
        }
        match filter.excluded {
            Some(true) => conditions.push("r.excluded_reason IS NOT NULL".to_owned()),
            Some(false) => conditions.push("r.excluded_reason IS NULL".to_owned()),
            None => {}
        }
        let columns: Vec<String> = REVIEW_COLUMNS
            .split(',')
            .map(|c| format!("r.{c} AS {c}", c = c.trim()))
            .collect();
        let select = |filed: Option<&str>| {
            let mut select = format!(
                "SELECT {} FROM reviews r JOIN procedures p ON p.id = r.procedure_id",
                columns.join(", ")
            );
            let conditions: Vec<&str> =
                conditions.iter().map(String::as_str).chain(filed).collect();
            if !conditions.is_empty() {
                select.push_str(" WHERE ");
                select.push_str(&conditions.join(" AND "));
            }
            select
        };
        // On SQLite a procedure's index holds its filed reviews only; those the writer has not
        // filed yet are read apart, in the order they came, and the two merged.
        let by_procedure = filter.procedure.is_some() || filter.button.is_some();
        let mut sql = if by_procedure && self.backend == Backend::Sqlite {
            format!(
                "{} UNION ALL {}",
                select(Some("r.filed = 1")),
                select(Some("r.filed = 0"))
            )
        } else {
            select(None)
        };
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
            filter.limit, filter.offset
        ));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(stored_review).collect::<Result<_, _>>()?)
    }

    /// Keeps a review but takes its answers out of every counter, with an audit entry.
    /// Returns whether the review exists.
    #[tracing::instrument(skip(self))]
    pub async fn exclude_review(
        &self,
        review_id: Uuid,
        reason: &str,
        actor: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        self.moderate(review_id, Some(reason), reason, actor).await
    }

    /// Puts an excluded review's answers back into the counters, with an audit entry.
    #[tracing::instrument(skip(self))]
    pub async fn restore_review(
        &self,
        review_id: Uuid,
        reason: &str,
        actor: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        self.moderate(review_id, None, reason, actor).await
    }

    async fn moderate(
        &self,
        review_id: Uuid,
        exclusion: Option<&str>,
        why: &str,
        actor: Option<Uuid>,
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
        sqlx::query("INSERT INTO audit_log (id, at, key_id, action, review_id, reason) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(Uuid::now_v7().to_string())
            .bind(to_millis(Timestamp::now()))
            .bind(actor.map(|a| a.to_string()))
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
        let rows = sqlx::query("SELECT id, at, key_id, action, review_id, reason FROM audit_log WHERE review_id = $1 ORDER BY at, id")
            .bind(review_id.to_string())
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(audit_entry).collect::<Result<_, _>>()?)
    }
}

fn audit_entry(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let key: Option<String> = row.try_get("key_id")?;
    Ok(AuditEntry {
        id: id(row.try_get("id")?)?,
        at: from_millis(row.try_get("at")?),
        key_id: key.as_deref().map(id).transpose()?,
        action: row.try_get("action")?,
        review_id: id(row.try_get("review_id")?)?,
        reason: row.try_get("reason")?,
    })
}
