//! The mail outbox (migration 28): messages queued in the transaction of what causes them, taken
//! up by one node at a time under a lease, and marked sent, rescheduled or failed.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Backend, Store, StoreError, id};
use crate::domain::mail::Mail;
use crate::domain::people::Email;
use crate::domain::time::to_millis;

/// Composes a message from the secret of the link it carries, once that secret is drawn.
pub type Compose<'a> = &'a (dyn Fn(&str) -> Mail + Sync);

/// A message taken up for sending by this node.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its Message-ID's left part: the same at every attempt.
    pub id: Uuid,
    pub mail: Mail,
    pub attempts: i64,
    pub created_at_ms: i64,
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Not sent; tried again at this time. Says why.
    RetryAt(Timestamp, String),
    /// Not sent and never will be. Says why.
    Failed(String),
}

/// Queues a message inside the caller's transaction, due at once.
pub async fn queue(conn: &mut sqlx::AnyConnection, mail: &Mail) -> Result<Uuid, StoreError> {
    let message_id = Uuid::now_v7();
    let now = to_millis(Timestamp::now());
    sqlx::query(
        "INSERT INTO mail_messages (id, recipient, subject, text_body, html_body, created_at, \
         next_attempt_at, unsubscribe_url) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(message_id.simple().to_string())
    .bind(mail.to.as_str())
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .bind(mail.unsubscribe.as_deref())
    .execute(conn)
    .await?;
    Ok(message_id)
}

impl Store {
    /// Whether some message is due: read first, so that an idle node writes nothing.
    pub async fn mail_due(&self, now: Timestamp) -> Result<bool, StoreError> {
        let due: Option<String> = sqlx::query_scalar(
            "SELECT id FROM mail_messages WHERE sent_at IS NULL AND failed_at IS NULL \
             AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
        )
        .bind(to_millis(now))
        .fetch_optional(&self.read)
        .await?;
        Ok(due.is_some())
    }

    /// Takes up to `limit` due messages for this node until `until`, oldest first. On
    /// PostgreSQL, messages another node is taking at the same moment are skipped, not waited
    /// for: each attempt at a message is made by one node.
    pub async fn claim_mail(
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
            "UPDATE mail_messages SET locked_until = $1 WHERE id IN (\
               SELECT id FROM mail_messages WHERE sent_at IS NULL AND failed_at IS NULL \
               AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
               ORDER BY next_attempt_at LIMIT {limit}{skip_locked}) \
             RETURNING id, recipient, subject, text_body, html_body, unsubscribe_url, attempts, \
             created_at"
        )))
        .bind(to_millis(until))
        .bind(to_millis(now))
        .fetch_all(&self.write)
        .await?;
        let mut claimed: Vec<Claimed> = rows.iter().map(claimed).collect::<Result<_, _>>()?;
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// Records what an attempt made of a message, and releases its lease.
    pub async fn record_mail_attempt(
        &self,
        message_id: Uuid,
        outcome: &Outcome,
    ) -> Result<(), StoreError> {
        let now = to_millis(Timestamp::now());
        let (sql, at, error) = match outcome {
            Outcome::Sent => (
                "UPDATE mail_messages SET attempts = attempts + 1, locked_until = NULL, \
                 last_error = $3, sent_at = $1 WHERE id = $2",
                now,
                None,
            ),
            Outcome::RetryAt(next, error) => (
                "UPDATE mail_messages SET attempts = attempts + 1, locked_until = NULL, \
                 last_error = $3, next_attempt_at = $1 WHERE id = $2",
                to_millis(*next),
                Some(error.as_str()),
            ),
            Outcome::Failed(error) => (
                "UPDATE mail_messages SET attempts = attempts + 1, locked_until = NULL, \
                 last_error = $3, failed_at = $1 WHERE id = $2",
                now,
                Some(error.as_str()),
            ),
        };
        sqlx::query(sql)
            .bind(at)
            .bind(message_id.simple().to_string())
            .bind(error)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

fn claimed(row: &AnyRow) -> Result<Claimed, sqlx::Error> {
    let recipient: String = row.try_get("recipient")?;
    let to = Email::parse(&recipient)
        .map_err(|_| sqlx::Error::Decode(format!("unusable recipient {recipient}").into()))?;
    Ok(Claimed {
        id: id(row.try_get("id")?)?,
        mail: Mail {
            to,
            subject: row.try_get("subject")?,
            text: row.try_get("text_body")?,
            html: row.try_get("html_body")?,
            unsubscribe: row.try_get("unsubscribe_url")?,
        },
        attempts: row.try_get("attempts")?,
        created_at_ms: row.try_get("created_at")?,
    })
}
