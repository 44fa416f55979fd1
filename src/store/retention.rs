//! Retention: free texts go after their retention period, client fingerprints after a day;
//! answers, counts and indicators stay.

use jiff::Timestamp;

use super::{Store, StoreError};
use crate::domain::time::{after_seconds, to_millis};

/// What one purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Reviews whose free texts were removed.
    pub texts: u64,
    /// Reviews whose fingerprint was cleared.
    pub fingerprints: u64,
    /// Contact email addresses deleted at the end of their retention.
    pub contacts: u64,
}

/// How long a fingerprint is kept: its salt lives one day.
const FINGERPRINT_SECONDS: i64 = 24 * 3_600;

/// Reviews purged per transaction.
const PURGE_SLICE: i64 = 2_000;

impl Store {
    /// Removes free texts of reviews created more than `retention_days` before `now`, and
    /// fingerprints older than a day.
    #[tracing::instrument(skip(self))]
    pub async fn purge(&self, now: Timestamp, retention_days: i64) -> Result<Purged, StoreError> {
        let text_cutoff = to_millis(after_seconds(now, -retention_days * 86_400));
        // In slices, each its own transaction: the review writer waits for the write
        // connection at most one slice long, however much there is to purge.
        let mut texts = 0;
        loop {
            let purged = sqlx::query(
                "UPDATE reviews SET verbatim = NULL, contact_tried_other = NULL, text_purged_at = $1 \
                 WHERE id IN (SELECT id FROM reviews WHERE created_at < $2 \
                 AND (verbatim IS NOT NULL OR contact_tried_other IS NOT NULL) LIMIT $3)",
            )
            .bind(to_millis(now))
            .bind(text_cutoff)
            .bind(PURGE_SLICE)
            .execute(&self.write)
            .await?
            .rows_affected();
            texts += purged;
            if purged < PURGE_SLICE as u64 {
                break;
            }
        }
        let fingerprints = sqlx::query("UPDATE reviews SET fingerprint = NULL WHERE fingerprint IS NOT NULL AND created_at < $1")
            .bind(to_millis(after_seconds(now, -FINGERPRINT_SECONDS)))
            .execute(&self.write)
            .await?
            .rows_affected();
        let contacts = self.purge_contact_emails(now).await?;
        Ok(Purged {
            texts,
            fingerprints,
            contacts,
        })
    }
}
