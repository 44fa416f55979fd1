//! Webhooks' endpoints: made, listed, changed, disabled (its admins told) and deleted. The
//! messages owed to them are `webhook_outbox`.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, flag, id};
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
}

pub(super) fn event(code: &str) -> Result<Event, sqlx::Error> {
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
