//! Reviews: created and amended in one transaction with the counters they move.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::aggregates::{self, Cell};
use super::{Store, StoreError, id, placeholders};
use crate::domain::aggregate;
use crate::domain::answers::Answers;
use crate::domain::time::{from_millis, to_millis};

/// A review about to be written for the first time.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub id: Uuid,
    pub button_id: Uuid,
    pub procedure_id: Uuid,
    pub answers: Answers,
    pub edit_token_hash: String,
    pub edit_token_expires_at: Timestamp,
    pub created_at: Timestamp,
    /// Personal data replaced in its texts.
    pub redactions: u32,
    /// The client's keyed hash for the day, to spot duplicates.
    pub fingerprint: Option<String>,
    /// Already known not to count (a filled honeypot field).
    pub excluded_reason: Option<&'static str>,
    /// Its id in the incumbent's database, for a review imported from there.
    pub legacy_id: Option<i64>,
}

/// When a new review is kept out of the indicators.
#[derive(Debug, Clone, Copy)]
pub struct Screening {
    /// Another review from the same client for the same procedure within this many seconds is
    /// a duplicate.
    pub duplicate_window_seconds: i64,
    /// More reviews than this on one button within a minute is a burst.
    pub burst_per_minute: i64,
}

impl Default for Screening {
    fn default() -> Screening {
        Screening {
            duplicate_window_seconds: 3_600,
            burst_per_minute: 6_000,
        }
    }
}

/// A review as stored, for deciding whether and how it may change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredReview {
    pub id: Uuid,
    pub button_id: Uuid,
    pub procedure_id: Uuid,
    pub questionnaire_version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub answers: Answers,
    #[serde(skip)]
    pub edit_token_hash: String,
    #[serde(skip)]
    pub edit_token_expires_at: Timestamp,
    pub excluded_reason: Option<String>,
    /// Personal data replaced in its texts, over its life.
    pub redactions: i64,
    /// When its free texts were purged at the end of their retention.
    pub text_purged_at: Option<Timestamp>,
    /// Its id in the incumbent's database, when it was imported from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_id: Option<i64>,
}

/// What became of a requested update.
pub enum Update<E> {
    NotFound,
    Refused(E),
    Done(Answers),
}

pub(super) const REVIEW_COLUMNS: &str = "id, button_id, procedure_id, questionnaire_version, created_at, \
     updated_at, answers, contact_tried_other, verbatim, edit_token_hash, edit_token_expires_at, \
     excluded_reason, redactions, text_purged_at, legacy_id";

impl Store {
    /// Stores a new review and counts its answers, atomically, unless it is a duplicate or part
    /// of a burst: then it is stored but kept out of the counters. Returns why it does not count.
    pub async fn create_review(
        &self,
        new: &NewReview,
        screening: &Screening,
    ) -> Result<Option<&'static str>, StoreError> {
        let reasons = self
            .create_reviews(std::slice::from_ref(new), screening)
            .await?;
        Ok(reasons.into_iter().next().flatten())
    }

    /// Changes a review's answers if `decide` allows it, moving its counters in the same
    /// transaction. The review's row is locked first, so concurrent updates cannot double-count.
    #[tracing::instrument(skip_all, fields(review = %review_id))]
    pub async fn update_review<E>(
        &self,
        review_id: Uuid,
        now: Timestamp,
        added_redactions: u32,
        decide: impl FnOnce(&StoredReview) -> Result<Answers, E>,
    ) -> Result<Update<E>, StoreError> {
        let mut tx = self.write.begin().await?;
        let outcome = amend(&mut tx, review_id, now, added_redactions, decide).await?;
        match outcome {
            Update::Done(_) => tx.commit().await?,
            Update::NotFound | Update::Refused(_) => tx.rollback().await?,
        }
        Ok(outcome)
    }

    pub async fn find_review(&self, review_id: Uuid) -> Result<Option<StoredReview>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = $1"
        )))
        .bind(review_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(stored_review).transpose()?)
    }

    /// The reviews of these ids that exist, in one query.
    pub async fn find_reviews(&self, ids: &[Uuid]) -> Result<Vec<StoredReview>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE id IN ({})",
            placeholders(1, ids.len())
        )));
        for id in ids {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows
            .iter()
            .map(stored_review)
            .collect::<Result<_, sqlx::Error>>()?)
    }
}

/// Changes a review's answers inside the caller's transaction, if `decide` allows it. On
/// `NotFound` or `Refused` the caller rolls back: the review's `updated_at` was touched.
pub(super) async fn amend<E>(
    conn: &mut AnyConnection,
    review_id: Uuid,
    now: Timestamp,
    added_redactions: u32,
    decide: impl FnOnce(&StoredReview) -> Result<Answers, E>,
) -> Result<Update<E>, StoreError> {
    // Writing first takes the row lock on PostgreSQL and the write lock on SQLite.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE reviews SET updated_at = $1 WHERE id = $2 RETURNING day, {REVIEW_COLUMNS}"
    )))
    .bind(to_millis(now))
    .bind(review_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Update::NotFound);
    };
    let day: String = row.try_get("day")?;
    let current = stored_review(&row)?;
    let next = match decide(&current) {
        Ok(next) => next,
        Err(refusal) => return Ok(Update::Refused(refusal)),
    };
    sqlx::query(
        "UPDATE reviews SET answers = $1, contact_tried_other = $2, verbatim = $3, \
         redactions = redactions + $4 WHERE id = $5",
    )
    .bind(structured_json(&next)?)
    .bind(next.contact_tried_other.clone())
    .bind(next.verbatim.clone())
    .bind(i64::from(added_redactions))
    .bind(review_id.to_string())
    .execute(&mut *conn)
    .await?;
    if current.excluded_reason.is_none() {
        let (procedure_id, button_id) = (
            current.procedure_id.to_string(),
            current.button_id.to_string(),
        );
        let cell = Cell {
            procedure_id: &procedure_id,
            button_id: &button_id,
            day: &day,
        };
        aggregates::apply(conn, &cell, &aggregate::delta(&current.answers, &next)).await?;
    }
    Ok(Update::Done(next))
}

pub(super) fn structured_json(answers: &Answers) -> Result<String, sqlx::Error> {
    serde_json::to_string(&answers.without_texts()).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

pub(super) fn stored_review(row: &sqlx::any::AnyRow) -> Result<StoredReview, sqlx::Error> {
    let structured: String = row.try_get("answers")?;
    let answers = Answers {
        contact_tried_other: row.try_get("contact_tried_other")?,
        verbatim: row.try_get("verbatim")?,
        ..serde_json::from_str(&structured).map_err(|e| sqlx::Error::Decode(Box::new(e)))?
    };
    Ok(StoredReview {
        id: id(row.try_get("id")?)?,
        button_id: id(row.try_get("button_id")?)?,
        procedure_id: id(row.try_get("procedure_id")?)?,
        questionnaire_version: row.try_get("questionnaire_version")?,
        created_at: from_millis(row.try_get("created_at")?),
        updated_at: from_millis(row.try_get("updated_at")?),
        answers,
        edit_token_hash: row.try_get("edit_token_hash")?,
        edit_token_expires_at: from_millis(row.try_get("edit_token_expires_at")?),
        excluded_reason: row.try_get("excluded_reason")?,
        redactions: row.try_get("redactions")?,
        text_purged_at: row
            .try_get::<Option<i64>, _>("text_purged_at")?
            .map(from_millis),
        legacy_id: row.try_get("legacy_id")?,
    })
}
