//! Webhooks: endpoints, the outbox of messages owed to them (filled by the database's own
//! triggers in the transaction that changes a review, see migration 27), and their attempts.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Backend, Store, StoreError, flag, id};
use crate::domain::mail::Mail;
use crate::domain::time::{from_millis, to_millis};
use crate::domain::webhooks::{Event, events_of, new_secret, stored_events};

/// An endpoint, as the API shows it: never its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// Only this procedure's reviews, if set.
    pub procedure_id: Option<Uuid>,
    pub url: String,
    pub events: Vec<Event>,
    pub enabled: bool,
    /// Why it was disabled: by hand, a `410 Gone`, or a message that failed every attempt.
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
}

/// What to change in an endpoint.
#[derive(Debug, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<Event>>,
    pub enabled: Option<bool>,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// One attempt to deliver a message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    pub at: Timestamp,
    /// The endpoint's answer; none when it gave none.
    pub status: Option<i64>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    pub duration_ms: i64,
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

/// A message taken up for delivery by this node.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    /// Orders an endpoint's messages as they were written.
    pub seq: i64,
    pub webhook_id: Uuid,
    pub event: Event,
    pub review_id: Uuid,
    pub occurred_at: Timestamp,
    pub payload: Option<String>,
    pub attempts: i64,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Failed; tried again at this time.
    RetryAt(Timestamp),
    /// Failed for good.
    Failed,
}

const WEBHOOK_COLUMNS: &str = "SELECT id, organisation_id, procedure_id, url, events, enabled, disabled_reason, created_at FROM webhooks";

impl Store {
    /// A new endpoint, and its secret to hand over once.
    #[tracing::instrument(skip(self))]
    pub async fn create_webhook(
        &self,
        organisation: Uuid,
        procedure: Option<Uuid>,
        url: &str,
        events: &[Event],
    ) -> Result<(Webhook, String), StoreError> {
        let secret = new_secret();
        let webhook = Webhook {
            id: Uuid::now_v7(),
            organisation_id: organisation,
            procedure_id: procedure,
            url: url.to_owned(),
            events: events_of(&stored_events(events)),
            enabled: true,
            disabled_reason: None,
            created_at: Timestamp::now(),
        };
        sqlx::query(
            "INSERT INTO webhooks (id, organisation_id, procedure_id, url, events, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(webhook.id.to_string())
        .bind(organisation.to_string())
        .bind(procedure.map(|p| p.to_string()))
        .bind(url)
        .bind(stored_events(events))
        .bind(&secret)
        .bind(to_millis(webhook.created_at))
        .execute(&self.write)
        .await?;
        Ok((webhook, secret))
    }

    /// Every endpoint, or an organisation's, oldest first.
    pub async fn list_webhooks(
        &self,
        organisation: Option<Uuid>,
    ) -> Result<Vec<Webhook>, StoreError> {
        let rows = match organisation {
            Some(org) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{WEBHOOK_COLUMNS} WHERE organisation_id = $1 ORDER BY created_at"
                )))
                .bind(org.to_string())
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{WEBHOOK_COLUMNS} ORDER BY created_at"
                )))
                .fetch_all(&self.read)
                .await?
            }
        };
        Ok(rows.iter().map(webhook).collect::<Result<_, _>>()?)
    }

    pub async fn find_webhook(&self, webhook_id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{WEBHOOK_COLUMNS} WHERE id = $1"
        )))
        .bind(webhook_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(webhook).transpose()?)
    }

    /// The secret an endpoint's messages are signed with.
    pub async fn webhook_secret(&self, webhook_id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT secret FROM webhooks WHERE id = $1")
                .bind(webhook_id.to_string())
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Changes an endpoint; enabling it again forgets why it was disabled.
    #[tracing::instrument(skip(self))]
    pub async fn update_webhook(
        &self,
        webhook_id: Uuid,
        change: &WebhookChange,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let key = webhook_id.to_string();
        if let Some(url) = &change.url {
            sqlx::query("UPDATE webhooks SET url = $1 WHERE id = $2")
                .bind(url)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(events) = &change.events {
            sqlx::query("UPDATE webhooks SET events = $1 WHERE id = $2")
                .bind(stored_events(events))
                .bind(&key)
                .execute(&mut *tx)
                .await?;
        }
        match change.enabled {
            Some(true) => {
                sqlx::query(
                    "UPDATE webhooks SET enabled = 1, disabled_reason = NULL WHERE id = $1",
                )
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            }
            Some(false) => {
                sqlx::query(
                    "UPDATE webhooks SET enabled = 0, disabled_reason = $1 WHERE id = $2 AND enabled = 1",
                )
                .bind("disabled by an administrator")
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            }
            None => {}
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an endpoint with its messages and their attempts.
    #[tracing::instrument(skip(self))]
    pub async fn delete_webhook(&self, webhook_id: Uuid) -> Result<(), StoreError> {
        let key = webhook_id.to_string();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE message_id IN \
             (SELECT id FROM webhook_messages WHERE webhook_id = $1)",
        )
        .bind(&key)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM webhook_messages WHERE webhook_id = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables an endpoint, saying why, and queues `letters` (to its admins) in the same
    /// transaction, only if it was enabled: when two nodes disable it, it is told once.
    pub async fn disable_webhook(
        &self,
        webhook_id: Uuid,
        reason: &str,
        letters: &[Mail],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let disabled = sqlx::query(
            "UPDATE webhooks SET enabled = 0, disabled_reason = $1 WHERE id = $2 AND enabled = 1",
        )
        .bind(reason)
        .bind(webhook_id.to_string())
        .execute(&mut *tx)
        .await?;
        if disabled.rows_affected() == 1 {
            for letter in letters {
                super::mail::queue(&mut tx, letter).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

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

    /// Whether some message is due: read first, so that an idle node writes nothing.
    pub async fn messages_due(&self, now: Timestamp) -> Result<bool, StoreError> {
        let due: Option<String> = sqlx::query_scalar(
            "SELECT id FROM webhook_messages WHERE delivered_at IS NULL AND failed_at IS NULL \
             AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
        )
        .bind(to_millis(now))
        .fetch_optional(&self.read)
        .await?;
        Ok(due.is_some())
    }

    /// Takes up to `limit` due messages for this node until `until`: for each endpoint, the
    /// first of its messages not yet delivered, if it is due and no node holds an earlier one,
    /// so that an endpoint gets its messages in the order they were written (a message waiting
    /// for its retry lets later ones through). On PostgreSQL, messages another node is taking
    /// at the same moment are skipped, not waited for: each is sent by one node per attempt.
    pub async fn claim_messages(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE webhook_messages SET locked_until = $1 WHERE id IN (\
               SELECT m.id FROM webhook_messages m \
               WHERE m.delivered_at IS NULL AND m.failed_at IS NULL AND m.next_attempt_at <= $2 \
               AND (m.locked_until IS NULL OR m.locked_until <= $2) \
               AND m.seq = (SELECT MIN(o.seq) FROM webhook_messages o \
                 WHERE o.webhook_id = m.webhook_id AND o.delivered_at IS NULL AND o.failed_at IS NULL \
                 AND (o.next_attempt_at <= $2 OR o.locked_until > $2)) \
               ORDER BY m.seq LIMIT {limit}{skip_locked}) \
             RETURNING id, seq, webhook_id, event, review_id, occurred_at, payload, attempts"
        )))
        .bind(to_millis(until))
        .bind(to_millis(now))
        .fetch_all(&self.write)
        .await?;
        let mut claimed: Vec<Claimed> = rows.iter().map(claimed).collect::<Result<_, _>>()?;
        claimed.sort_by_key(|c| c.seq);
        Ok(claimed)
    }

    /// Deletes the messages delivered or given up before `before`, with their attempts.
    pub async fn forget_messages(&self, before: Timestamp) -> Result<u64, StoreError> {
        let finished = "SELECT id FROM webhook_messages WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) AND occurred_at < $1";
        // Read first: a node with nothing to delete writes nothing.
        let any: Option<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{finished} LIMIT 1")))
                .bind(to_millis(before))
                .fetch_optional(&self.read)
                .await?;
        if any.is_none() {
            return Ok(0);
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM webhook_attempts WHERE message_id IN ({finished})"
        )))
        .bind(to_millis(before))
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM webhook_messages WHERE id IN ({finished})"
        )))
        .bind(to_millis(before))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Keeps the body a message is sent with, the same at every attempt.
    pub async fn save_payload(&self, message_id: Uuid, payload: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhook_messages SET payload = $1 WHERE id = $2 AND payload IS NULL")
            .bind(payload)
            .bind(message_id.simple().to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Records an attempt and what it makes of its message, in one transaction.
    pub async fn record_attempt(
        &self,
        message_id: Uuid,
        attempt: &Attempt,
        outcome: Outcome,
    ) -> Result<(), StoreError> {
        let key = message_id.simple().to_string();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (id, message_id, at, status, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&key)
        .bind(to_millis(attempt.at))
        .bind(attempt.status)
        .bind(attempt.error.as_deref())
        .bind(attempt.duration_ms)
        .execute(&mut *tx)
        .await?;
        let at = to_millis(attempt.at);
        let (sql, value) = match outcome {
            Outcome::Delivered => (
                "UPDATE webhook_messages SET attempts = attempts + 1, locked_until = NULL, delivered_at = $1 WHERE id = $2",
                at,
            ),
            Outcome::RetryAt(next) => (
                "UPDATE webhook_messages SET attempts = attempts + 1, locked_until = NULL, next_attempt_at = $1 WHERE id = $2",
                to_millis(next),
            ),
            Outcome::Failed => (
                "UPDATE webhook_messages SET attempts = attempts + 1, locked_until = NULL, failed_at = $1 WHERE id = $2",
                at,
            ),
        };
        sqlx::query(sql)
            .bind(value)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn event(code: &str) -> Result<Event, sqlx::Error> {
    Event::parse(code).ok_or_else(|| sqlx::Error::Decode(format!("unknown event {code}").into()))
}

fn webhook(row: &AnyRow) -> Result<Webhook, sqlx::Error> {
    let procedure: Option<String> = row.try_get("procedure_id")?;
    Ok(Webhook {
        id: id(row.try_get("id")?)?,
        organisation_id: id(row.try_get("organisation_id")?)?,
        procedure_id: procedure.as_deref().map(id).transpose()?,
        url: row.try_get("url")?,
        events: events_of(row.try_get("events")?),
        enabled: flag(row.try_get::<i64, _>("enabled")?),
        disabled_reason: row.try_get("disabled_reason")?,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

fn claimed(row: &AnyRow) -> Result<Claimed, sqlx::Error> {
    Ok(Claimed {
        id: id(row.try_get("id")?)?,
        seq: row.try_get("seq")?,
        webhook_id: id(row.try_get("webhook_id")?)?,
        event: event(row.try_get("event")?)?,
        review_id: id(row.try_get("review_id")?)?,
        occurred_at: from_millis(row.try_get("occurred_at")?),
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
    })
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
