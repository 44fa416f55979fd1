//! Many new reviews in one transaction: a few statements for the whole batch, whatever its size.
//!
//! Duplicate screening sees the reviews already stored and those earlier in the batch, so a batch
//! decides exactly as the same reviews one by one would. Burst screening counts from the
//! caller's memory of what it wrote in the last minute (the writer's, per node): counting rows
//! per button in the database was the largest cost of a batch.

use std::collections::HashMap;

use sqlx::Row;

use std::sync::Arc;

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use super::aggregates::{self, Tallies};
use super::reviews::{NewReview, Screening, StoredReview, Update, amend, structured_json};
use super::{Store, StoreError, parameter, placeholders};
use crate::domain::aggregate;
use crate::domain::answers::Answers;
use crate::domain::burst::RecentReviews;
use crate::domain::questionnaire::CURRENT_VERSION;
use crate::domain::time::{paris_day, to_millis};

/// Rows per multi-row statement: far below both engines' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

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
    #[tracing::instrument(skip_all, fields(batch = batch.len(), amendments = amendments.len()))]
    pub async fn write_batch<E>(
        &self,
        batch: &[NewReview],
        screening: &Screening,
        recent: &mut RecentReviews,
        amendments: &[Amendment<E>],
    ) -> Result<Written<E>, StoreError> {
        let mut tx = self.write.begin().await?;
        let reasons = self
            .insert_reviews(&mut tx, batch, screening, recent)
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

    async fn insert_reviews(
        &self,
        tx: &mut AnyConnection,
        batch: &[NewReview],
        screening: &Screening,
        recent: &mut RecentReviews,
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let window = screening.duplicate_window_seconds * 1_000;
        let oldest = batch
            .iter()
            .map(|r| to_millis(r.created_at))
            .min()
            .unwrap_or_default();

        // The latest review of each fingerprint in the batch, among those already stored.
        let mut last_seen: HashMap<String, i64> = HashMap::new();
        let fingerprints: Vec<&String> = batch
            .iter()
            .filter_map(|r| r.fingerprint.as_ref())
            .collect();
        for chunk in fingerprints.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT fingerprint, MAX(created_at) AS last FROM reviews WHERE created_at >= {} \
                 AND fingerprint IN {} GROUP BY fingerprint",
                parameter(self.backend, 1),
                placeholders(self.backend, 2, 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(oldest - window);
            for fingerprint in chunk {
                query = query.bind(fingerprint.as_str());
            }
            for row in query.fetch_all(&mut *tx).await? {
                last_seen.insert(row.try_get("fingerprint")?, row.try_get("last")?);
            }
        }
        let bursts_matter = screening.burst_per_minute < i64::MAX;
        let mut reasons = Vec::with_capacity(batch.len());
        let mut tallies = Tallies::new();
        for review in batch {
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
            if bursts_matter {
                let seen =
                    recent.count_and_record(review.button_id, at, screening.burst_per_minute);
                if reason.is_none() && seen >= screening.burst_per_minute {
                    reason = Some("burst");
                }
            }
            if reason.is_none() {
                let place = (
                    review.procedure_id.to_string(),
                    paris_day(review.created_at).to_string(),
                    review.button_id.to_string(),
                );
                tallies
                    .entry(place)
                    .or_default()
                    .add(&aggregate::delta(&Answers::default(), &review.answers));
            }
            reasons.push(reason);
        }

        for (chunk, chunk_reasons) in batch
            .chunks(ROWS_PER_STATEMENT)
            .zip(reasons.chunks(ROWS_PER_STATEMENT))
        {
            let sql = format!(
                "INSERT INTO reviews (id, button_id, procedure_id, questionnaire_version, day, created_at, \
                 updated_at, answers, contact_tried_other, verbatim, edit_token_hash, edit_token_expires_at, \
                 redactions, fingerprint, excluded_reason) VALUES {}",
                placeholders(self.backend, 1, chunk.len(), 15)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (review, reason) in chunk.iter().zip(chunk_reasons) {
                query = query
                    .bind(review.id.to_string())
                    .bind(review.button_id.to_string())
                    .bind(review.procedure_id.to_string())
                    .bind(CURRENT_VERSION)
                    .bind(paris_day(review.created_at).to_string())
                    .bind(to_millis(review.created_at))
                    .bind(to_millis(review.created_at))
                    .bind(structured_json(&review.answers)?)
                    .bind(review.answers.contact_tried_other.clone())
                    .bind(review.answers.verbatim.clone())
                    .bind(review.edit_token_hash.clone())
                    .bind(to_millis(review.edit_token_expires_at))
                    .bind(i64::from(review.redactions))
                    .bind(review.fingerprint.clone())
                    .bind(*reason);
            }
            query.execute(&mut *tx).await?;
        }
        aggregates::add(tx, &tallies).await?;
        Ok(reasons)
    }
}

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
