//! Consistency of the counters with the reviews they count, and the repair of any drift.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use sqlx::Row;

use super::reviews::stored_review;
use super::{Store, StoreError};
use crate::domain::aggregate;

/// A counter's key: procedure, day (or `YYYY-MM` for a monthly roll-up), button, question, value.
type CounterKey = (String, String, String, String, String);

/// What a recomputation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Reviews read.
    pub reviews: u64,
    /// Counters whose stored count differs from the recomputed one: (key, stored, expected).
    pub differences: Vec<(CounterKey, i64, i64)>,
}

impl Store {
    /// Recomputes every counter, by day and by month, from the reviews that count and compares
    /// with the tables. With `repair`, rewrites the counters that differ, in one transaction.
    pub async fn check_counters(&self, repair: bool) -> Result<Drift, StoreError> {
        let mut expected: BTreeMap<CounterKey, i64> = BTreeMap::new();
        let mut reviews = 0;
        let query = format!(
            "SELECT day, {} FROM reviews WHERE excluded_reason IS NULL",
            super::reviews::REVIEW_COLUMNS
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(query)).fetch(&self.read);
        while let Some(row) = rows.try_next().await? {
            let day: String = row.try_get("day")?;
            let review = stored_review(&row)?;
            reviews += 1;
            for (question, value) in aggregate::keys(&review.answers) {
                let key = (
                    review.procedure_id.to_string(),
                    day.clone(),
                    review.button_id.to_string(),
                    question.to_owned(),
                    value,
                );
                *expected.entry(key).or_default() += 1;
            }
        }
        drop(rows);
        let daily = compare(&self.stored_counters("aggregates", "day").await?, &expected);

        let mut expected_months: BTreeMap<CounterKey, i64> = BTreeMap::new();
        for ((procedure, day, button, question, value), count) in expected {
            let month = day.get(..7).unwrap_or_default().to_owned();
            *expected_months
                .entry((procedure, month, button, question, value))
                .or_default() += count;
        }
        let stored_months = self.stored_counters("monthly_aggregates", "month").await?;
        let monthly = compare(&stored_months, &expected_months);

        if repair && !(daily.is_empty() && monthly.is_empty()) {
            let mut tx = self.write.begin().await?;
            for ((procedure, day, button, question, value), _, want) in &daily {
                sqlx::query(
                    "INSERT INTO aggregates (procedure_id, day, button_id, question, value, count) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (procedure_id, day, button_id, question, value) DO UPDATE SET count = excluded.count",
                )
                .bind(procedure)
                .bind(day)
                .bind(button)
                .bind(question)
                .bind(value)
                .bind(*want)
                .execute(&mut *tx)
                .await?;
            }
            if !monthly.is_empty() {
                // The roll-ups drifted apart from the day counters themselves: rebuild them.
                sqlx::query("DELETE FROM monthly_aggregates")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO monthly_aggregates (procedure_id, month, button_id, question, value, count) \
                     SELECT procedure_id, substr(day, 1, 7), button_id, question, value, SUM(count) \
                     FROM aggregates GROUP BY procedure_id, substr(day, 1, 7), button_id, question, value",
                )
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        Ok(Drift {
            reviews,
            differences: daily.into_iter().chain(monthly).collect(),
        })
    }

    /// Every counter of `table`, whose period column is `period`.
    async fn stored_counters(
        &self,
        table: &'static str,
        period: &'static str,
    ) -> Result<BTreeMap<CounterKey, i64>, StoreError> {
        let mut stored = BTreeMap::new();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT procedure_id, {period} AS period, button_id, question, value, count FROM {table}"
        )))
        .fetch(&self.read);
        while let Some(row) = rows.try_next().await? {
            let key = (
                row.try_get("procedure_id")?,
                row.try_get("period")?,
                row.try_get("button_id")?,
                row.try_get("question")?,
                row.try_get("value")?,
            );
            stored.insert(key, row.try_get("count")?);
        }
        Ok(stored)
    }

    /// Writes a consistent copy of a SQLite database to `path` while it keeps serving.
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), StoreError> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}

/// The counters whose stored count differs from the expected one: (key, stored, expected).
fn compare(
    stored: &BTreeMap<CounterKey, i64>,
    expected: &BTreeMap<CounterKey, i64>,
) -> Vec<(CounterKey, i64, i64)> {
    let mut differences = Vec::new();
    for (key, count) in stored {
        let want = expected.get(key).copied().unwrap_or(0);
        if *count != want {
            differences.push((key.clone(), *count, want));
        }
    }
    for (key, want) in expected {
        if !stored.contains_key(key) {
            differences.push((key.clone(), 0, *want));
        }
    }
    differences
}
