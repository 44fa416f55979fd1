//! Many new reviews in one transaction: a few statements for the whole batch, whatever its size,
//! each fed its rows as one JSON parameter (see [`super::rows`]). On PostgreSQL, a batch of new
//! reviews for open days is one statement, its own transaction, and most often the batch's only
//! round trip to the server.
//!
//! Duplicate screening sees the reviews already stored and those earlier in the batch, so a batch
//! decides exactly as the same reviews one by one would. Burst screening counts from the
//! caller's memory of what it wrote in the last minute (the writer's, per node): counting rows
//! per button in the database was the largest cost of a batch. See [`super::screening`].

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use sqlx::{AnyConnection, Executor};
use uuid::Uuid;

use super::aggregates::{self, Table, Tallies, Write};
use super::reviews::{NewReview, Screening, StoredReview, Update, amend, structured_json};
use super::rows::{Bound, Cell, Rows, Script, cell, source};
use super::running;
use super::screening::{bursts, fingerprint_rows, first_day, screen, unseen_sql, window_start};
use super::sqlite_writer::SqliteWriter;
use super::{Backend, Store, StoreError};
use crate::domain::aggregate;
use crate::domain::answers::Answers;
use crate::domain::burst::RecentReviews;
use crate::domain::questionnaire::CURRENT_VERSION;
use crate::domain::time::{paris_day, to_millis};

impl Store {
    /// Stores every review of `batch` and moves the counters of those that count, in one
    /// transaction. Returns, in order, why each review does not count, if it does not. Bursts are
    /// looked for within the batch only: the writer uses [`Store::write_batch`] with its memory.
    #[tracing::instrument(skip_all, fields(batch = batch.len()))]
    pub async fn create_reviews(
        &self,
        batch: &[NewReview],
        screening: &Screening,
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        let none: &[Amendment<()>] = &[];
        let mut recent = RecentReviews::default();
        let (reasons, _) = self
            .write_batch(batch, screening, &mut recent, none)
            .await?;
        Ok(reasons)
    }

    /// Stores `batch` as [`Store::create_reviews`] does, then applies each amendment in turn, all
    /// in one transaction. An amendment refused or aimed at no review changes nothing (it runs
    /// under its own savepoint). Returns the creations' exclusion reasons and the amendments'
    /// outcomes, in order.
    pub async fn write_batch<E>(
        &self,
        batch: &[NewReview],
        screening: &Screening,
        recent: &mut RecentReviews,
        amendments: &[Amendment<E>],
    ) -> Result<Written<E>, StoreError> {
        let mut conn = self.write_connection().await?;
        self.write_batch_on(&mut conn, None, batch, screening, recent, amendments)
            .await
    }

    /// [`Store::write_batch`] on a write connection the caller holds (see
    /// [`Store::write_connection`]). On SQLite, a batch of new reviews for open days is written
    /// by `sqlite` if given, the review writer's own connection (see [`super::sqlite_writer`]),
    /// while the caller holds the write connection: no other write of this node comes between.
    #[tracing::instrument(skip_all, fields(batch = batch.len(), amendments = amendments.len()))]
    pub async fn write_batch_on<E>(
        &self,
        conn: &mut AnyConnection,
        sqlite: Option<&mut SqliteWriter>,
        batch: &[NewReview],
        screening: &Screening,
        recent: &mut RecentReviews,
        amendments: &[Amendment<E>],
    ) -> Result<Written<E>, StoreError> {
        // Bursts are counted from memory, once, whatever the writes below try.
        let bursting = bursts(batch, screening, recent);
        self.recall_fingerprints(conn, screening).await?;
        let written = self
            .write_screened(conn, sqlite, batch, screening, &bursting, amendments)
            .await?;
        self.remember(batch);
        Ok(written)
    }

    /// [`Store::write_batch_on`] once the batch's bursts are told by `bursting`.
    async fn write_screened<E>(
        &self,
        conn: &mut AnyConnection,
        sqlite: Option<&mut SqliteWriter>,
        batch: &[NewReview],
        screening: &Screening,
        bursting: &[bool],
        amendments: &[Amendment<E>],
    ) -> Result<Written<E>, StoreError> {
        if let Some(sqlite) = sqlite
            && amendments.is_empty()
            && let Some(last_seen) = self.remembered(batch)
        {
            match sqlite.insert_open_reviews(batch, screening, bursting, last_seen) {
                Ok(Some(reasons)) => return Ok((reasons, Vec::new())),
                // A day closed or being closed: the transaction below moves its running totals.
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "the review writer's connection failed a batch; writing it again in a transaction");
                }
            }
        }
        if self.backend == Backend::Postgres && amendments.is_empty() {
            let reasons = self
                .insert_open_reviews(conn, batch, screening, bursting)
                .await?;
            return Ok((reasons, Vec::new()));
        }
        let mut tx = sqlx::Connection::begin(conn).await?;
        let reasons = self
            .insert_reviews(&mut tx, batch, screening, bursting)
            .await?;
        let mut outcomes = Vec::with_capacity(amendments.len());
        for amendment in amendments {
            let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
            let outcome = amend(
                &mut savepoint,
                amendment.review_id,
                amendment.now,
                amendment.added_redactions,
                |review| (amendment.decide)(review),
            )
            .await?;
            match outcome {
                Update::Done(_) => savepoint.commit().await?,
                Update::NotFound | Update::Refused(_) => savepoint.rollback().await?,
            }
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok((reasons, outcomes))
    }

    /// Stores reviews that all count, for buttons whose reviews all come this way in the order
    /// of time (`avis seed`, on buttons it created): `totals` holds each button's running totals
    /// as counted so far, so the totals of new closed days are written outright instead of
    /// being read, moved and inserted rank by rank in the database. No screening.
    pub async fn load_reviews(
        &self,
        batch: &[NewReview],
        totals: &mut KnownTotals,
    ) -> Result<(), StoreError> {
        let mut days = Tallies::new();
        for review in batch {
            count_new(&mut days, review);
        }
        let mut conn = self.write_connection().await?;
        if self.backend == Backend::Sqlite {
            // Copying the log into the database once per load rather than every 4 MiB of it:
            // a load moves the same index and counter pages again and again.
            conn.execute(sqlx::AssertSqlSafe(format!(
                "PRAGMA wal_autocheckpoint = {LOAD_CHECKPOINT_PAGES}"
            )))
            .await?;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let through = running::moves_through(&mut tx).await?;
        // In parts, all in the one transaction: each statement's rows are held several times
        // over while it runs (the JSON, its copies, the rows it materializes).
        let reasons = vec![None; LOAD_PART.min(batch.len())];
        for part in batch.chunks(LOAD_PART) {
            let mut script = Script::new(self.backend);
            script.push(insert_reviews_sql, review_rows(part, &reasons)?);
            script.run(&mut tx).await?;
        }
        let places: Vec<_> = days.iter().collect();
        for part in places.chunks(LOAD_PART) {
            let mut script = Script::new(self.backend);
            let rows = aggregates::tally_rows(self.backend, part.iter().copied());
            script.push(
                |rows| aggregates::upsert(Table::Days, Write::Add, rows),
                rows,
            );
            script.run(&mut tx).await?;
        }
        // Each day's running totals, button by button in the order of days (the order of
        // `days`), counted as they are written rather than kept for the whole load.
        for part in places.chunks(LOAD_PART) {
            let mut day_totals = Vec::with_capacity(part.len());
            for &(place, tally) in part {
                let (procedure, day, button) = place;
                let total = totals
                    .entry((procedure.clone(), button.clone()))
                    .or_default();
                total.merge(tally);
                if day.as_str() <= through.as_str() {
                    day_totals.push((place, *total));
                }
            }
            let mut script = Script::new(self.backend);
            let rows =
                aggregates::tally_rows(self.backend, day_totals.iter().map(|(p, t)| (*p, t)));
            script.push(
                |rows| aggregates::upsert(Table::Running, Write::Replace, rows),
                rows,
            );
            script.run(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores `batch` in the transaction `tx`: screens it against the reviews stored (read in
    /// `tx`) and `bursting` (see [`bursts`]), then writes the reviews and every counter they
    /// move.
    async fn insert_reviews(
        &self,
        tx: &mut AnyConnection,
        batch: &[NewReview],
        screening: &Screening,
        bursting: &[bool],
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let probed = self.probe(tx, batch, screening, true).await?;
        let (reasons, tallies) = screen(batch, screening, bursting, probed.last_seen);
        decided(
            batch,
            &reasons,
            &tallies,
            &probed.through,
            Script::new(self.backend),
        )?
        .run(tx)
        .await?;
        Ok(reasons)
    }

    /// Stores `batch` on PostgreSQL outside any transaction when its days are all after the last
    /// day closed or being closed (nearly always: they are today). First as if no stored review
    /// of the duplicate window shared a fingerprint with the batch (nearly always true too): one
    /// statement writes the reviews and their day counters if that holds and the days are open.
    /// Otherwise, the probe, then the same statement if the days are open. One round trip to the
    /// server, three at most, where a transaction took five (`BEGIN`, probe, two statements,
    /// `COMMIT`), each of which waited for a turn on a busy machine's CPU. A batch with a day
    /// to close, or overtaken by a closing, is written in a transaction.
    async fn insert_open_reviews(
        &self,
        conn: &mut AnyConnection,
        batch: &[NewReview],
        screening: &Screening,
        bursting: &[bool],
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        let Some(first_day) = first_day(batch) else {
            return Ok(Vec::new());
        };
        if let Some(reasons) = self
            .insert_unseen_reviews(conn, batch, screening, bursting, &first_day)
            .await?
        {
            return Ok(reasons);
        }
        let probed = self.probe(conn, batch, screening, false).await?;
        if probed.through >= first_day {
            let mut tx = sqlx::Connection::begin(conn).await?;
            let reasons = self
                .insert_reviews(&mut tx, batch, screening, bursting)
                .await?;
            tx.commit().await?;
            return Ok(reasons);
        }
        let (reasons, tallies) = screen(batch, screening, bursting, probed.last_seen);
        let script = decided(
            batch,
            &reasons,
            &tallies,
            &probed.through,
            Script::guarded(1),
        )?;
        let guard = running::open_from("TRUE");
        if !script
            .run_if(conn, &guard, &[Cell::from(first_day.as_str())])
            .await?
        {
            // A closing began since the probe: the same decisions, with the moves it asks for.
            let mut tx = sqlx::Connection::begin(conn).await?;
            let through = running::moves_through(&mut tx).await?;
            decided(
                batch,
                &reasons,
                &tallies,
                &through,
                Script::new(self.backend),
            )?
            .run(&mut tx)
            .await?;
            tx.commit().await?;
        }
        Ok(reasons)
    }

    /// The first attempt of [`Store::insert_open_reviews`]: `batch` screened as if no stored
    /// review of the duplicate window shared a fingerprint with it, written by one statement if
    /// that holds and no day from `first_day` on is closed or being closed. Returns the reasons
    /// if it wrote the batch; nothing is written otherwise.
    async fn insert_unseen_reviews(
        &self,
        conn: &mut AnyConnection,
        batch: &[NewReview],
        screening: &Screening,
        bursting: &[bool],
        first_day: &str,
    ) -> Result<Option<Vec<Option<&'static str>>>, StoreError> {
        let (reasons, tallies) = screen(batch, screening, bursting, HashMap::new());
        let script = decided(
            batch,
            &reasons,
            &tallies,
            running::BEFORE_ALL_DAYS,
            Script::guarded(3),
        )?;
        let unseen = unseen_sql(self.backend, 2, 3);
        let fingerprints = fingerprint_rows(batch);
        let values = [
            Cell::from(first_day),
            Cell::from(window_start(batch, screening)),
            Cell::from(fingerprints.as_str()),
        ];
        let written = script
            .run_if(conn, &running::open_from(&unseen), &values)
            .await?;
        Ok(written.then_some(reasons))
    }
}

/// Adds to `script` the statements that store `batch` with the exclusion reasons `reasons` and
/// move the counters of `tallies` (running totals up to `through`).
fn decided(
    batch: &[NewReview],
    reasons: &[Option<&'static str>],
    tallies: &Tallies,
    through: &str,
    mut script: Script,
) -> Result<Script, StoreError> {
    script.push(insert_reviews_sql, review_rows(batch, reasons)?);
    aggregates::push_moves(&mut script, tallies, through);
    Ok(script)
}

/// Adds a new review's answers to its day's tally.
pub(super) fn count_new(days: &mut Tallies, review: &NewReview) {
    let place = (
        review.procedure_id.to_string(),
        paris_day(review.created_at).to_string(),
        review.button_id.to_string(),
    );
    days.entry(place)
        .or_default()
        .add(&aggregate::delta(&Answers::default(), &review.answers));
}

/// Running totals a caller keeps for the buttons only it writes to, by (procedure, button).
pub type KnownTotals = HashMap<(String, String), aggregate::Tally>;

/// What decides a review's new answers from the stored review, or refuses.
pub type Decide<E> = dyn Fn(&StoredReview) -> Result<Answers, E> + Send + Sync;

/// What a batch did: each creation's exclusion reason, each amendment's outcome.
pub type Written<E> = (Vec<Option<&'static str>>, Vec<Update<E>>);

/// A change to a review's answers, decided once the review is read inside the transaction.
pub struct Amendment<E> {
    pub review_id: Uuid,
    pub now: Timestamp,
    pub added_redactions: u32,
    /// Called with the review as stored; may be called again if its batch is retried.
    pub decide: Arc<Decide<E>>,
}

/// Rows written by one statement of [`Store::load_reviews`].
const LOAD_PART: usize = 2_000;

/// The log's size, in pages, past which a commit of [`Store::load_reviews`] copies it into the
/// database (64 MiB; SQLite's default is 1,000 pages).
const LOAD_CHECKPOINT_PAGES: u32 = 16_000;

/// The reviews of a batch as the JSON rows [`insert_reviews_sql`] reads, each with why it does
/// not count, if it does not.
fn review_rows(
    batch: &[NewReview],
    reasons: &[Option<&'static str>],
) -> Result<String, StoreError> {
    let mut reviews = Rows::default();
    for (review, reason) in batch.iter().zip(reasons) {
        let created_at = to_millis(review.created_at);
        let day = paris_day(review.created_at).to_string();
        let (id, button, procedure) = (
            review.id.to_string(),
            review.button_id.to_string(),
            review.procedure_id.to_string(),
        );
        let answers = structured_json(&review.answers)?;
        reviews.push([
            Cell::from(id.as_str()),
            Cell::from(button.as_str()),
            Cell::from(procedure.as_str()),
            Cell::from(CURRENT_VERSION),
            Cell::from(day.as_str()),
            Cell::from(created_at),
            Cell::from(created_at),
            Cell::from(answers.as_str()),
            Cell::from(review.answers.contact_tried_other.as_deref()),
            Cell::from(review.answers.verbatim.as_deref()),
            Cell::from(review.edit_token_hash.as_str()),
            Cell::from(to_millis(review.edit_token_expires_at)),
            Cell::from(i64::from(review.redactions)),
            Cell::from(review.fingerprint.as_deref()),
            Cell::from(*reason),
            Cell::from(review.legacy_id),
        ]);
    }
    Ok(reviews.into_json())
}

/// Inserts the reviews bound as `rows` (written by [`review_rows`]), columns in this order. On
/// PostgreSQL each review is joined to its button, once for the batch, and the statement fails
/// (with a foreign key's SQLSTATE) if a pair (button, procedure) is not a button of that
/// procedure: a foreign key ran a query and took a row lock for every review. SQLite keeps its
/// foreign keys. See `migrations/postgres/0018_buttons_checked_by_each_batch.sql`.
fn insert_reviews_sql(rows: Bound) -> String {
    const COLUMNS: [(&str, &str); 16] = [
        ("id", "TEXT"),
        ("button_id", "TEXT"),
        ("procedure_id", "TEXT"),
        ("questionnaire_version", "BIGINT"),
        ("day", "TEXT"),
        ("created_at", "BIGINT"),
        ("updated_at", "BIGINT"),
        ("answers", "TEXT"),
        ("contact_tried_other", "TEXT"),
        ("verbatim", "TEXT"),
        ("edit_token_hash", "TEXT"),
        ("edit_token_expires_at", "BIGINT"),
        ("redactions", "BIGINT"),
        ("fingerprint", "TEXT"),
        ("excluded_reason", "TEXT"),
        ("legacy_id", "BIGINT"),
    ];
    let names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let mut cells: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| cell(i, ty))
        .collect();
    let mut from = source(rows);
    if rows.backend() == Backend::Postgres {
        let (button, procedure) = (cell(1, "TEXT"), cell(2, "TEXT"));
        cells[1] = format!("COALESCE(b.id, review_names_no_button({button}, {procedure}))");
        from = format!(
            "{from} LEFT JOIN buttons b ON b.id = {button} AND b.procedure_id = {procedure}"
        );
    }
    format!(
        "INSERT INTO reviews ({}) SELECT {} FROM {from}",
        names.join(", "),
        cells.join(", "),
    )
}
