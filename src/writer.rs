//! Group commit: review creations and amendments from concurrent requests are written together.
//!
//! Requests hand their job to one writer task through a bounded channel and wait for its
//! answer. The writer takes what has queued up while the previous transaction committed (up to
//! a batch size), writes it in one transaction, and answers each request only once the commit is
//! on disk, so a `201` or `200` always means the change survives a power loss. On SQLite the
//! commit itself does not wait for the disk: a thread of its own syncs the log and then
//! answers, while the writer already writes the next batch (one sync often covers several
//! batches). A full queue answers `503` at once rather than letting requests pile up without
//! bound.
//!
//! On a SQLite file the writer runs on a thread of its own and writes the usual batch, new
//! reviews for open days, through a connection of its own called directly from that thread (see
//! [`crate::store::sqlite_writer`]); every other batch goes through the store's write
//! connection, which the writer holds meanwhile, as on PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use sqlx::Any;
use sqlx::pool::PoolConnection;
use tokio::sync::{Notify, mpsc, oneshot};
use uuid::Uuid;

use crate::domain::answers::Answers;
use crate::domain::burst::RecentReviews;
use crate::domain::time::to_millis;
use crate::error::ApiError;
use crate::store::batch::Amendment;
use crate::store::reviews::{NewReview, Screening, StoredReview, Update};
use crate::store::sqlite_writer::SqliteWriter;
use crate::store::{Backend, Store, StoreError};

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 512;

type Created = oneshot::Sender<Result<Option<&'static str>, StoreError>>;
type Amended = oneshot::Sender<Result<Update<ApiError>, StoreError>>;

enum Job {
    Create(Box<NewReview>, Created),
    Amend(Amendment<ApiError>, Amended),
}

/// The handle requests use to reach the writer task.
pub struct ReviewWriter {
    queue: mpsc::Sender<Job>,
}

impl ReviewWriter {
    /// Starts the writer on the current runtime: a task, or on a SQLite file a thread of its own
    /// (and, on SQLite, the thread that syncs its log); `capacity` bounds the waiting jobs. The
    /// [`WriterStop`] ends it once the server has stopped.
    pub fn spawn(
        store: Store,
        screening: Screening,
        capacity: usize,
    ) -> std::io::Result<(ReviewWriter, WriterStop)> {
        // On SQLite, commits do not wait for the disk: a batch's replies wait for the log to be
        // synced, which happens while the writer goes on with the next batch.
        let durable = match store.backend() {
            Backend::Sqlite => {
                let (replies, waiting) = std::sync::mpsc::channel();
                let syncing = store.clone();
                std::thread::Builder::new()
                    .name("avis-log-sync".into())
                    .spawn(move || sync_then_answer(&syncing, &waiting))?;
                Some(replies)
            }
            Backend::Postgres => None,
        };
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        let (stopping, ends) = WriterStop::new();
        let sqlite = store
            .sqlite_writer()
            .map_err(|err| std::io::Error::other(format!("{err:#}")))?;
        match sqlite {
            // Its connection's calls block: on a thread of its own, which drives the rest of the
            // writer too (one thread fewer to wake per batch than a task and a connection thread).
            Some(sqlite) => {
                let runtime = tokio::runtime::Handle::current();
                std::thread::Builder::new()
                    .name("avis-writer".into())
                    .spawn(move || {
                        runtime.block_on(run(
                            store,
                            screening,
                            receiver,
                            durable,
                            Some(sqlite),
                            ends,
                        ))
                    })?;
            }
            None => {
                tokio::spawn(run(store, screening, receiver, durable, None, ends));
            }
        }
        Ok((ReviewWriter { queue }, stopping))
    }

    /// Stores one review with the others queued beside it; returns why it does not count.
    pub async fn create(&self, review: NewReview) -> Result<Option<&'static str>, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.enqueue(Job::Create(Box::new(review), reply))?;
        let stored = answer.await.map_err(|_| dropped())?;
        Ok(stored?)
    }

    /// Changes a review's answers as `decide` says once it is read, with the other jobs queued
    /// beside it.
    pub async fn amend(
        &self,
        review_id: Uuid,
        now: Timestamp,
        added_redactions: u32,
        decide: impl Fn(&StoredReview) -> Result<Answers, ApiError> + Send + Sync + 'static,
    ) -> Result<Update<ApiError>, ApiError> {
        let (reply, answer) = oneshot::channel();
        let amendment = Amendment {
            review_id,
            now,
            added_redactions,
            decide: Arc::new(decide),
        };
        self.enqueue(Job::Amend(amendment, reply))?;
        let outcome = answer.await.map_err(|_| dropped())?;
        Ok(outcome?)
    }

    fn enqueue(&self, job: Job) -> Result<(), ApiError> {
        self.queue.try_send(job).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => {
                metrics::counter!("avis_reviews_rejected_total", "code" => "overloaded")
                    .increment(1);
                ApiError::Overloaded
            }
            mpsc::error::TrySendError::Closed(_) => {
                ApiError::Internal(anyhow::anyhow!("the review writer stopped"))
            }
        })
    }
}

fn dropped() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the review writer dropped a job"))
}

/// Batches between two sweeps of the burst window.
const SWEEP_EVERY: u64 = 256;

/// How long the writer keeps its write connection while jobs keep coming. Taking it from the
/// pool for every batch cost more than a statement; giving it back now and then lets the other
/// writers (catalog, moderation, emptying the SQLite log) have their turn.
const HOLD: Duration = Duration::from_millis(100);

/// `durable` carries each committed batch's replies to the thread that syncs SQLite's log;
/// without it (PostgreSQL) a commit is durable and its replies go at once.
async fn run(
    store: Store,
    screening: Screening,
    mut receiver: mpsc::Receiver<Job>,
    durable: Option<std::sync::mpsc::Sender<Replies>>,
    mut sqlite: Option<SqliteWriter>,
    ends: Ends,
) {
    // What this node wrote lately, per button: burst screening reads it instead of the database.
    let mut recent = RecentReviews::default();
    let mut batches = 0u64;
    let mut held: Option<(PoolConnection<Any>, Instant)> = None;
    let mut stopping = false;
    loop {
        let first = tokio::select! {
            job = receiver.recv() => job,
            () = ends.stop.notified(), if !stopping => {
                // No new job from now on; those already queued are written.
                receiver.close();
                stopping = true;
                continue;
            }
        };
        let Some(first) = first else {
            break;
        };
        batches += 1;
        if batches.is_multiple_of(SWEEP_EVERY) {
            recent.sweep(to_millis(Timestamp::now()));
        }
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => jobs.push(next),
                Err(_) => break,
            }
        }
        let (mut reviews, mut created) = (Vec::new(), Vec::new());
        let (mut amendments, mut amended) = (Vec::new(), Vec::new());
        for job in jobs {
            match job {
                Job::Create(review, reply) => {
                    reviews.push(*review);
                    created.push(reply);
                }
                Job::Amend(amendment, reply) => {
                    amendments.push(amendment);
                    amended.push(reply);
                }
            }
        }
        let started = Instant::now();
        let size = reviews.len() + amendments.len();
        if held
            .as_ref()
            .is_some_and(|(_, since)| since.elapsed() > HOLD)
        {
            held = None;
        }
        let conn = match held.take() {
            Some(held) => Ok(held),
            None => take_connection(&store).await,
        };
        let outcome = match conn {
            Ok((mut conn, since)) => {
                let outcome = store
                    .write_batch_on(
                        &mut conn,
                        sqlite.as_mut(),
                        &reviews,
                        &screening,
                        &mut recent,
                        &amendments,
                    )
                    .await;
                // Kept only while more jobs wait and the batch went through.
                if outcome.is_ok() && !receiver.is_empty() {
                    held = Some((conn, since));
                }
                outcome
            }
            Err(err) => Err(err),
        };
        metrics::histogram!("avis_batch_size").record(size as f64);
        metrics::histogram!("avis_batch_commit_seconds").record(started.elapsed().as_secs_f64());
        match outcome {
            Ok((reasons, outcomes)) => {
                let replies = Replies {
                    created: created.into_iter().zip(reasons).collect(),
                    amended: amended.into_iter().zip(outcomes).collect(),
                };
                match &durable {
                    Some(syncer) => {
                        if let Err(unsent) = syncer.send(replies) {
                            unsent.0.fail(dropped_store_error);
                        }
                    }
                    None => replies.send(),
                }
            }
            Err(err) => {
                // One bad job must not sink the others: retry each on its own (these commits
                // wait for the disk, and with it for the batches before them).
                tracing::warn!(error = ?err, size, "batch failed, writing its jobs one by one");
                for (review, reply) in reviews.iter().zip(created) {
                    let _ = reply.send(store.create_review(review, &screening).await);
                }
                for (a, reply) in amendments.iter().zip(amended) {
                    let retried = store
                        .update_review(a.review_id, a.now, a.added_redactions, |review| {
                            (a.decide)(review)
                        })
                        .await;
                    let _ = reply.send(retried);
                }
            }
        }
        if let Some(sqlite) = sqlite.as_mut() {
            sqlite.file_reviews(false);
        }
    }
    if let Some(sqlite) = sqlite.as_mut() {
        sqlite.file_reviews(true);
    }
    // The writer's own SQLite connection closes first, while the write connection is still
    // held: the store, once its pools are closed, is then the last to close the database, which
    // copies the log into it and removes it, so a stopped service leaves one self-contained file.
    drop(sqlite);
    drop(held);
    drop(ends.done);
}

/// Stops the review writer: see [`WriterStop::stop`].
pub struct WriterStop {
    stop: Arc<Notify>,
    done: oneshot::Receiver<()>,
}

impl WriterStop {
    fn new() -> (WriterStop, Ends) {
        let stop = Arc::new(Notify::new());
        let (done, ended) = oneshot::channel();
        let ends = Ends {
            stop: stop.clone(),
            done,
        };
        (WriterStop { stop, done: ended }, ends)
    }

    /// Once the server has stopped taking requests: the writer writes the jobs still queued,
    /// closes its connections and ends; returns when it has (or has stopped some other way).
    pub async fn stop(self) {
        self.stop.notify_one();
        // Ready once the writer drops its end, whether it ended or failed.
        let _ = self.done.await;
    }
}

/// The writer's side of a [`WriterStop`]: dropping `done` tells it the writer has ended.
struct Ends {
    stop: Arc<Notify>,
    done: oneshot::Sender<()>,
}

/// Takes the write connection from the pool for a run of batches.
async fn take_connection(store: &Store) -> Result<(PoolConnection<Any>, Instant), StoreError> {
    let mut conn = store.write_connection().await?;
    store.review_writing(&mut conn).await?;
    Ok((conn, Instant::now()))
}

/// The replies to the jobs of one committed batch.
struct Replies {
    created: Vec<(Created, Option<&'static str>)>,
    amended: Vec<(Amended, Update<ApiError>)>,
}

impl Replies {
    fn send(self) {
        for (reply, reason) in self.created {
            let _ = reply.send(Ok(reason));
        }
        for (reply, outcome) in self.amended {
            let _ = reply.send(Ok(outcome));
        }
    }

    fn fail(self, error: impl Fn() -> StoreError) {
        for (reply, _) in self.created {
            let _ = reply.send(Err(error()));
        }
        for (reply, _) in self.amended {
            let _ = reply.send(Err(error()));
        }
    }
}

fn dropped_store_error() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

/// Syncs SQLite's log, then answers every batch committed before the sync began: one sync
/// covers all the batches that queued up while the previous one ran. A batch whose log could
/// not be synced is answered with an error, not acknowledged. Runs on a thread of its own, which
/// the writer wakes directly (a task handing each sync to the blocking pool cost two more
/// wake-ups per sync); it ends when the writer does.
fn sync_then_answer(store: &Store, waiting: &std::sync::mpsc::Receiver<Replies>) {
    while let Ok(first) = waiting.recv() {
        let mut batches = vec![first];
        batches.extend(waiting.try_iter());
        let started = Instant::now();
        let synced = store.sync_log();
        metrics::histogram!("avis_log_sync_seconds").record(started.elapsed().as_secs_f64());
        match synced {
            Ok(()) => batches.into_iter().for_each(Replies::send),
            Err(err) => {
                let message = err.to_string();
                tracing::error!(error = %message, "cannot sync the database log: batches not acknowledged");
                for batch in batches {
                    batch.fail(|| {
                        StoreError::Database(sqlx::Error::Io(std::io::Error::other(
                            message.clone(),
                        )))
                    });
                }
            }
        }
    }
}
