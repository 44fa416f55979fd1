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
//! A closing writes the running totals one group of buttons at a time, each group in its own
//! short transaction, so that new reviews wait for one group at most, never for the whole
//! closing (on 10 million reviews, closing a day at once held them for half a second, three
//! seconds with a cold cache). While it runs, `running_counters_through.closing` holds the day
//! being closed, and every write that moves a day up to it keeps the running totals of that day
//! and the later ones in step, as for a closed day: the groups already written stay exact, and
//! those still to come are written from the day counters, which hold every move.
//!
//! Rows after the last closed day (those of a closing under way, or left by an earlier version)
//! are read by no one and replaced when their day is closed.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use sqlx::{AnyConnection, Row};

use super::aggregates::{COLUMN_LIST, COLUMNS, Tallies};
use super::rows::{self, Bound, Rows, Script, count, counted};
use super::{Backend, Store, StoreError};
use crate::domain::aggregate::Tally;

/// The last day (`YYYY-MM-DD`) whose running totals a write must move: the last closed day, or
/// the day being closed while a closing is under way. Read inside the caller's transaction; on
/// PostgreSQL the row stays locked for sharing until the transaction ends, so that no closing
/// starts, writes a group of buttons or ends between this read and the commit of the moves it
/// decided on.
pub async fn moves_through(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    sqlx::query(moves_through_sql(Backend::of(conn), true))
        .fetch_one(conn)
        .await?
        .try_get("day")
}

/// The query [`moves_through`] runs (without its lock unless `lock`), for a caller that reads
/// the day along with something else (one round trip less): one row, its column `day`.
pub fn moves_through_sql(backend: Backend, lock: bool) -> &'static str {
    match backend {
        Backend::Postgres if lock => {
            "SELECT CASE WHEN closing > day THEN closing ELSE day END AS day \
             FROM running_counters_through FOR SHARE"
        }
        _ => {
            "SELECT CASE WHEN closing > day THEN closing ELSE day END AS day \
             FROM running_counters_through"
        }
    }
}

/// The guard of a write of days from `$1` on run outside a transaction ([`Script::run_if`]): the
/// row of `running_counters_through` if the last closed day and the day being closed, if any,
/// are both before `$1` (so that the write moves no running totals) and `also` holds (SQL;
/// `TRUE` for nothing more). The row stays locked for sharing until the write commits, as after
/// [`moves_through`]; if a closing changed it meanwhile, the conditions are checked again on the
/// new row.
pub fn open_from(also: &str) -> String {
    format!(
        "SELECT 1 FROM running_counters_through \
         WHERE day < $1 AND (closing IS NULL OR closing < $1) AND ({also}) FOR SHARE"
    )
}

/// Sorts before every `YYYY-MM-DD`: as the last closed day, it makes every day open.
pub const BEFORE_ALL_DAYS: &str = "";

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
    script.push(update_running, ranges);
    for rank in ranks {
        script.push(insert_running, rank);
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
fn update_running(rows: Bound) -> String {
    let backend = rows.backend();
    let set: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = running_counters.{c} + {}", count(backend, i)))
        .collect();
    let with = counted(rows, 4);
    format!(
        "{with}UPDATE running_counters SET {} FROM m \
         WHERE running_counters.procedure_id = m.c0 AND running_counters.button_id = m.c1 \
         AND running_counters.day >= m.c2 AND running_counters.day < m.c3",
        set.join(", "),
    )
}

/// Creates the running totals of days that had none: the button's latest earlier totals (by
/// then up to date) plus the day's moves. Days that had totals were moved by [`update_running`].
fn insert_running(rows: Bound) -> String {
    let backend = rows.backend();
    let cells: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("COALESCE(prev.{c}, 0) + {}", count(backend, i)))
        .collect();
    let with = counted(rows, 3);
    // Days that have totals are skipped before their counts are read; the `WHERE` also keeps
    // SQLite from reading `ON CONFLICT` as a join constraint.
    format!(
        "{with}INSERT INTO running_counters (procedure_id, button_id, day, {columns}) \
         SELECT m.c0, m.c1, m.c2, {cells} FROM m \
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

/// For the buttons whose ids lie in `[$3, $4]`: their rows after the closed days, then their
/// running totals of the days in `($1, $2]` written from their day counters, each button's
/// latest totals up to `$1` plus its days summed in order. Both go through the (small) buttons
/// table, so that each is a few seeks per button. Written once, run for every group.
static CLOSE_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    let forget = "DELETE FROM running_counters WHERE (procedure_id, button_id, day) IN \
         (SELECT r.procedure_id, r.button_id, r.day FROM buttons b CROSS JOIN running_counters r \
         WHERE b.id >= $3 AND b.id <= $4 \
         AND r.procedure_id = b.procedure_id AND r.button_id = b.id \
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
         WHERE b.id >= $3 AND b.id <= $4 \
         AND d.procedure_id = b.procedure_id AND d.button_id = b.id \
         AND d.day > $1 AND d.day <= $2 \
         WINDOW days AS (PARTITION BY d.procedure_id, d.button_id ORDER BY d.day \
         ROWS UNBOUNDED PRECEDING)",
        columns = *COLUMN_LIST,
        cells = cells.join(", "),
    );
    [forget, write]
});

/// Buttons whose running totals one transaction of a closing writes: on 10 million reviews
/// over 2,000 buttons, a day took 0.5 s for every button at once (3 s with a cold cache).
pub const BUTTONS_PER_GROUP: usize = 64;

/// What a closing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The last closed day before it.
    pub from: String,
    /// Groups of buttons written, each in its own transaction.
    pub groups: usize,
    /// The longest of those transactions: the longest that writes waited for it.
    pub longest_group: Duration,
}

/// A closing under way: the day it closes through, and its groups of buttons (the first and
/// last id of each).
#[derive(Debug)]
pub struct Closing {
    through: String,
    groups: Vec<(String, String)>,
}

impl Closing {
    /// How many groups of buttons it writes.
    pub fn groups(&self) -> usize {
        self.groups.len()
    }
}

/// Reads the last closed day and, on PostgreSQL, locks its row until the transaction ends:
/// waits for the writes that read it to commit (their moves are then in the counters) and
/// holds off those that would read it.
async fn lock_closed(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let sql = match Backend::of(conn) {
        Backend::Sqlite => "SELECT day FROM running_counters_through",
        Backend::Postgres => "SELECT day FROM running_counters_through FOR UPDATE",
    };
    sqlx::query(sql).fetch_one(conn).await?.try_get("day")
}

impl Store {
    /// Closes every day up to `through`: writes their running totals, after which writes for
    /// them move the running totals too. Returns `None` when `through` was already closed (by
    /// another node, say). Run once a day by the server, and by `avis seed`.
    pub async fn close_days(&self, through: Date) -> Result<Option<Closed>, StoreError> {
        self.close_days_by(through, BUTTONS_PER_GROUP).await
    }

    /// [`Store::close_days`], writing the running totals of `per_group` buttons per transaction.
    /// A closing cut short (a crash, an error) is done again by the next one.
    #[tracing::instrument(skip(self))]
    pub async fn close_days_by(
        &self,
        through: Date,
        per_group: usize,
    ) -> Result<Option<Closed>, StoreError> {
        let Some(closing) = self.start_closing(through, per_group).await? else {
            return Ok(None);
        };
        let mut longest_group = Duration::ZERO;
        for group in 0..closing.groups() {
            let started = Instant::now();
            if !self.close_group(&closing, group).await? {
                return Ok(None);
            }
            longest_group = longest_group.max(started.elapsed());
        }
        let groups = closing.groups();
        Ok(self.finish_closing(closing).await?.map(|from| Closed {
            from,
            groups,
            longest_group,
        }))
    }

    /// Starts closing the days up to `through`, `per_group` buttons at a time: from here on,
    /// writes for days up to `through` keep the running totals written for them in step. `None`
    /// when `through` is already closed.
    pub async fn start_closing(
        &self,
        through: Date,
        per_group: usize,
    ) -> Result<Option<Closing>, StoreError> {
        let through = through.to_string();
        let mut tx = self.write.begin().await?;
        if lock_closed(&mut tx).await? >= through {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE running_counters_through SET closing = $1 \
             WHERE closing IS NULL OR closing < $1",
        )
        .bind(&through)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Buttons created from now on have no reviews on the days being closed.
        let buttons: Vec<String> = sqlx::query_scalar("SELECT id FROM buttons ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        let groups = buttons
            .chunks(per_group.max(1))
            .map(|group| (group[0].clone(), group[group.len() - 1].clone()))
            .collect();
        Ok(Some(Closing { through, groups }))
    }

    /// Writes the running totals of group `group` of `closing` from the day counters, in one
    /// transaction. `false` when the days are closed already (by another node, say).
    pub async fn close_group(&self, closing: &Closing, group: usize) -> Result<bool, StoreError> {
        let (first, last) = &closing.groups[group];
        let mut tx = self.write.begin().await?;
        let closed = lock_closed(&mut tx).await?;
        if closed >= closing.through {
            return Ok(false);
        }
        for sql in CLOSE_SQL.iter() {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&closed)
                .bind(&closing.through)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Moves the last closed day to the closing's, once every group is written. Returns the
    /// last closed day before, or `None` when the days are closed already.
    pub async fn finish_closing(&self, closing: Closing) -> Result<Option<String>, StoreError> {
        let mut tx = self.write.begin().await?;
        let from = lock_closed(&mut tx).await?;
        if from >= closing.through {
            return Ok(None);
        }
        // A closing of later days, started meanwhile by another node, goes on.
        sqlx::query(
            "UPDATE running_counters_through SET day = $1, \
             closing = CASE WHEN closing > $1 THEN closing END",
        )
        .bind(&closing.through)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(from))
    }

    /// The last closed day: see [`Store::close_days`].
    pub async fn closed_through(&self) -> Result<String, StoreError> {
        Ok(sqlx::query("SELECT day FROM running_counters_through")
            .fetch_one(&self.read)
            .await?
            .try_get("day")?)
    }
}
