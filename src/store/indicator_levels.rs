//! The level each indicator of a watched procedure last stood at (migration 31), and the
//! `indicator.threshold_crossed` messages written when it moves, in the same transaction.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError, id};
use crate::domain::time::to_millis;
use crate::domain::webhooks::Event;

/// How a procedure's indicator moves, as read before.
pub struct LevelStep<'a> {
    pub procedure: Uuid,
    pub indicator: &'static str,
    /// The level read, none when the indicator had no row yet.
    pub before: Option<&'a str>,
    pub now: &'a str,
    /// The message's body, when the move is an event.
    pub payload: Option<String>,
    pub at: Timestamp,
}

impl Store {
    /// The open procedures some enabled endpoint listens to for indicators' levels.
    pub async fn procedures_watched_for_levels(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT p.id FROM procedures p JOIN webhooks w \
             ON w.organisation_id = p.organisation_id \
             AND (w.procedure_id IS NULL OR w.procedure_id = p.id) \
             WHERE w.enabled = 1 AND w.events LIKE '% indicator.threshold_crossed %' \
             AND p.closed_at IS NULL",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(|raw| id(raw)).collect::<Result<_, _>>()?)
    }

    /// Every stored level, by procedure and indicator.
    pub async fn indicator_levels(&self) -> Result<HashMap<(Uuid, String), String>, StoreError> {
        let rows = sqlx::query("SELECT procedure_id, indicator, level FROM indicator_levels")
            .fetch_all(&self.read)
            .await?;
        let mut levels = HashMap::new();
        for row in rows {
            let procedure = id(row.try_get("procedure_id")?)?;
            levels.insert(
                (procedure, row.try_get("indicator")?),
                row.try_get("level")?,
            );
        }
        Ok(levels)
    }

    /// Moves a level from what was read and, for an event, writes its message for every enabled
    /// endpoint that wants it. Returns false when another node moved it first.
    pub async fn step_level(&self, step: &LevelStep<'_>) -> Result<bool, StoreError> {
        let procedure = step.procedure.to_string();
        let at = to_millis(step.at);
        let mut tx = self.write.begin().await?;
        let moved = match step.before {
            None => {
                sqlx::query(
                    "INSERT INTO indicator_levels (procedure_id, indicator, level, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (procedure_id, indicator) DO NOTHING",
                )
                .bind(&procedure)
                .bind(step.indicator)
                .bind(step.now)
                .bind(at)
                .execute(&mut *tx)
                .await?
            }
            Some(before) => {
                sqlx::query(
                    "UPDATE indicator_levels SET level = $1, updated_at = $2 \
                 WHERE procedure_id = $3 AND indicator = $4 AND level = $5",
                )
                .bind(step.now)
                .bind(at)
                .bind(&procedure)
                .bind(step.indicator)
                .bind(before)
                .execute(&mut *tx)
                .await?
            }
        };
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(payload) = &step.payload {
            let event = Event::IndicatorThresholdCrossed.code();
            let endpoints: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT w.id FROM webhooks w JOIN procedures p ON p.organisation_id = w.organisation_id \
                 WHERE p.id = $1 AND w.enabled = 1 AND w.events LIKE '% {event} %' \
                 AND (w.procedure_id IS NULL OR w.procedure_id = p.id)"
            )))
            .bind(&procedure)
            .fetch_all(&mut *tx)
            .await?;
            let seq = match self.backend {
                super::Backend::Sqlite => {
                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_messages)"
                }
                super::Backend::Postgres => "DEFAULT",
            };
            for endpoint in endpoints {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webhook_messages (id, seq, webhook_id, event, review_id, \
                     occurred_at, next_attempt_at, payload) VALUES ($1, {seq}, $2, $3, $4, $5, $5, $6)"
                )))
                .bind(Uuid::now_v7().simple().to_string())
                .bind(endpoint)
                .bind(event)
                .bind(&procedure)
                .bind(at)
                .bind(payload)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}
