//! The counters indicators are computed from, moved inside review transactions.
//!
//! One row per procedure, day and button holds every counter of questionnaire version 1 side by
//! side, one column each (see [`aggregate::ALL`]); `running_counters` holds, per button, the same
//! summed over every day up to the row's, for closed days (see [`super::running`]). Every move
//! goes to the day counters and, if its day is closed or being closed, to the running totals, in
//! the same call.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::rows::{self, Bound, Rows, Script, count, counted};
use super::running;
use super::{Backend, Store, StoreError, id};
use crate::domain::aggregate::{self, Key, Tally};

/// Where a tally lives: procedure, day (`YYYY-MM-DD`), button.
pub type Place = (String, String, String);

/// Tallies by place.
pub type Tallies = BTreeMap<Place, Tally>;

/// The counter columns, in tally order.
pub static COLUMNS: LazyLock<Vec<String>> =
    LazyLock::new(|| aggregate::ALL.iter().map(aggregate::column).collect());

/// `satisfaction_bad, satisfaction_medium, …`
pub static COLUMN_LIST: LazyLock<String> = LazyLock::new(|| COLUMNS.join(", "));

/// `SUM(satisfaction_bad) AS satisfaction_bad, …` for SQL that adds tallies up.
pub static SUMS: LazyLock<String> = LazyLock::new(|| {
    COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
});

/// One counter, as `avis aggregates show` lists them.
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

/// Adds each move to its day counter (and running totals), inside the caller's transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    cell: &Cell<'_>,
    moves: &[(Key, i64)],
) -> Result<(), sqlx::Error> {
    let mut tally = Tally::default();
    tally.add(moves);
    let place = (
        cell.procedure_id.to_owned(),
        cell.day.to_owned(),
        cell.button_id.to_owned(),
    );
    add(conn, &BTreeMap::from([(place, tally)])).await
}

/// Adds day tallies to their days and, for closed days (and those being closed), to the running
/// totals, inside the caller's transaction.
pub async fn add(conn: &mut AnyConnection, days: &Tallies) -> Result<(), sqlx::Error> {
    if days.values().all(Tally::is_zero) {
        return Ok(());
    }
    let through = running::moves_through(conn).await?;
    let mut script = Script::new(Backend::of(conn));
    push_moves(&mut script, days, &through);
    script.run(conn).await
}

/// The statements that add `days` to the day counters and, for the days up to `through` (read
/// in the same transaction with [`running::moves_through`]), to the running totals.
pub fn push_moves(script: &mut Script, days: &Tallies, through: &str) {
    let days = tallies_without_zeros(days);
    if days.is_empty() {
        return;
    }
    let backend = script.backend();
    script.push(
        |rows| upsert(Table::Days, Write::Add, rows),
        tally_rows(backend, &days),
    );
    running::push_moves(script, &days, through);
}

/// The tallies that move something.
pub fn tallies_without_zeros(tallies: &Tallies) -> Tallies {
    tallies
        .iter()
        .filter(|(_, tally)| !tally.is_zero())
        .map(|(place, tally)| (place.clone(), *tally))
        .collect()
}

/// The counter tables.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    /// Each day's counts.
    Days,
    /// Each button's counts summed over every day up to the row's.
    Running,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Days => "daily_counters",
            Table::Running => "running_counters",
        }
    }
}

/// Whether a write adds to the stored counters or replaces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Add,
    Replace,
}

/// Upserts `tallies` into `table`: one statement, whatever the number of rows.
pub async fn write(
    conn: &mut AnyConnection,
    table: Table,
    tallies: &Tallies,
    how: Write,
) -> Result<(), sqlx::Error> {
    if tallies.is_empty() {
        return Ok(());
    }
    let mut script = Script::new(Backend::of(conn));
    let backend = script.backend();
    script.push(
        |rows| upsert(table, how, rows),
        tally_rows(backend, tallies),
    );
    script.run(conn).await
}

/// The statement that upserts into `table` the tallies bound as `rows` (written by
/// [`tally_rows`]).
pub fn upsert(table: Table, how: Write, rows: Bound) -> String {
    let backend = rows.backend();
    let name = table.name();
    let counts: Vec<String> = (0..aggregate::WIDTH).map(|i| count(backend, i)).collect();
    let with = counted(rows, 3);
    let set: Vec<String> = COLUMNS
        .iter()
        .map(|c| match how {
            Write::Add => format!("{c} = {name}.{c} + excluded.{c}"),
            Write::Replace => format!("{c} = excluded.{c}"),
        })
        .collect();
    // `WHERE true` keeps SQLite from reading `ON CONFLICT` as a join constraint.
    format!(
        "{with}INSERT INTO {name} (procedure_id, day, button_id, {columns}) \
         SELECT m.c0, m.c1, m.c2, {counts} FROM m WHERE true \
         ON CONFLICT (procedure_id, day, button_id) DO UPDATE SET {set}",
        columns = *COLUMN_LIST,
        counts = counts.join(", "),
        set = set.join(", "),
    )
}

/// Tallies as the JSON rows [`upsert`] reads: place, then every counter.
pub fn tally_rows<'a>(
    backend: Backend,
    tallies: impl IntoIterator<Item = (&'a Place, &'a Tally)>,
) -> String {
    let mut rows = Rows::default();
    for ((procedure, period, button), tally) in tallies {
        let place = [procedure, period, button].map(|t| rows::Cell::from(t.as_str()));
        rows.push_counted(backend, place, &tally.0);
    }
    rows.into_json()
}

/// Reads a tally from a row holding every counter column.
pub fn tally(row: &sqlx::any::AnyRow) -> Result<Tally, sqlx::Error> {
    let mut tally = Tally::default();
    for (cell, column) in tally.0.iter_mut().zip(COLUMNS.iter()) {
        *cell = row.try_get(column.as_str())?;
    }
    Ok(tally)
}

impl Store {
    /// The non-zero counters of one procedure, by day, button, question and value.
    pub async fn list_counters(&self, procedure_id: Uuid) -> Result<Vec<Counter>, StoreError> {
        let sql = format!(
            "SELECT procedure_id, button_id, day, {} FROM daily_counters \
             WHERE procedure_id = $1 ORDER BY day, button_id",
            *COLUMN_LIST
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(procedure_id.to_string())
            .fetch_all(&self.read)
            .await?;
        let mut counters = Vec::new();
        for row in &rows {
            let day: String = row.try_get("day")?;
            let day: Date = day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            let (procedure_id, button_id) = (
                id(row.try_get("procedure_id")?)?,
                id(row.try_get("button_id")?)?,
            );
            let mut cells: Vec<_> = tally(row)?
                .counts()
                .map(|((question, value), count)| Counter {
                    procedure_id,
                    button_id,
                    day,
                    question: (*question).to_owned(),
                    value: value.clone(),
                    count,
                })
                .collect();
            cells.sort_by(|a, b| (&a.question, &a.value).cmp(&(&b.question, &b.value)));
            counters.extend(cells);
        }
        Ok(counters)
    }
}
