//! The counters indicators are computed from, moved inside review transactions.
//!
//! One row per procedure, day and button holds every counter of questionnaire version 1 side by
//! side, one column each (see [`aggregate::ALL`]); `running_counters` holds, per button, the same
//! summed over every day up to the row's, so that any window is two reads per button. Every move
//! goes to both, in the same call.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::rows::{self, Counted, Rows, Script, count, counted};
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

/// Adds each move to its day counter and to the running totals, inside the caller's transaction.
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

/// Adds day tallies to their days and to the running totals, inside the caller's transaction.
pub async fn add(conn: &mut AnyConnection, days: &Tallies) -> Result<(), sqlx::Error> {
    let mut script = Script::new(Backend::of(conn));
    push_moves(&mut script, days);
    script.run(conn).await
}

/// The statements that add `days` to the day counters and to the running totals.
pub fn push_moves(script: &mut Script, days: &Tallies) {
    let days = tallies_without_zeros(days);
    if days.is_empty() {
        return;
    }
    let backend = script.backend();
    script.push(
        |n| upsert(backend, Table::Days, Write::Add, n),
        tally_rows(backend, &days),
    );
    let (ranges, ranks) = running_moves(backend, &days);
    script.push(|n| update_running(backend, n), ranges);
    for rank in ranks {
        script.push(|n| insert_running(backend, n), rank);
    }
}

/// For the running totals: each button's cumulated moves over the day ranges they apply to
/// (`[procedure, button, from, until, counts…]`, `until` excluded), and the rows of the days
/// moved, first day of each button first (`[procedure, button, day, counts…]`), then the second…
fn running_moves(backend: Backend, days: &Tallies) -> (String, Vec<String>) {
    let mut ranges = Rows::default();
    let mut ranks: Vec<Rows> = Vec::new();
    for ((procedure, button), moves) in by_button(days) {
        let mut running = Tally::default();
        for (rank, (day, tally)) in moves.iter().enumerate() {
            running.merge(tally);
            let until = moves
                .get(rank + 1)
                .map_or(AFTER_ALL_DAYS, |(next, _)| next.as_str());
            let place = [procedure, button, *day].map(|t| rows::Cell::from(t.as_str()));
            ranges.push_counted(
                backend,
                place.into_iter().chain([rows::Cell::from(until)]),
                &running.0,
            );
            if ranks.len() <= rank {
                ranks.push(Rows::default());
            }
            ranks[rank].push_counted(backend, place, &tally.0);
        }
    }
    (
        ranges.into_json(),
        ranks.into_iter().map(Rows::into_json).collect(),
    )
}

/// Day tallies per (procedure, button), each button's days in order.
type ByButton<'a> = BTreeMap<(&'a String, &'a String), Vec<(&'a String, &'a Tally)>>;

fn by_button(days: &Tallies) -> ByButton<'_> {
    let mut by_button = ByButton::new();
    for ((procedure, day, button), tally) in days {
        by_button
            .entry((procedure, button))
            .or_default()
            .push((day, tally));
    }
    by_button
}

/// Sorts after every `YYYY-MM-DD`.
const AFTER_ALL_DAYS: &str = "9999-99-99";

/// Adds each button's cumulated moves to its running totals of the days they cover.
fn update_running(backend: Backend, n: usize) -> String {
    let set: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = running_counters.{c} + {}", count(backend, 4, i)))
        .collect();
    let Counted { with, from } = counted(backend, n, 4);
    format!(
        "{with}UPDATE running_counters SET {} FROM {from} \
         WHERE running_counters.procedure_id = m.c0 AND running_counters.button_id = m.c1 \
         AND running_counters.day >= m.c2 AND running_counters.day < m.c3",
        set.join(", "),
    )
}

/// Creates the running totals of days that had none: the button's latest earlier totals (by
/// then up to date) plus the day's moves. Days that had totals were moved by [`update_running`].
fn insert_running(backend: Backend, n: usize) -> String {
    let cells: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("COALESCE(prev.{c}, 0) + {}", count(backend, 3, i)))
        .collect();
    let Counted { with, from } = counted(backend, n, 3);
    // Days that have totals are skipped before their counts are read; the `WHERE` also keeps
    // SQLite from reading `ON CONFLICT` as a join constraint.
    format!(
        "{with}INSERT INTO running_counters (procedure_id, button_id, day, {columns}) \
         SELECT m.c0, m.c1, m.c2, {cells} FROM {from} \
         LEFT JOIN running_counters prev ON prev.procedure_id = m.c0 AND prev.button_id = m.c1 \
         AND prev.day = (SELECT MAX(x.day) FROM running_counters x \
         WHERE x.procedure_id = m.c0 AND x.button_id = m.c1 AND x.day < m.c2) \
         WHERE NOT EXISTS (SELECT 1 FROM running_counters e \
         WHERE e.procedure_id = m.c0 AND e.button_id = m.c1 AND e.day = m.c2) \
         ON CONFLICT (procedure_id, button_id, day) DO NOTHING",
        columns = *COLUMN_LIST,
        cells = cells.join(", "),
    )
}

/// The tallies that move something.
pub fn tallies_without_zeros(tallies: &Tallies) -> Tallies {
    tallies
        .iter()
        .filter(|(_, tally)| !tally.is_zero())
        .map(|(place, tally)| (place.clone(), *tally))
        .collect()
}

/// Running totals from day tallies: for each button, the sum of its days up to each day.
pub fn running_totals(days: &Tallies) -> Tallies {
    let mut running = Tallies::new();
    for ((procedure, button), moves) in by_button(days) {
        let mut total = Tally::default();
        for (day, tally) in moves {
            total.merge(tally);
            running.insert((procedure.clone(), day.clone(), button.clone()), total);
        }
    }
    running
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
        |n| upsert(backend, table, how, n),
        tally_rows(backend, tallies),
    );
    script.run(conn).await
}

/// The statement that upserts into `table` the tallies bound, as [`tally_rows`], at parameter `n`.
pub fn upsert(backend: Backend, table: Table, how: Write, n: usize) -> String {
    let name = table.name();
    let counts: Vec<String> = (0..aggregate::WIDTH)
        .map(|i| count(backend, 3, i))
        .collect();
    let Counted { with, from } = counted(backend, n, 3);
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
         SELECT m.c0, m.c1, m.c2, {counts} FROM {from} WHERE true \
         ON CONFLICT (procedure_id, day, button_id) DO UPDATE SET {set}",
        columns = *COLUMN_LIST,
        counts = counts.join(", "),
        set = set.join(", "),
    )
}

/// Tallies as the JSON rows [`upsert`] reads: place, then every counter.
pub fn tally_rows(backend: Backend, tallies: &Tallies) -> String {
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
