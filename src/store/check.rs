//! Consistency of the counters with the reviews they count, and the repair of any drift.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sqlx::{AnyConnection, Row};

use super::aggregates::{self, COLUMN_LIST, Place, Table, Tallies, Write};
use super::reviews::stored_review;
use super::running::running_totals;
use super::{Backend, Store, StoreError};
use crate::domain::aggregate::{self, Tally};
use crate::domain::answers::Answers;

/// A counter's key: procedure, day, button, question, value.
type CounterKey = (String, String, String, String, String);

/// What a recomputation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Reviews read.
    pub reviews: u64,
    /// Counters whose stored count differs from the recomputed one: (key, stored, expected).
    pub differences: Vec<(CounterKey, i64, i64)>,
    /// Reviews whose button is not a button of their procedure: avis refuses to write them, so
    /// they were written by hand. Not repaired.
    pub orphans: u64,
}

impl Store {
    /// Recomputes every counter, by day and running totals of closed days, from the reviews that
    /// count and compares with the tables, and counts the reviews that name no button of their
    /// procedure. With `repair`, rewrites the counter rows that differ, in one transaction.
    ///
    /// Procedure by procedure, each read in one transaction (the reviews and the counters of
    /// the same moment): memory holds one procedure's counters, not the whole database's
    /// (ten million imported reviews over 4,000 buttons and five years took 10 GB at once).
    pub async fn check_counters(&self, repair: bool) -> Result<Drift, StoreError> {
        let through = self.closed_through().await?;
        let procedures: Vec<String> = sqlx::query_scalar("SELECT id FROM procedures ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        let mut reviews = 0;
        let (mut daily, mut running) = (Vec::new(), Vec::new());
        let scopes = procedures
            .iter()
            .map(|p| Scope::Procedure(p))
            .chain([Scope::Unknown]);
        for scope in scopes {
            let mut tx = self.read.begin().await?;
            if self.backend == Backend::Postgres {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            let (read, expected) = expected_tallies(&mut tx, self.backend, scope).await?;
            reviews += read;
            let stored = stored_tallies(&mut tx, Table::Days, scope).await?;
            daily.extend(compare(&stored, &expected));
            let stored = stored_tallies(&mut tx, Table::Running, scope).await?;
            running.extend(compare_running(&stored, &expected, &through));
            tx.rollback().await?;
        }

        let mut differences = Vec::new();
        for (place, stored, want) in daily.iter().chain(&running) {
            for ((key, stored), want) in aggregate::ALL.iter().zip(stored.0).zip(want.0) {
                if stored != want {
                    let (procedure, period, button) = place.clone();
                    let counter = (procedure, period, button, key.0.to_owned(), key.1.clone());
                    differences.push((counter, stored, want));
                }
            }
        }
        if repair && !differences.is_empty() {
            let mut tx = self.write.begin().await?;
            for (table, drifted) in [(Table::Days, daily), (Table::Running, running)] {
                let rows = drifted.into_iter().map(|(place, _, want)| (place, want));
                aggregates::write(&mut tx, table, &rows.collect(), Write::Replace).await?;
            }
            tx.commit().await?;
        }
        let orphans: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM buttons b \
             WHERE b.id = r.button_id AND b.procedure_id = r.procedure_id)",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(Drift {
            reviews,
            differences,
            orphans: u64::try_from(orphans).unwrap_or_default(),
        })
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

/// The rows a pass of the check reads: one procedure's, or those of procedures that do not
/// exist (written by hand; their counters differ from zero).
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Procedure(&'a str),
    Unknown,
}

impl Scope<'_> {
    /// The condition on `procedure_id`, and its value if it takes one.
    fn condition(self) -> (&'static str, Option<String>) {
        match self {
            Scope::Procedure(id) => ("procedure_id = $1", Some(id.to_owned())),
            Scope::Unknown => ("procedure_id NOT IN (SELECT id FROM procedures)", None),
        }
    }
}

/// A scope's tallies recomputed from its reviews that count, and how many they are: on SQLite,
/// those filed in their procedure's index and those waiting to be (migration 16), each through
/// its own index.
async fn expected_tallies(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: Scope<'_>,
) -> Result<(u64, Tallies), StoreError> {
    let (condition, value) = scope.condition();
    let select = format!(
        "SELECT day, {} FROM reviews WHERE {condition} AND excluded_reason IS NULL",
        super::reviews::REVIEW_COLUMNS
    );
    // On PostgreSQL every review is filed at once, and one index serves both.
    let query = match backend {
        Backend::Sqlite => format!("{select} AND filed = 1 UNION ALL {select} AND filed = 0"),
        Backend::Postgres => select,
    };
    let mut expected = Tallies::new();
    let mut reviews = 0;
    let mut query = sqlx::query(sqlx::AssertSqlSafe(query));
    if let Some(value) = value {
        query = query.bind(value);
    }
    let mut rows = query.fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let day: String = row.try_get("day")?;
        let review = stored_review(&row)?;
        reviews += 1;
        let place = (
            review.procedure_id.to_string(),
            day,
            review.button_id.to_string(),
        );
        expected
            .entry(place)
            .or_default()
            .add(&aggregate::delta(&Answers::default(), &review.answers));
    }
    Ok((reviews, expected))
}

/// A scope's rows of one counter table.
async fn stored_tallies(
    conn: &mut AnyConnection,
    table: Table,
    scope: Scope<'_>,
) -> Result<Tallies, StoreError> {
    let (condition, value) = scope.condition();
    let mut stored = Tallies::new();
    let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT procedure_id, day, button_id, {} FROM {} WHERE {condition}",
        *COLUMN_LIST,
        table.name()
    )));
    if let Some(value) = value {
        query = query.bind(value);
    }
    let mut rows = query.fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let place = (
            row.try_get("procedure_id")?,
            row.try_get("day")?,
            row.try_get("button_id")?,
        );
        stored.insert(place, aggregates::tally(&row)?);
    }
    Ok(stored)
}

/// The rows whose stored tally differs from the expected one: (place, stored, expected). A row
/// missing on either side counts as all zeros.
fn compare(stored: &Tallies, expected: &Tallies) -> Vec<(Place, Tally, Tally)> {
    let zero = Tally::default();
    let places: BTreeSet<&Place> = stored.keys().chain(expected.keys()).collect();
    places
        .into_iter()
        .filter_map(|place| {
            let have = stored.get(place).unwrap_or(&zero);
            let want = expected.get(place).unwrap_or(&zero);
            (have != want).then(|| (place.clone(), *have, *want))
        })
        .collect()
}

/// The running totals of closed days (up to `through`) whose stored value differs from the one
/// recomputed from `days`: a stored row must hold its button's totals as of its day (a day whose
/// reviews were all excluded keeps a row equal to the one before); a closed day with counted
/// reviews must have its row. Rows of later days are read by no one (see [`super::running`]).
fn compare_running(stored: &Tallies, days: &Tallies, through: &str) -> Vec<(Place, Tally, Tally)> {
    let mut expected: BTreeMap<(&String, &String), BTreeMap<&String, Tally>> = BTreeMap::new();
    let running = running_totals(days, through);
    for ((procedure, day, button), total) in &running {
        expected
            .entry((procedure, button))
            .or_default()
            .insert(day, *total);
    }
    let zero = Tally::default();
    let mut differences = Vec::new();
    let closed = stored
        .iter()
        .filter(|((_, day, _), _)| day.as_str() <= through);
    for (place, have) in closed {
        let (procedure, day, button) = place;
        let want = expected
            .get(&(procedure, button))
            .and_then(|days| days.range::<&String, _>(..=day).next_back())
            .map_or(zero, |(_, total)| *total);
        if *have != want {
            differences.push((place.clone(), *have, want));
        }
    }
    for (place, want) in running {
        if !stored.contains_key(&place) {
            differences.push((place, zero, want));
        }
    }
    differences
}
