//! Contact email addresses: left with explicit consent, kept apart from the answers, deleted
//! once their retention is over.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError};
use crate::domain::time::{after_seconds, from_millis, to_millis};

/// An address a citizen left to be contacted back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactEmail {
    pub email: String,
    pub consented_at: Timestamp,
    /// When it is deleted, whatever happens.
    pub delete_after: Timestamp,
}

impl Store {
    /// Records (or replaces) the address of a review, to be deleted after `retention_days`.
    pub async fn save_contact_email(
        &self,
        review_id: Uuid,
        email: &str,
        now: Timestamp,
        retention_days: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO contact_emails (review_id, email, consented_at, delete_after) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (review_id) DO UPDATE SET email = excluded.email, consented_at = excluded.consented_at, \
             delete_after = excluded.delete_after",
        )
        .bind(review_id.to_string())
        .bind(email)
        .bind(to_millis(now))
        .bind(to_millis(after_seconds(now, retention_days * 86_400)))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Forgets the address of a review, if it left one.
    pub async fn delete_contact_email(&self, review_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM contact_emails WHERE review_id = $1")
            .bind(review_id.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn find_contact_email(
        &self,
        review_id: Uuid,
    ) -> Result<Option<ContactEmail>, StoreError> {
        let row = sqlx::query(
            "SELECT email, consented_at, delete_after FROM contact_emails WHERE review_id = $1",
        )
        .bind(review_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(ContactEmail {
            email: row.try_get("email")?,
            consented_at: from_millis(row.try_get("consented_at")?),
            delete_after: from_millis(row.try_get("delete_after")?),
        }))
    }

    /// Deletes the addresses whose retention is over; returns how many.
    pub async fn purge_contact_emails(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM contact_emails WHERE delete_after < $1")
            .bind(to_millis(now))
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }
}
