//! Moderation: excluding and restoring reviews, and the audit log of who did it.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::aggregates::{self, Cell};
use super::reviews::{REVIEW_COLUMNS, stored_review};
use super::{Store, StoreError, id};
use crate::domain::aggregate;
use crate::domain::answers::Answers;
use crate::domain::time::{from_millis, to_millis};

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

impl Store {
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
