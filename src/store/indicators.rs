//! Sums of counters over a window, the only input indicators need.
//!
//! Test buttons are left out here, by joining the (small) buttons table; excluded reviews never
//! reach the counters in the first place.

use std::collections::HashMap;

use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError, id};
use crate::domain::indicators::Counts;

const SUMS: &str = "SELECT a.procedure_id, a.question, a.value, CAST(SUM(a.count) AS BIGINT) AS n \
     FROM aggregates a JOIN buttons b ON b.id = a.button_id \
     WHERE b.is_test = 0 AND a.day >= $1 AND a.day <= $2";

impl Store {
    /// Summed counters per procedure over `[from, to]`, for one procedure or all of them.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters(
        &self,
        from: Date,
        to: Date,
        procedure: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        let query = match procedure {
            Some(p) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SUMS} AND a.procedure_id = $3 GROUP BY a.procedure_id, a.question, a.value"
            )))
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(p.to_string()),
            None => sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SUMS} GROUP BY a.procedure_id, a.question, a.value"
            )))
            .bind(from.to_string())
            .bind(to.to_string()),
        };
        let mut sums: HashMap<Uuid, Counts> = HashMap::new();
        for row in query.fetch_all(&self.read).await? {
            let procedure = id(row.try_get("procedure_id")?)?;
            let key = (row.try_get("question")?, row.try_get("value")?);
            sums.entry(procedure)
                .or_default()
                .insert(key, row.try_get("n")?);
        }
        Ok(sums)
    }

    /// One procedure's summed counters per day over `[from, to]`.
    #[tracing::instrument(skip(self))]
    pub async fn daily_counters(
        &self,
        procedure: Uuid,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, Counts)>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.day, a.question, a.value, CAST(SUM(a.count) AS BIGINT) AS n \
             FROM aggregates a JOIN buttons b ON b.id = a.button_id \
             WHERE b.is_test = 0 AND a.procedure_id = $1 AND a.day >= $2 AND a.day <= $3 \
             GROUP BY a.day, a.question, a.value ORDER BY a.day",
        )
        .bind(procedure.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut days: Vec<(Date, Counts)> = Vec::new();
        for row in rows {
            let day: String = row.try_get("day")?;
            let day: Date = day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            if days.last().is_none_or(|(last, _)| *last != day) {
                days.push((day, Counts::new()));
            }
            let key = (row.try_get("question")?, row.try_get("value")?);
            if let Some((_, counts)) = days.last_mut() {
                counts.insert(key, row.try_get("n")?);
            }
        }
        Ok(days)
    }
}
