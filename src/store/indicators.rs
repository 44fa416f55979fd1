//! Sums of counters over a window, the only input indicators need.
//!
//! Test buttons are left out here, by joining the (small) buttons table; excluded reviews never
//! reach the counters in the first place.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::aggregates::{COLUMNS, SUMS, Table, tally};
use super::{Store, StoreError, id};
use crate::domain::aggregate::Tally;
use crate::domain::indicators::Counts;

/// The counters of the reviews that count, from one of the counter tables. Both tables are keyed
/// by procedure first: going through the (small) buttons table first makes each procedure's
/// window one range of the key (a `CROSS JOIN` keeps SQLite from scanning the whole table
/// instead; PostgreSQL plans it as any inner join).
fn counting(table: Table) -> String {
    let columns: Vec<String> = COLUMNS.iter().map(|c| format!("a.{c}")).collect();
    format!(
        "SELECT a.procedure_id, a.{period} AS period, {} FROM buttons b CROSS JOIN {} a \
         WHERE a.procedure_id = b.procedure_id AND a.button_id = b.id AND b.is_test = 0",
        columns.join(", "),
        table.name(),
        period = table.period(),
    )
}

static DAYS: LazyLock<String> = LazyLock::new(|| counting(Table::Days));
static MONTHS: LazyLock<String> = LazyLock::new(|| counting(Table::Months));

/// The counts of a tally, keyed as indicators read them.
fn counts(tally: &Tally) -> Counts {
    tally
        .counts()
        .map(|((question, value), n)| (((*question).to_owned(), value.clone()), n))
        .collect()
}

/// A window cut into the whole months it covers and the days around them.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    /// First and last whole month, as `YYYY-MM`, if the window covers one.
    months: Option<(String, String)>,
    /// Day ranges, both ends included, outside those months.
    days: Vec<(Date, Date)>,
}

fn split(from: Date, to: Date) -> Split {
    let first_whole = if from.day() == 1 {
        from
    } else {
        from.last_of_month().tomorrow().unwrap_or(from)
    };
    let last_whole = if to == to.last_of_month() {
        to
    } else {
        to.first_of_month().yesterday().unwrap_or(to)
    };
    if first_whole > last_whole || first_whole > to {
        return Split {
            months: None,
            days: vec![(from, to)],
        };
    }
    let month = |d: Date| d.strftime("%Y-%m").to_string();
    let mut days = Vec::new();
    if from < first_whole {
        days.push((from, first_whole.yesterday().unwrap_or(from)));
    }
    if last_whole < to {
        days.push((last_whole.tomorrow().unwrap_or(to), to));
    }
    Split {
        months: Some((month(first_whole), month(last_whole.first_of_month()))),
        days,
    }
}

impl Store {
    /// Summed counters per procedure over `[from, to]`, for one procedure or all of them. Whole
    /// months come from the monthly roll-ups, the days around them from the day counters.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters(
        &self,
        from: Date,
        to: Date,
        procedure: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        let window = split(from, to);
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |value: String| {
            binds.push(value);
            format!("${}", binds.len())
        };
        let mut parts = Vec::new();
        let ranges = window
            .months
            .map(|(first, last)| (Table::Months, first, last))
            .into_iter()
            .chain(
                window
                    .days
                    .into_iter()
                    .map(|(start, end)| (Table::Days, start.to_string(), end.to_string())),
            );
        for (table, first, last) in ranges {
            let (first, last) = (bind(first), bind(last));
            let only = procedure.map_or(String::new(), |p| {
                format!(" AND a.procedure_id = {}", bind(p.to_string()))
            });
            let (counters, period) = match table {
                Table::Days => (&*DAYS, "a.day"),
                Table::Months => (&*MONTHS, "a.month"),
            };
            parts.push(format!(
                "{counters} AND {period} >= {first} AND {period} <= {last}{only}"
            ));
        }
        let sql = format!(
            "SELECT procedure_id, {} FROM ({}) AS c GROUP BY procedure_id",
            *SUMS,
            parts.join(" UNION ALL ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let mut sums: HashMap<Uuid, Counts> = HashMap::new();
        for row in query.fetch_all(&self.read).await? {
            let tally = tally(&row)?;
            if !tally.is_zero() {
                sums.insert(id(row.try_get("procedure_id")?)?, counts(&tally));
            }
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
                days.push((day, counts(&tally)));
            }
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn months(first: &str, last: &str) -> Option<(String, String)> {
        Some((first.to_owned(), last.to_owned()))
    }

    #[test]
    fn windows_split_into_whole_months_and_edge_days() {
        // Twelve months ending mid-month: eleven whole months and two edges.
        assert_eq!(
            split(date(2025, 11, 23), date(2026, 11, 22)),
            Split {
                months: months("2025-12", "2026-10"),
                days: vec![
                    (date(2025, 11, 23), date(2025, 11, 30)),
                    (date(2026, 11, 1), date(2026, 11, 22))
                ],
            }
        );
        // Whole months only.
        assert_eq!(
            split(date(2026, 1, 1), date(2026, 3, 31)),
            Split {
                months: months("2026-01", "2026-03"),
                days: vec![],
            }
        );
        // Within one month, or across two without a whole one: days only.
        for (from, to) in [
            (date(2026, 2, 3), date(2026, 2, 20)),
            (date(2026, 1, 15), date(2026, 2, 14)),
            (date(2026, 2, 1), date(2026, 2, 27)),
        ] {
            assert_eq!(
                split(from, to),
                Split {
                    months: None,
                    days: vec![(from, to)],
                }
            );
        }
        // A leap February, whole.
        assert_eq!(
            split(date(2028, 2, 1), date(2028, 2, 29)).months,
            months("2028-02", "2028-02")
        );
    }
}
