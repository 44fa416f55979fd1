//! Reviews, in batches: a reader takes the next batch from the incumbent while the writer maps
//! and writes the last, both in one task, and at most [`AHEAD`] batches wait between them, so
//! memory stays flat whatever the size of the database.
//!
//! Batches are written in groups of at least [`GROUP`] reviews, each group through the store with
//! the counters it moves (day counters, and running totals of closed days), in one transaction:
//! a group moves index and counter pages all over the database, and each is written once per
//! commit (40,000 a transaction instead of 10,000 took 1 million reviews from 84 s to 58 s). Reviews come nearly in the order of time (legacy
//! ids follow the incumbent's sequence), so most go through [`Store::load_reviews`], which writes
//! each button's running totals outright from what this import has counted so far: moving every
//! later day's totals in the database, as a late review must, took the rate from 6,600 down to
//! 3,500 reviews a second within the first million. A review of an earlier day than its button's
//! last one (ids and times cross at midnight; reviews of a later import may be older than those
//! avis received since) goes through [`Store::create_reviews`], the path of every new review,
//! which moves the later totals. A group is written in several steps (bulk, late reviews,
//! contact addresses, notes), so an import stopped between two leaves part of a group: the next
//! one reads the whole last group again (from the review imported `GROUP + BATCH` before the
//! last one), writes what it lacks and skips the reviews already imported.

use jiff::Timestamp;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::answers;
use super::catalog::{Buttons, Target};
use super::progress::Progress;
use super::source::{Review, Source};
use super::summary::ReviewCounts;
use crate::domain::aggregate::{Tally, delta};
use crate::domain::answers::Answers;
use crate::domain::observatory::apart;
use crate::domain::time::{from_millis, paris_day, to_millis};
use crate::store::Store;
use crate::store::legacy::ImportedTotals;
use crate::store::reviews::{NewReview, Screening};

/// Reviews read and written at a time.
pub const BATCH: i64 = 10_000;

/// Reviews written in one transaction, at least (batches are read until they make as many): the
/// same counter and index pages move once for all of them instead of once per batch.
const GROUP: usize = 40_000;

/// Batches read ahead of the writer.
const AHEAD: usize = 1;

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
    let last = store.last_imported_review().await?;
    // The last group written may lack what goes beside its reviews: it is read again whole. It
    // holds fewer than GROUP + BATCH reviews, all of larger ids than any earlier group's.
    let from = store
        .imported_review_back(GROUP as i64 + BATCH)
        .await?
        .unwrap_or(i64::MIN);
    let (before, after) = source.count_reviews(from).await?;
    counts
        .counts
        .skipped("imported_by_an_earlier_run", before as u64);
    let mut progress = Progress::new(after as u64);
    progress.say(&format!(
        "{before} reviews imported by an earlier run, {after} to read"
    ));
    let (send, mut batches) = mpsc::channel::<anyhow::Result<Vec<Review>>>(AHEAD);
    // The reader runs beside the writer in this task rather than in a task of its own: it reads
    // while the writer waits for SQLite's thread, and every batch is allocated and freed by the
    // same thread (batches allocated on the runtime's threads and freed here left more memory
    // to the allocator's arenas than the import used).
    let reader = async move {
        let mut from = from;
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
        anyhow::Ok(())
    };
    let writer = async {
        let mut totals = if settings.write {
            store.imported_totals().await?
        } else {
            ImportedTotals::default()
        };
        let mut group = Group::default();
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            if batch.is_empty() {
                break;
            }
            progress.advance(batch.len() as u64);
            let batch = unseen(store, batch, buttons, last, settings, counts).await?;
            let prepared = prepare(&batch, buttons, settings, counts);
            if !settings.write {
                // A dry run counts and keeps nothing.
                continue;
            }
            group.reviews.extend(prepared.reviews);
            group.emails.extend(prepared.emails);
            group.autonomous.extend(prepared.autonomous);
            group.apart.extend(prepared.apart);
            if group.reviews.len() >= GROUP {
                write(store, std::mem::take(&mut group), &mut totals, settings).await?;
            }
        }
        if settings.write {
            write(store, group, &mut totals, settings).await?;
        }
        anyhow::Ok(())
    };
    // A failed write ends the reader too, wherever it is.
    tokio::try_join!(reader, writer)?;
    progress.finish();
    Ok(())
}

/// Reviews mapped and not written yet, with what goes beside them: the contact addresses still
/// within retention, the legacy ids of the reviews with « Je n'ai pas eu besoin d'aide » beside
/// a channel, and those of the reviews noted apart with the form they carried.
#[derive(Default)]
struct Group {
    reviews: Vec<NewReview>,
    emails: Vec<(i64, String, Timestamp)>,
    autonomous: Vec<i64>,
    apart: Vec<(i64, Option<i64>)>,
}

/// Writes a group: most reviews in bulk, each button's late ones as new reviews, then the
/// contact addresses, the answers beside a channel and the forms carried.
async fn write(
    store: &Store,
    group: Group,
    totals: &mut ImportedTotals,
    settings: &Settings,
) -> anyhow::Result<()> {
    if group.reviews.is_empty() {
        return Ok(());
    }
    let (mut in_order, late) = split(group.reviews, totals);
    in_order.sort_by_key(|r| (r.procedure_id, r.created_at));
    store.load_reviews(&in_order, &mut totals.totals).await?;
    drop(in_order);
    if !late.is_empty() {
        // Imported reviews were screened by the incumbent already: nothing here is a burst,
        // and without fingerprints none is a duplicate.
        let screening = Screening {
            burst_per_minute: i64::MAX,
            ..Screening::default()
        };
        store.create_reviews(&late, &screening).await?;
        for review in &late {
            let mut tally = Tally::default();
            tally.add(&delta(&Answers::default(), &review.answers));
            let place = (
                review.procedure_id.to_string(),
                review.button_id.to_string(),
            );
            totals.totals.entry(place).or_default().merge(&tally);
        }
    }
    store
        .save_imported_contact_emails(&group.emails, settings.contact_retention_days)
        .await?;
    store.note_legacy_autonomous(&group.autonomous).await?;
    store.note_legacy_review_forms(&group.apart).await?;
    Ok(())
}

/// The reviews of `batch` not imported yet, when it was read again after an earlier run stopped
/// at `last`; the others are counted, and their contact addresses saved, their answers beside a
/// channel and their forms noted if that run did not.
async fn unseen(
    store: &Store,
    batch: Vec<Review>,
    buttons: &Buttons,
    last: Option<i64>,
    settings: &Settings,
    counts: &mut ReviewCounts,
) -> anyhow::Result<Vec<Review>> {
    let (Some(last), Some(first)) = (last, batch.first()) else {
        return Ok(batch);
    };
    if first.id > last {
        return Ok(batch);
    }
    let end = batch.last().map_or(first.id, |r| r.id);
    let present = store.imported_review_ids(first.id, end).await?;
    let (seen, unseen): (Vec<Review>, Vec<Review>) =
        batch.into_iter().partition(|r| present.contains(&r.id));
    counts
        .counts
        .skipped("imported_by_an_earlier_run", seen.len() as u64);
    if settings.write {
        let (mut emails, mut autonomous, mut apart) = (Vec::new(), Vec::new(), Vec::new());
        for review in &seen {
            if buttons
                .get(&review.button_id)
                .is_some_and(|target| carried_apart(review, target))
            {
                apart.push((review.id, review.form_id));
            }
            let at = from_millis(review.created_at);
            let mapped = answers::map(at, &review.answers);
            if mapped.autonomous_beside_channels {
                autonomous.push(review.id);
            }
            if let Some(email) = mapped
                .contact_email
                .filter(|_| within_retention(review, settings))
            {
                emails.push((review.id, email, at));
            }
        }
        store
            .save_imported_contact_emails(&emails, settings.contact_retention_days)
            .await?;
        store.note_legacy_autonomous(&autonomous).await?;
        store.note_legacy_review_forms(&apart).await?;
    }
    Ok(unseen)
}

/// Whether `review`, of button `target`, is noted apart with the form it carried.
fn carried_apart(review: &Review, target: &Target) -> bool {
    apart(review.form_id, target.form, &target.forms)
}

/// Whether a contact address left with `review` is still within its retention period.
fn within_retention(review: &Review, settings: &Settings) -> bool {
    let retention_ms = settings.contact_retention_days.saturating_mul(86_400_000);
    review.created_at.saturating_add(retention_ms) > to_millis(settings.now)
}

/// Splits a batch into the reviews that can be written in bulk, of their button's last day or
/// later (whose last day moves on), and the others.
fn split(batch: Vec<NewReview>, totals: &mut ImportedTotals) -> (Vec<NewReview>, Vec<NewReview>) {
    let mut in_order = Vec::with_capacity(batch.len());
    let mut late = Vec::new();
    for review in batch {
        let day = paris_day(review.created_at).to_string();
        match totals.last_days.get_mut(&review.button_id) {
            Some(last) if day < *last => late.push(review),
            Some(last) => {
                *last = day;
                in_order.push(review);
            }
            None => {
                totals.last_days.insert(review.button_id, day);
                in_order.push(review);
            }
        }
    }
    (in_order, late)
}

/// Maps a batch into a [`Group`].
fn prepare(
    batch: &[Review],
    buttons: &Buttons,
    settings: &Settings,
    counts: &mut ReviewCounts,
) -> Group {
    let mut new = Vec::with_capacity(batch.len());
    let mut emails = Vec::new();
    let mut autonomous = Vec::new();
    let mut apart = Vec::new();
    for review in batch {
        let Some(target) = buttons.get(&review.button_id) else {
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
        if mapped.autonomous_beside_channels {
            autonomous.push(review.id);
        }
        if carried_apart(review, target) {
            apart.push((review.id, review.form_id));
        }
        let button = &target.button;
        let id = review_id(review.created_at);
        if let Some(email) = mapped.contact_email {
            if within_retention(review, settings) {
                emails.push((review.id, email, created_at));
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
    Group {
        reviews: new,
        emails,
        autonomous,
        apart,
    }
}

/// A time-ordered id (UUIDv7) from the review's own creation time, as if made then.
fn review_id(created_at_ms: i64) -> Uuid {
    let ms = u64::try_from(created_at_ms).unwrap_or(0);
    let at = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, (ms % 1000) as u32 * 1_000_000);
    Uuid::new_v7(at)
}
