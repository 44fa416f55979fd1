//! The per-day counters indicators are computed from, moved inside review transactions.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::any::Any;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{Store, StoreError, id};
use crate::domain::aggregate::Key;

/// One counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counter {
    pub procedure_id: Uuid,
    pub button_id: Uuid,
    pub day: Date,
    pub question: String,
    pub value: String,
    pub count: i64,
}

/// Where a review's counters live.
pub struct Cell<'a> {
    pub procedure_id: &'a str,
    pub button_id: &'a str,
    pub day: &'a str,
}

/// Adds each move to its counter, inside the caller's transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    cell: &Cell<'_>,
    moves: &[(Key, i64)],
) -> Result<(), sqlx::Error> {
    for ((question, value), delta) in moves {
        sqlx::query::<Any>(
            "INSERT INTO aggregates (procedure_id, day, button_id, question, value, count) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (procedure_id, day, button_id, question, value) \
             DO UPDATE SET count = aggregates.count + excluded.count",
        )
        .bind(cell.procedure_id)
        .bind(cell.day)
        .bind(cell.button_id)
        .bind(*question)
        .bind(value.as_str())
        .bind(*delta)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The non-zero counters of one procedure, by day, button, question and value.
    pub async fn list_counters(&self, procedure_id: Uuid) -> Result<Vec<Counter>, StoreError> {
        let rows = sqlx::query(
            "SELECT procedure_id, button_id, day, question, value, count FROM aggregates \
             WHERE procedure_id = $1 AND count <> 0 ORDER BY day, button_id, question, value",
        )
        .bind(procedure_id.to_string())
        .fetch_all(&self.read)
        .await?;
        let counter = |row: &sqlx::any::AnyRow| -> Result<Counter, sqlx::Error> {
            let day: String = row.try_get("day")?;
            Ok(Counter {
                procedure_id: id(row.try_get("procedure_id")?)?,
                button_id: id(row.try_get("button_id")?)?,
                day: day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                question: row.try_get("question")?,
                value: row.try_get("value")?,
                count: row.try_get("count")?,
            })
        };
        Ok(rows.iter().map(counter).collect::<Result<_, _>>()?)
    }
}
