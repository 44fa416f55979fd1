//! Sums of counters over a window, the only input indicators need.
//!
//! Test buttons are left out here, by joining the (small) buttons table; excluded reviews never
//! reach the counters in the first place.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::aggregates::{COLUMNS, SUMS, tally};
use super::{Store, StoreError, id};
use crate::domain::aggregate::Tally;
use crate::domain::indicators::Counts;

/// Each day's counters of the reviews that count. The table is keyed by procedure first: going
/// through the (small) buttons table first makes a procedure's days one range of the key (a
/// `CROSS JOIN` keeps SQLite from scanning the whole table instead; PostgreSQL plans it as any
/// inner join).
static DAYS: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<String> = COLUMNS.iter().map(|c| format!("a.{c}")).collect();
    format!(
        "SELECT a.procedure_id, a.day AS period, {} FROM buttons b CROSS JOIN daily_counters a \
         WHERE a.procedure_id = b.procedure_id AND a.button_id = b.id AND b.is_test = 0",
        columns.join(", "),
    )
});

/// Each counting button's running totals at the end of `$1` and at the end of `$2` (the day
/// before a window, and its last day): each the button's latest row on or before that day, one
/// seek along the key (procedure, button, day). The window's counts are their differences.
static WINDOW: LazyLock<String> = LazyLock::new(|| {
    let at = |alias: &str, param: &str| {
        format!(
            "LEFT JOIN running_counters {alias} ON {alias}.procedure_id = b.procedure_id \
             AND {alias}.button_id = b.id AND {alias}.day = (SELECT MAX(x.day) FROM running_counters x \
             WHERE x.procedure_id = b.procedure_id AND x.button_id = b.id AND x.day <= {param})"
        )
    };
    // Each side's 47 counts in one text column (empty when the button has no totals yet), added
    // up per procedure by the caller: decoding one column per counter cost more than the query,
    // and summing them in SQL about as much again.
    let packed = |alias: &str| {
        let cells: Vec<String> = COLUMNS.iter().map(|c| format!("{alias}.{c}")).collect();
        format!("concat_ws(',', {}) AS {alias}", cells.join(", "))
    };
    format!(
        "SELECT b.procedure_id, {}, {} FROM buttons b {} {} WHERE b.is_test = 0",
        packed("lo"),
        packed("hi"),
        at("lo", "$1"),
        at("hi", "$2"),
    )
});

/// A side of [`WINDOW`]: no totals (an empty text) count as zeros.
fn totals(row: &sqlx::any::AnyRow, side: &str) -> Result<Tally, sqlx::Error> {
    let text: String = row.try_get(side)?;
    if text.is_empty() {
        return Ok(Tally::default());
    }
    Tally::parse(&text).ok_or_else(|| sqlx::Error::Decode(format!("running totals: {text}").into()))
}

impl Store {
    /// Summed counters per procedure over `[from, to]`, for one procedure or all of them: two
    /// reads of running totals per button, whatever the window's length.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters(
        &self,
        from: Date,
        to: Date,
        procedure: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        let before = from
            .yesterday()
            .map_or_else(|_| "0".to_owned(), |d| d.to_string());
        let only = if procedure.is_some() {
            " AND b.procedure_id = $3"
        } else {
            ""
        };
        let sql = format!("{}{only}", *WINDOW);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before)
            .bind(to.to_string());
        if let Some(procedure) = procedure {
            query = query.bind(procedure.to_string());
        }
        let mut sums: HashMap<Uuid, Counts> = HashMap::new();
        for row in query.fetch_all(&self.read).await? {
            let (before, last) = (totals(&row, "lo")?, totals(&row, "hi")?);
            if before != last {
                let sum = sums.entry(id(row.try_get("procedure_id")?)?).or_default();
                sum.merge(&last);
                sum.subtract(&before);
            }
        }
        sums.retain(|_, tally| !tally.is_zero());
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
        let sql = format!(
            "SELECT period, {} FROM ({} AND a.procedure_id = $1 AND a.day >= $2 AND a.day <= $3) AS c \
             GROUP BY period ORDER BY period",
            *SUMS, *DAYS
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(procedure.to_string())
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&self.read)
            .await?;
        let mut days: Vec<(Date, Counts)> = Vec::with_capacity(rows.len());
        for row in rows {
            let day: String = row.try_get("period")?;
            let day: Date = day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            let tally = tally(&row)?;
            if !tally.is_zero() {
                days.push((day, tally));
            }
        }
        Ok(days)
    }
}
