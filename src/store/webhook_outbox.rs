//! The outbox of webhook messages (filled by the database's own triggers in the transaction that
//! changes a review, see migration 27, and by the look at indicators' levels), taken up by one
//! node at a time in each endpoint's order, and every attempt to deliver one. What the
//! endpoint's admins see of them is `webhook_deliveries`.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::webhooks::event;
use super::{Backend, Store, StoreError, id};
use crate::domain::time::{from_millis, to_millis};
use crate::domain::webhooks::Event;

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

/// The lock that makes PostgreSQL nodes take up messages one at a time (any number, the same
/// for every node: "avis-whk").
const CLAIM_LOCK: i64 = 0x6176_6973_2d77_686b;

/// What became of a message taken up.
#[derive(Debug, Clone)]
pub enum Settled {
    /// Tried once.
    Tried {
        message_id: Uuid,
        attempt: Attempt,
        outcome: Outcome,
    },
    /// Given back unsent: tried at the next look.
    Released(Uuid),
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

impl Store {
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

    /// Takes up due messages for this node until `until`: up to `endpoints` endpoints, those
    /// whose first due message has waited longest, and for each its first `each` due messages,
    /// unless a node holds one of its first `each` messages not yet delivered. An endpoint thus
    /// gets its messages in the order they were written (a message waiting for its retry lets
    /// later ones through). On PostgreSQL, claims run one at a time (a lock held for the
    /// transaction), so that two nodes never share an endpoint's batch: each message is sent by
    /// one node per attempt. Returned in the order they were written.
    pub async fn claim_messages(
        &self,
        now: Timestamp,
        until: Timestamp,
        endpoints: i64,
        each: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        // Every look goes through the open messages' index, a few rows per endpoint: the cost
        // does not grow with the messages delivered and kept.
        let open = |t: &str, of: &str| {
            format!(
                "{t}.webhook_id = {of}.id AND {t}.delivered_at IS NULL AND {t}.failed_at IS NULL"
            )
        };
        let due = |t: &str, of: &str| format!("{} AND {t}.next_attempt_at <= $2", open(t, of));
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE OF m SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // The seq of an endpoint's `each`-th message that is open (or due), and the largest if
        // it has fewer: its first `each` are those up to it, read as a range of the index.
        let last = |t: &str, condition: String| {
            format!(
                "COALESCE((SELECT {t}.seq FROM webhook_messages {t} WHERE {condition} \
                 ORDER BY {t}.seq LIMIT 1 OFFSET {}), {})",
                each - 1,
                i64::MAX
            )
        };
        let (held_up_to, first) = (last("f", open("f", "e")), due("o", "e"));
        let sql = format!(
            "UPDATE webhook_messages SET locked_until = $1 WHERE id IN (\
               SELECT m.id FROM (\
                 SELECT e.id FROM webhooks e WHERE NOT EXISTS (\
                   SELECT 1 FROM webhook_messages h WHERE {} AND h.locked_until > $2 \
                   AND h.seq <= {held_up_to}) \
                 AND EXISTS (SELECT 1 FROM webhook_messages o WHERE {first}) \
                 ORDER BY (SELECT o.seq FROM webhook_messages o WHERE {first} \
                   ORDER BY o.seq LIMIT 1) \
                 LIMIT {endpoints}) w \
               JOIN webhook_messages m ON {} AND m.seq <= {} \
               WHERE m.locked_until IS NULL OR m.locked_until <= $2{skip_locked}) \
             RETURNING id, seq, webhook_id, event, review_id, occurred_at, payload, attempts",
            open("h", "e"),
            due("m", "w"),
            last("d", due("d", "w")),
        );
        let mut tx = self.write.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CLAIM_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_millis(until))
            .bind(to_millis(now))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
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

    /// Keeps the bodies messages are sent with, the same at every attempt, in one transaction.
    pub async fn save_payloads(&self, payloads: &[(Uuid, String)]) -> Result<(), StoreError> {
        if payloads.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        for (message_id, payload) in payloads {
            sqlx::query(
                "UPDATE webhook_messages SET payload = $1 WHERE id = $2 AND payload IS NULL",
            )
            .bind(payload)
            .bind(message_id.simple().to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records what became of messages this node took up until `until`, in one transaction:
    /// each attempt with its outcome, and the messages given back unsent. A message another node
    /// took up since (this node's lease ran out) keeps that node's hold: only the attempt is
    /// recorded. One deleted meanwhile (with its endpoint) is passed over.
    pub async fn settle_messages(
        &self,
        settled: &[Settled],
        until: Timestamp,
    ) -> Result<(), StoreError> {
        if settled.is_empty() {
            return Ok(());
        }
        let held = to_millis(until);
        let mut tx = self.write.begin().await?;
        for one in settled {
            let (message_id, attempt, outcome) = match one {
                Settled::Released(message_id) => {
                    sqlx::query(
                        "UPDATE webhook_messages SET locked_until = NULL \
                         WHERE id = $1 AND locked_until = $2",
                    )
                    .bind(message_id.simple().to_string())
                    .bind(held)
                    .execute(&mut *tx)
                    .await?;
                    continue;
                }
                Settled::Tried {
                    message_id,
                    attempt,
                    outcome,
                } => (message_id, attempt, outcome),
            };
            let key = message_id.simple().to_string();
            sqlx::query(
                "INSERT INTO webhook_attempts (id, message_id, at, status, error, duration_ms) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM webhook_messages WHERE id = $2)",
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
            let (column, value) = match outcome {
                Outcome::Delivered => ("delivered_at", at),
                Outcome::RetryAt(next) => ("next_attempt_at", to_millis(*next)),
                Outcome::Failed => ("failed_at", at),
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE webhook_messages SET attempts = attempts + 1, locked_until = NULL, \
                 {column} = $1 WHERE id = $2 AND locked_until = $3"
            )))
            .bind(value)
            .bind(&key)
            .bind(held)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
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
