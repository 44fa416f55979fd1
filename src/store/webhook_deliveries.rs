//! What became of an endpoint's messages, as its admins see it in the back-office and the API,
//! and a message sent again on their demand.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::webhook_outbox::Attempt;
use super::webhooks::event;
use super::{Store, StoreError, id};
use crate::domain::time::{from_millis, to_millis};
use crate::domain::webhooks::Event;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// A message owed to an endpoint, and every attempt so far.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// The message's id; its `webhook-id` header is `msg_` and these digits.
    pub id: Uuid,
    pub event: Event,
    /// The review it is about, for a review's event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_id: Option<Uuid>,
    /// The procedure it is about, for an indicator's event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure_id: Option<Uuid>,
    pub occurred_at: Timestamp,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<Timestamp>,
    pub attempts: Vec<Attempt>,
}

impl Store {
    /// An endpoint's latest messages, newest first, with their attempts.
    pub async fn list_deliveries(
        &self,
        webhook_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, event, review_id, occurred_at, next_attempt_at, delivered_at, failed_at \
             FROM webhook_messages WHERE webhook_id = $1 \
             ORDER BY seq DESC LIMIT {limit}"
        )))
        .bind(webhook_id.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in &rows {
            let message: String = row.try_get("id")?;
            let attempts = sqlx::query(
                "SELECT at, status, error, duration_ms FROM webhook_attempts \
                 WHERE message_id = $1 ORDER BY at",
            )
            .bind(&message)
            .fetch_all(&self.read)
            .await?;
            deliveries.push(delivery(row, &attempts)?);
        }
        Ok(deliveries)
    }

    /// Sends a message of this endpoint again, now, whatever became of it. Returns whether it
    /// exists.
    #[tracing::instrument(skip(self))]
    pub async fn replay_delivery(
        &self,
        webhook_id: Uuid,
        message_id: Uuid,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_messages SET delivered_at = NULL, failed_at = NULL, locked_until = NULL, \
             next_attempt_at = $1 WHERE id = $2 AND webhook_id = $3",
        )
        .bind(to_millis(Timestamp::now()))
        .bind(message_id.simple().to_string())
        .bind(webhook_id.to_string())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn delivery(row: &AnyRow, attempts: &[AnyRow]) -> Result<Delivery, sqlx::Error> {
    let delivered: Option<i64> = row.try_get("delivered_at")?;
    let failed: Option<i64> = row.try_get("failed_at")?;
    let status = match (delivered, failed) {
        (Some(_), _) => DeliveryStatus::Delivered,
        (None, Some(_)) => DeliveryStatus::Failed,
        (None, None) => DeliveryStatus::Pending,
    };
    let event = event(row.try_get("event")?)?;
    // The column holds the review, or for an indicator's event the procedure.
    let about = id(row.try_get("review_id")?)?;
    Ok(Delivery {
        id: id(row.try_get("id")?)?,
        event,
        review_id: event.is_about_a_review().then_some(about),
        procedure_id: (!event.is_about_a_review()).then_some(about),
        occurred_at: from_millis(row.try_get("occurred_at")?),
        status,
        next_attempt_at: (status == DeliveryStatus::Pending)
            .then(|| row.try_get("next_attempt_at").map(from_millis))
            .transpose()?,
        attempts: attempts
            .iter()
            .map(|a| {
                Ok(Attempt {
                    at: from_millis(a.try_get("at")?),
                    status: a.try_get("status")?,
                    error: a.try_get("error")?,
                    duration_ms: a.try_get("duration_ms")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?,
    })
}
