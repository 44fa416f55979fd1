//! On SQLite, the review writer's own connection, called directly from the writer's thread.
//!
//! Every call to a sqlx SQLite connection is a message to that connection's thread and back,
//! and each batch was several calls, each a wake-up of a thread that then waited for a core on
//! a busy machine; its statements read their rows from JSON. This connection runs prepared
//! statements row by row on the caller's thread: the batch's reviews and its day counters, in
//! one transaction. It takes the usual case only, a batch of new reviews whose days are all
//! open (see [`super::running`]); the writer sends any other batch, and any batch this
//! connection fails to write, through the store's transaction as before.
//!
//! The screening is the store's own (`screening::screen`), with the fingerprints the store
//! remembers, so a batch decides the same either way.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params, params_from_iter};

use super::aggregates::{COLUMNS, tallies_without_zeros};
use super::reviews::{NewReview, Screening, structured_json};
use super::screening::{first_day, screen};
use crate::domain::questionnaire::CURRENT_VERSION;
use crate::domain::time::{paris_day, to_millis};

/// A connection of its own to the SQLite database, for the review writer.
pub struct SqliteWriter {
    conn: Connection,
    /// [`add_to_day_sql`], written once.
    add_to_day: String,
    /// Reviews stored but not yet filed into their procedures' index.
    unfiled: usize,
    /// When they were last filed.
    filed_at: Instant,
}

/// Reviews waiting to be filed into their procedures' index that are filed at once: a few
/// milliseconds of work, which the requests queued meanwhile wait for.
const FILE_EVERY: usize = 4_096;

/// The longest reviews wait to be filed while the writer is busy.
const FILE_AFTER: Duration = Duration::from_secs(1);

const INSERT_REVIEW: &str = "INSERT INTO reviews (id, button_id, procedure_id, \
     questionnaire_version, day, created_at, updated_at, answers, contact_tried_other, verbatim, \
     edit_token_hash, edit_token_expires_at, redactions, fingerprint, excluded_reason, filed) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0)";

/// Files every review waiting into its procedure's index.
const FILE_REVIEWS: &str = "UPDATE reviews SET filed = 1 WHERE filed = 0";

impl SqliteWriter {
    /// Opens the database `file` (already migrated) with the settings of the store's write
    /// connection as the review writer uses it: commits that do not wait for the disk (the
    /// writer syncs the log before answering, see [`super::Store::sync_log`]) and copy the log
    /// into the database once it holds `checkpoint_pages`.
    pub fn open(file: &Path, cache_mib: u32, checkpoint_pages: u32) -> rusqlite::Result<Self> {
        let conn = Connection::open(file)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -{}; PRAGMA wal_autocheckpoint = {checkpoint_pages};",
            cache_mib * 1024
        ))?;
        // Those a stop without warning left waiting are filed with the next batch's.
        let unfiled: i64 =
            conn.query_row("SELECT COUNT(*) FROM reviews WHERE filed = 0", [], |row| {
                row.get(0)
            })?;
        Ok(SqliteWriter {
            conn,
            add_to_day: add_to_day_sql(),
            unfiled: usize::try_from(unfiled).unwrap_or(usize::MAX),
            filed_at: Instant::now(),
        })
    }

    /// Stores `batch` and moves its day counters in one transaction if every day of the batch
    /// is after the last day closed and the day being closed, if any; returns why each review
    /// does not count, if it does not. Writes nothing and returns `None` if a day is closed or
    /// being closed: the batch must then move running totals too. `last_seen` is the latest
    /// time each fingerprint of the batch was seen before (see `Store::remembered`); `bursting`
    /// tells the bursts (see `screening::bursts`).
    pub fn insert_open_reviews(
        &mut self,
        batch: &[NewReview],
        screening: &Screening,
        bursting: &[bool],
        last_seen: HashMap<String, i64>,
    ) -> rusqlite::Result<Option<Vec<Option<&'static str>>>> {
        let Some(first_day) = first_day(batch) else {
            return Ok(Some(Vec::new()));
        };
        // Taking the write lock first: a closing cannot begin between the check and the writes.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (through, closing): (String, Option<String>) = tx
            .prepare_cached("SELECT day, closing FROM running_counters_through WHERE id = 1")?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        if through >= first_day || closing.is_some_and(|day| day >= first_day) {
            return Ok(None);
        }
        let (reasons, tallies) = screen(batch, screening, bursting, last_seen);
        {
            let mut insert = tx.prepare_cached(INSERT_REVIEW)?;
            for (review, reason) in batch.iter().zip(&reasons) {
                let created_at = to_millis(review.created_at);
                let answers = structured_json(&review.answers)
                    .map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))?;
                insert.execute(params![
                    review.id.to_string(),
                    review.button_id.to_string(),
                    review.procedure_id.to_string(),
                    CURRENT_VERSION,
                    paris_day(review.created_at).to_string(),
                    created_at,
                    answers,
                    review.answers.contact_tried_other,
                    review.answers.verbatim,
                    review.edit_token_hash,
                    to_millis(review.edit_token_expires_at),
                    i64::from(review.redactions),
                    review.fingerprint,
                    reason,
                ])?;
            }
            let mut add = tx.prepare_cached(&self.add_to_day)?;
            for ((procedure, day, button), tally) in &tallies_without_zeros(&tallies) {
                let place =
                    [procedure, day, button].map(|t| rusqlite::types::Value::from(t.clone()));
                let counts = tally.0.iter().map(|&n| rusqlite::types::Value::from(n));
                add.execute(params_from_iter(place.into_iter().chain(counts)))?;
            }
        }
        tx.commit()?;
        self.unfiled = self.unfiled.saturating_add(batch.len());
        Ok(Some(reasons))
    }

    /// Files the reviews this connection stored unfiled into their procedures' index, in one
    /// transaction: each procedure's last leaf is written once for all of them (see migration
    /// `0016_procedure_index_filed_later`). Unless `all`, only if there are many or the oldest
    /// of them may have waited a while. A failure leaves them waiting, where listings still find
    /// them, for the next time.
    pub fn file_reviews(&mut self, all: bool) {
        let due = self.unfiled >= FILE_EVERY
            || (self.unfiled > 0 && self.filed_at.elapsed() >= FILE_AFTER);
        if !(due || all && self.unfiled > 0) {
            return;
        }
        let started = Instant::now();
        match self.file_waiting() {
            Ok(filed) => {
                metrics::histogram!("avis_reviews_filed_seconds")
                    .record(started.elapsed().as_secs_f64());
                tracing::debug!(filed, "reviews filed into their procedures' index");
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot file reviews into their procedures' index");
            }
        }
    }

    fn file_waiting(&mut self) -> rusqlite::Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let filed = tx.prepare_cached(FILE_REVIEWS)?.execute([])?;
        tx.commit()?;
        self.unfiled = 0;
        self.filed_at = Instant::now();
        Ok(filed)
    }
}

/// Adds one tally (place, then every counter, as parameters) to its day's counters.
fn add_to_day_sql() -> String {
    let values: Vec<String> = (4..COLUMNS.len() + 4).map(|i| format!("?{i}")).collect();
    let set: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = daily_counters.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO daily_counters (procedure_id, day, button_id, {}) VALUES (?1, ?2, ?3, {}) \
         ON CONFLICT (procedure_id, day, button_id) DO UPDATE SET {}",
        COLUMNS.join(", "),
        values.join(", "),
        set.join(", ")
    )
}
