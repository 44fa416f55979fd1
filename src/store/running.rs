//! Running totals: per button, every counter summed over all days up to each day, for closed
//! days only.
//!
//! A window is then two reads per button, whatever its length, plus the day counters of the
//! days not yet closed (today, and yesterday until it is closed). The last closed day is
//! stored in `running_counters_through`; every write that moves the counters of a closed day
//! moves its running totals in the same transaction, and a write for a later day moves only the
//! day counters. New reviews are nearly all for today, so a batch writes no running total.
//! [`Store::close_days`], once a day, writes the running totals of the days it closes.
//!
//! Rows after the last closed day (left by an earlier version, say) are read by no one and
//! replaced when their day is closed.

use std::collections::BTreeMap;

use jiff::civil::Date;
use sqlx::{AnyConnection, Row};

use super::aggregates::{COLUMN_LIST, COLUMNS, Tallies};
use super::rows::{self, Counted, Rows, Script, count, counted};
use super::{Backend, Store, StoreError};
use crate::domain::aggregate::Tally;

/// The last closed day (`YYYY-MM-DD`), read inside the caller's transaction. On PostgreSQL the
/// row stays locked for sharing until the transaction ends, so that no node closes a day
/// between this read and the commit of moves it decided to leave to the day counters.
pub async fn closed_through(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let sql = match Backend::of(conn) {
        Backend::Sqlite => "SELECT day FROM running_counters_through",
        Backend::Postgres => "SELECT day FROM running_counters_through FOR SHARE",
    };
    sqlx::query(sql).fetch_one(conn).await?.try_get("day")
}

/// The statements that add the moves of closed days (up to `through`) to the running totals.
pub fn push_moves(script: &mut Script, days: &Tallies, through: &str) {
    let closed: Tallies = days
        .iter()
        .filter(|((_, day, _), _)| day.as_str() <= through)
        .map(|(place, tally)| (place.clone(), *tally))
        .collect();
    if closed.is_empty() {
        return;
    }
    let backend = script.backend();
    let (ranges, ranks) = running_moves(backend, &closed);
    script.push(|n| update_running(backend, n), ranges);
    for rank in ranks {
        script.push(|n| insert_running(backend, n), rank);
    }
}

/// Each button's cumulated moves over the day ranges they apply to (`[procedure, button, from,
/// until, counts…]`, `until` excluded), and the rows of the days moved, first day of each
/// button first (`[procedure, button, day, counts…]`), then the second…
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

/// Running totals from day tallies, for the days up to `through`: for each button, the sum of
/// its days up to each day.
pub fn running_totals(days: &Tallies, through: &str) -> Tallies {
    let mut running = Tallies::new();
    for ((procedure, button), moves) in by_button(days) {
        let mut total = Tally::default();
        for (day, tally) in moves
            .into_iter()
            .take_while(|(day, _)| day.as_str() <= through)
        {
            total.merge(tally);
            running.insert((procedure.clone(), day.clone(), button.clone()), total);
        }
    }
    running
}

/// Rows after the closed days, then the running totals of the days in `($1, $2]` written from
/// their day counters: each button's latest totals up to `$1` plus its days summed in order.
/// Both go through the (small) buttons table, so that each is a few seeks per button.
fn close_sql() -> [String; 2] {
    let forget = "DELETE FROM running_counters WHERE (procedure_id, button_id, day) IN \
         (SELECT r.procedure_id, r.button_id, r.day FROM buttons b CROSS JOIN running_counters r \
         WHERE r.procedure_id = b.procedure_id AND r.button_id = b.id \
         AND r.day > $1 AND r.day <= $2)"
        .to_owned();
    let cells: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("COALESCE(base.{c}, 0) + SUM(d.{c}) OVER days"))
        .collect();
    let write = format!(
        "INSERT INTO running_counters (procedure_id, button_id, day, {columns}) \
         SELECT d.procedure_id, d.button_id, d.day, {cells} \
         FROM buttons b CROSS JOIN daily_counters d \
         LEFT JOIN running_counters base ON base.procedure_id = b.procedure_id \
         AND base.button_id = b.id AND base.day = (SELECT MAX(x.day) FROM running_counters x \
         WHERE x.procedure_id = b.procedure_id AND x.button_id = b.id AND x.day <= $1) \
         WHERE d.procedure_id = b.procedure_id AND d.button_id = b.id \
         AND d.day > $1 AND d.day <= $2 \
         WINDOW days AS (PARTITION BY d.procedure_id, d.button_id ORDER BY d.day \
         ROWS UNBOUNDED PRECEDING)",
        columns = *COLUMN_LIST,
        cells = cells.join(", "),
    );
    [forget, write]
}

impl Store {
    /// Closes every day up to `through`: writes their running totals, after which writes for
    /// them move the running totals too. Returns the day closed before, or `None` when
    /// `through` was already closed. Run once a day by the server, and by `avis seed`.
    #[tracing::instrument(skip(self))]
    pub async fn close_days(&self, through: Date) -> Result<Option<String>, StoreError> {
        let through = through.to_string();
        let mut tx = self.write.begin().await?;
        // On PostgreSQL, waits for the transactions that read the day to commit (their moves
        // of later days are then in the day counters), and holds off those that would read it.
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let closed: String = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT day FROM running_counters_through{lock}"
        )))
        .fetch_one(&mut *tx)
        .await?
        .try_get("day")?;
        if closed >= through {
            return Ok(None);
        }
        for sql in close_sql() {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&closed)
                .bind(&through)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE running_counters_through SET day = $1")
            .bind(&through)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(closed))
    }

    /// The last closed day: see [`Store::close_days`].
    pub async fn closed_through(&self) -> Result<String, StoreError> {
        Ok(sqlx::query("SELECT day FROM running_counters_through")
            .fetch_one(&self.read)
            .await?
            .try_get("day")?)
    }
}
