//! Screening a batch of new reviews: bursts counted from the writer's memory, duplicates
//! looked for among the reviews stored in the window (on PostgreSQL read by one query, the
//! probe; on SQLite remembered, see [`crate::domain::duplicates`]) and those earlier in the
//! batch, so a batch decides exactly as the same reviews one by one would.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use super::aggregates::Tallies;
use super::batch::count_new;
use super::reviews::{NewReview, Screening};
use super::rows::{Bound, Cell, Rows, cell, source};
use super::running;
use super::{Backend, Store, StoreError};
use crate::domain::burst::RecentReviews;
use crate::domain::duplicates::{REMEMBERED_FINGERPRINTS, RecentFingerprints};
use crate::domain::time::{paris_day, to_millis};

impl Store {
    /// Reads, in one round trip, the last day whose running totals a write must move (locking it
    /// for sharing on PostgreSQL if `lock`, see [`running::moves_through`]) and the latest stored
    /// review of each fingerprint of `batch` within the duplicate window.
    pub(super) async fn probe(
        &self,
        conn: &mut AnyConnection,
        batch: &[NewReview],
        screening: &Screening,
        lock: bool,
    ) -> Result<Probed, StoreError> {
        // SQLite remembers the window's fingerprints; only the last day closed is read.
        if let Some(last_seen) = self.remembered(batch) {
            let through = sqlx::query(running::moves_through_sql(self.backend, lock))
                .fetch_one(&mut *conn)
                .await?
                .try_get("day")?;
            return Ok(Probed { through, last_seen });
        }
        // One index probe per fingerprint: written as `IN (…)`, PostgreSQL chose to scan every
        // review of the window and hash them instead. Only the fingerprints seen before come
        // back, usually none.
        let sql = format!(
            "WITH through AS ({}) \
             SELECT t.day AS through, seen.fingerprint, seen.last FROM through t LEFT JOIN (\
             SELECT fingerprint, last FROM (SELECT f.fingerprint, (SELECT MAX(r.created_at) \
             FROM reviews r WHERE r.fingerprint = f.fingerprint AND r.created_at >= $1) AS last \
             FROM (SELECT DISTINCT {} AS fingerprint FROM {}) AS f) AS probed \
             WHERE last IS NOT NULL) AS seen ON TRUE",
            running::moves_through_sql(self.backend, lock),
            cell(0, "TEXT"),
            source(Bound::at(self.backend, 2))
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(window_start(batch, screening))
            .bind(fingerprint_rows(batch))
            .fetch_all(&mut *conn)
            .await?;
        let mut through = None;
        let mut last_seen = HashMap::new();
        for row in rows {
            through = Some(row.try_get::<String, _>("through")?);
            if let Some(fingerprint) = row.try_get::<Option<String>, _>("fingerprint")? {
                last_seen.insert(fingerprint, row.try_get("last")?);
            }
        }
        // No row at all would mean no `running_counters_through`: fail rather than screen
        // without the probe's answers.
        let through = through.ok_or(sqlx::Error::RowNotFound)?;
        Ok(Probed { through, last_seen })
    }

    /// On SQLite, reads back once the fingerprints of the duplicate window as of now, in the
    /// order they came, for [`Store::remembered`]; later, widens the window remembered to
    /// `screening`'s if it is longer.
    pub(super) async fn recall_fingerprints(
        &self,
        conn: &mut AnyConnection,
        screening: &Screening,
    ) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let window = screening.duplicate_window_seconds;
        if let Some(recent) = self.lock_fingerprints().as_mut() {
            recent.widen(window);
            return Ok(());
        }
        let since = RecentFingerprints::horizon(window, to_millis(Timestamp::now()));
        let mut recent = RecentFingerprints::new(window, REMEMBERED_FINGERPRINTS);
        let mut rows = sqlx::query(
            "SELECT fingerprint, created_at FROM reviews \
             WHERE fingerprint IS NOT NULL AND created_at >= $1 ORDER BY created_at",
        )
        .bind(since)
        .fetch(&mut *conn);
        let mut forgotten = 0;
        while let Some(row) = rows.try_next().await? {
            let fingerprint: String = row.try_get("fingerprint")?;
            forgotten += recent.record(&fingerprint, row.try_get("created_at")?);
        }
        drop(rows);
        count_forgotten(forgotten);
        tracing::info!(
            fingerprints = recent.len(),
            "fingerprints of the duplicate window read back"
        );
        *self.lock_fingerprints() = Some(recent);
        Ok(())
    }

    /// On SQLite, the latest time each fingerprint of `batch` was seen, from memory (see
    /// [`Store::recall_fingerprints`]); `None` elsewhere.
    pub(super) fn remembered(&self, batch: &[NewReview]) -> Option<HashMap<String, i64>> {
        let memory = self.lock_fingerprints();
        let recent = memory.as_ref()?;
        Some(
            batch
                .iter()
                .filter_map(|r| r.fingerprint.as_ref())
                .filter_map(|f| Some((f.clone(), recent.last_seen(f)?)))
                .collect(),
        )
    }

    /// On SQLite, remembers the fingerprints of `batch` once it is written.
    pub(super) fn remember(&self, batch: &[NewReview]) {
        let mut memory = self.lock_fingerprints();
        let Some(recent) = memory.as_mut() else {
            return;
        };
        let forgotten: usize = batch
            .iter()
            .filter_map(|r| Some(recent.record(r.fingerprint.as_ref()?, to_millis(r.created_at))))
            .sum();
        drop(memory);
        count_forgotten(forgotten);
    }

    fn lock_fingerprints(&self) -> std::sync::MutexGuard<'_, Option<RecentFingerprints>> {
        // Nothing panics while it is held; a poisoned lock still holds sound fingerprints.
        self.fingerprints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Counts and reports fingerprints forgotten before the end of their window.
fn count_forgotten(forgotten: usize) {
    if forgotten > 0 {
        metrics::counter!("avis_fingerprints_forgotten_total").increment(forgotten as u64);
        tracing::warn!(
            forgotten,
            capacity = REMEMBERED_FINGERPRINTS,
            "too many clients in the duplicate window: the oldest fingerprints were forgotten early"
        );
    }
}

/// A condition that holds if no stored review from parameter `since` (milliseconds) on has one
/// of the fingerprints bound as JSON rows at parameter `fingerprints` (see [`fingerprint_rows`]):
/// one index probe per fingerprint, as in the probe, stopping at the first review found
/// (PostgreSQL: SQLite has no `LATERAL`).
pub(super) fn unseen_sql(backend: Backend, since: usize, fingerprints: usize) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT {} AS fingerprint FROM {}) AS f \
         CROSS JOIN LATERAL (SELECT 1 FROM reviews r WHERE r.fingerprint = f.fingerprint \
         AND r.created_at >= ${since} LIMIT 1) AS seen)",
        cell(0, "TEXT"),
        source(Bound::at(backend, fingerprints)),
    )
}

/// What screening a batch reads from the database (see [`Store::probe`]).
pub(super) struct Probed {
    pub through: String,
    /// The latest stored review of each fingerprint, in milliseconds.
    pub last_seen: HashMap<String, i64>,
}

/// Counts each review of `batch` in `recent` (the reviews of its button in the minute before it,
/// which `recent` then learns): whether it comes in a burst.
pub(super) fn bursts(
    batch: &[NewReview],
    screening: &Screening,
    recent: &mut RecentReviews,
) -> Vec<bool> {
    if screening.burst_per_minute == i64::MAX {
        return vec![false; batch.len()];
    }
    batch
        .iter()
        .map(|review| {
            let at = to_millis(review.created_at);
            recent.count_and_record(review.button_id, at, screening.burst_per_minute)
                >= screening.burst_per_minute
        })
        .collect()
}

/// Decides why each review of `batch` does not count, if it does not, and tallies those that
/// count. Duplicates are looked for among the reviews of `last_seen` (the latest stored review
/// of each fingerprint) and those earlier in the batch; `bursting` tells the bursts.
pub(super) fn screen(
    batch: &[NewReview],
    screening: &Screening,
    bursting: &[bool],
    mut last_seen: HashMap<String, i64>,
) -> (Vec<Option<&'static str>>, Tallies) {
    let window = screening.duplicate_window_seconds * 1_000;
    let mut reasons = Vec::with_capacity(batch.len());
    let mut tallies = Tallies::new();
    for (review, bursting) in batch.iter().zip(bursting) {
        let at = to_millis(review.created_at);
        let mut reason = review.excluded_reason;
        if let Some(fingerprint) = &review.fingerprint {
            if reason.is_none()
                && last_seen
                    .get(fingerprint)
                    .is_some_and(|last| *last >= at - window)
            {
                reason = Some("duplicate");
            }
            last_seen.insert(fingerprint.clone(), at);
        }
        if reason.is_none() && *bursting {
            reason = Some("burst");
        }
        if reason.is_none() {
            count_new(&mut tallies, review);
        }
        reasons.push(reason);
    }
    (reasons, tallies)
}

/// The day (`YYYY-MM-DD`, Paris time) of the oldest review of `batch`: days follow times, so no
/// review of the batch is of an earlier day. `None` for an empty batch.
pub(super) fn first_day(batch: &[NewReview]) -> Option<String> {
    let oldest = batch.iter().map(|r| r.created_at).min()?;
    Some(paris_day(oldest).to_string())
}

/// The first moment of the duplicate window of the oldest review of `batch`, in milliseconds.
pub(super) fn window_start(batch: &[NewReview], screening: &Screening) -> i64 {
    let oldest = batch
        .iter()
        .map(|r| to_millis(r.created_at))
        .min()
        .unwrap_or_default();
    oldest - screening.duplicate_window_seconds * 1_000
}

/// The fingerprints of `batch`, as JSON rows of one cell.
pub(super) fn fingerprint_rows(batch: &[NewReview]) -> String {
    let mut fingerprints = Rows::default();
    for fingerprint in batch.iter().filter_map(|r| r.fingerprint.as_deref()) {
        fingerprints.push([Cell::from(fingerprint)]);
    }
    fingerprints.into_json()
}
