//! Reviews, in batches: one task reads the next batch from the incumbent while this one maps
//! and writes the last, and at most [`AHEAD`] batches wait between them, so memory stays flat
//! whatever the size of the database.
//!
//! Each batch is written through [`Store::create_reviews`], the path of every new review: the
//! reviews and the counters they move (day counters, and running totals of closed days) commit
//! together. An import stopped at any point leaves whole batches only, and the next one goes on
//! after the last review imported (legacy ids follow the incumbent's sequence).

use jiff::Timestamp;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::answers;
use super::catalog::Buttons;
use super::progress::Progress;
use super::source::{Review, Source};
use super::summary::ReviewCounts;
use crate::domain::time::{from_millis, to_millis};
use crate::store::Store;
use crate::store::reviews::{NewReview, Screening};

/// Reviews read and written at a time.
pub const BATCH: i64 = 5_000;

/// Batches read ahead of the writer.
const AHEAD: usize = 2;

/// What the writer needs beside the batches.
pub struct Settings {
    pub write: bool,
    pub contact_retention_days: i64,
    pub now: Timestamp,
}

/// Imports every review after the last one imported, and counts the others.
pub async fn import(
    mut source: Source,
    store: &Store,
    buttons: &Buttons,
    settings: &Settings,
    counts: &mut ReviewCounts,
) -> anyhow::Result<()> {
    let last = store.last_imported_review().await?.unwrap_or(i64::MIN);
    let (before, after) = source.count_reviews(last).await?;
    counts
        .counts
        .skipped("imported_by_an_earlier_run", before as u64);
    let mut progress = Progress::new(after as u64);
    progress.say(&format!(
        "{before} reviews imported by an earlier run, {after} to read"
    ));
    let (send, mut batches) = mpsc::channel::<anyhow::Result<Vec<Review>>>(AHEAD);
    let reader = tokio::spawn(async move {
        let mut from = last;
        loop {
            let batch = source.reviews_after(from, BATCH).await;
            let done = match &batch {
                Ok(reviews) => match reviews.last() {
                    Some(review) => {
                        from = review.id;
                        false
                    }
                    None => true,
                },
                Err(_) => true,
            };
            if send.send(batch).await.is_err() || done {
                break;
            }
        }
    });
    // Imported reviews were screened by the incumbent already: nothing here is a burst, and
    // without fingerprints none is a duplicate.
    let screening = Screening {
        burst_per_minute: i64::MAX,
        ..Screening::default()
    };
    while let Some(batch) = batches.recv().await {
        let batch = batch?;
        if batch.is_empty() {
            break;
        }
        progress.advance(batch.len() as u64);
        let (new, emails) = prepare(&batch, buttons, settings, counts);
        if settings.write && !new.is_empty() {
            store.create_reviews(&new, &screening).await?;
            for (review, email, at) in emails {
                store
                    .save_contact_email(review, &email, at, settings.contact_retention_days)
                    .await?;
            }
        }
    }
    reader.await?;
    progress.finish();
    Ok(())
}

/// Maps a batch: the reviews to write, and the contact addresses still within retention.
fn prepare(
    batch: &[Review],
    buttons: &Buttons,
    settings: &Settings,
    counts: &mut ReviewCounts,
) -> (Vec<NewReview>, Vec<(Uuid, String, Timestamp)>) {
    let mut new = Vec::with_capacity(batch.len());
    let mut emails = Vec::new();
    let retention_ms = settings.contact_retention_days.saturating_mul(86_400_000);
    for review in batch {
        let Some(button) = buttons.get(&review.button_id) else {
            counts.counts.skipped("unknown_button", 1);
            continue;
        };
        let created_at = from_millis(review.created_at);
        let mapped = answers::map(created_at, &review.answers);
        if mapped.answers.satisfaction.is_none() {
            counts.counts.skipped("no_satisfaction_answer", 1);
            continue;
        }
        for reason in &mapped.left_out {
            *counts.answers_left_out.entry(reason).or_default() += 1;
        }
        counts.redactions += u64::from(mapped.redactions);
        let id = review_id(review.created_at);
        if let Some(email) = mapped.contact_email {
            if review.created_at.saturating_add(retention_ms) > to_millis(settings.now) {
                emails.push((id, email, created_at));
                counts.contact_emails_imported += 1;
            } else {
                counts.contact_emails_past_retention += 1;
            }
        }
        new.push(NewReview {
            id,
            button_id: button.id,
            procedure_id: button.procedure_id,
            answers: mapped.answers,
            // No edit token: an imported review can no longer be amended.
            edit_token_hash: "imported".to_owned(),
            edit_token_expires_at: created_at,
            created_at,
            redactions: mapped.redactions,
            fingerprint: None,
            excluded_reason: None,
            legacy_id: Some(review.id),
        });
        counts.counts.imported();
    }
    (new, emails)
}

/// A time-ordered id (UUIDv7) from the review's own creation time, as if made then.
fn review_id(created_at_ms: i64) -> Uuid {
    let ms = u64::try_from(created_at_ms).unwrap_or(0);
    let at = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, (ms % 1000) as u32 * 1_000_000);
    Uuid::new_v7(at)
}
