//! Group commit: review creations from concurrent requests are written together.
//!
//! Requests hand their review to one writer task through a bounded channel and wait for its
//! answer. The writer takes what has queued up while the previous transaction committed (up to
//! a batch size), writes it in one transaction, and answers each request only after the commit,
//! so a `201` always means the review is on disk. A full queue answers `503` at once rather than
//! letting requests pile up without bound.

use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;
use crate::store::reviews::{NewReview, Screening};
use crate::store::{Store, StoreError};

/// The most reviews one transaction takes.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<Option<&'static str>, StoreError>>;

/// The handle requests use to reach the writer task.
pub struct ReviewWriter {
    queue: mpsc::Sender<(NewReview, Reply)>,
}

impl ReviewWriter {
    /// Starts the writer task on the current runtime; `capacity` bounds the waiting reviews.
    pub fn spawn(store: Store, screening: Screening, capacity: usize) -> ReviewWriter {
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        tokio::spawn(run(store, screening, receiver));
        ReviewWriter { queue }
    }

    /// Stores one review with the others queued beside it; returns why it does not count.
    pub async fn create(&self, review: NewReview) -> Result<Option<&'static str>, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .try_send((review, reply))
            .map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => {
                    metrics::counter!("avis_reviews_rejected_total", "code" => "overloaded")
                        .increment(1);
                    ApiError::Overloaded
                }
                mpsc::error::TrySendError::Closed(_) => {
                    ApiError::Internal(anyhow::anyhow!("the review writer stopped"))
                }
            })?;
        let stored = answer.await.map_err(|_| {
            ApiError::Internal(anyhow::anyhow!("the review writer dropped a review"))
        })?;
        Ok(stored?)
    }
}

async fn run(store: Store, screening: Screening, mut receiver: mpsc::Receiver<(NewReview, Reply)>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (reviews, replies): (Vec<NewReview>, Vec<Reply>) = batch.into_iter().unzip();
        let started = Instant::now();
        let outcome = store.create_reviews(&reviews, &screening).await;
        metrics::histogram!("avis_batch_size").record(reviews.len() as f64);
        metrics::histogram!("avis_batch_commit_seconds").record(started.elapsed().as_secs_f64());
        match outcome {
            Ok(reasons) => {
                for (reply, reason) in replies.into_iter().zip(reasons) {
                    let _ = reply.send(Ok(reason));
                }
            }
            Err(err) => {
                // One bad review must not sink the others: retry each on its own.
                tracing::warn!(error = ?err, size = reviews.len(), "batch failed, writing its reviews one by one");
                for (review, reply) in reviews.iter().zip(replies) {
                    let _ = reply.send(store.create_review(review, &screening).await);
                }
            }
        }
    }
}
