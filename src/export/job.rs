//! A workbook built in the background: counted, filled batch after batch with its progress
//! recorded, then written into the database in chunks, so that whichever node a person or a
//! script asks next can serve it. While it works, the node touches the export every few
//! seconds: an export whose node stops is seen as failed (see [`crate::store::exports`]).

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use jiff::Timestamp;
use tokio::runtime::Handle;
use uuid::Uuid;

use super::xlsx::{Book, Notes, Summary};
use super::{Request, Rows};
use crate::domain::export::SHEET_ROWS;
use crate::store::Store;

/// The size of one stored piece of a finished file.
const CHUNK_BYTES: usize = 1 << 20;

/// How often a node tells that it is still building an export.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How often progress is recorded, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// The share of the progress bar that filling the sheets takes; compressing and storing the
/// file take the rest.
const FILLING: f64 = 0.9;

/// How exports are built and kept.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Rows a sheet holds, its header included.
    pub sheet_rows: u32,
    /// How long a finished export stays downloadable.
    pub ttl_seconds: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            sheet_rows: SHEET_ROWS,
            ttl_seconds: 24 * 3_600,
        }
    }
}

/// Builds the export `id`, already recorded as running, in the background.
pub fn spawn(store: Store, settings: Settings, id: Uuid, request: Request, filter: String) {
    tokio::spawn(async move {
        let heartbeat = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(HEARTBEAT);
                loop {
                    ticks.tick().await;
                    if let Err(err) = store.export_heartbeat(id).await {
                        tracing::warn!(error = ?err, export = %id, "export heartbeat failed");
                    }
                }
            })
        };
        let started = Instant::now();
        let built = build(store.clone(), settings, id, request, filter).await;
        heartbeat.abort();
        match built {
            Ok(summary) => tracing::info!(
                export = %id,
                rows = summary.rows,
                sheets = summary.sheets,
                ms = started.elapsed().as_millis() as u64,
                "export built"
            ),
            Err(err) => {
                tracing::error!(error = ?err, export = %id, "export failed");
                if let Err(err) = store.fail_export(id).await {
                    tracing::warn!(error = ?err, export = %id, "cannot record a failed export");
                }
            }
        }
    });
}

async fn build(
    store: Store,
    settings: Settings,
    id: Uuid,
    request: Request,
    filter: String,
) -> anyhow::Result<Summary> {
    let total = store
        .count_reviews(&request.filter)
        .await
        .context("cannot count the reviews to export")?;
    store.export_progress(id, 0, Some(total), 0.0).await?;
    let handle = Handle::current();
    let (summary, size) = tokio::task::spawn_blocking(move || {
        fill(handle, store.clone(), settings, id, request, total, &filter)
    })
    .await
    .context("the export's builder stopped")??;
    tracing::debug!(export = %id, bytes = size, "export stored");
    Ok(summary)
}

/// Fills the workbook and stores it; runs on a thread that may block.
fn fill(
    handle: Handle,
    store: Store,
    settings: Settings,
    id: Uuid,
    request: Request,
    total: i64,
    filter: &str,
) -> anyhow::Result<(Summary, u64)> {
    let created_at = Timestamp::now();
    let mut rows = Rows::new(store.clone(), request);
    let mut book = Book::new(rows.layout(), settings.sheet_rows)?;
    let mut done = 0i64;
    let mut recorded = Instant::now();
    while let Some(batch) = handle.block_on(rows.next_batch())? {
        for row in &batch {
            book.push(row)?;
        }
        done += batch.len() as i64;
        if recorded.elapsed() >= PROGRESS_EVERY {
            let progress = FILLING * done as f64 / total.max(done).max(1) as f64;
            handle.block_on(store.export_progress(id, done, None, progress))?;
            recorded = Instant::now();
        }
    }
    handle.block_on(store.export_progress(id, done, None, FILLING))?;
    let mut out = Chunks {
        handle: handle.clone(),
        store: store.clone(),
        id,
        buffer: Vec::with_capacity(CHUNK_BYTES),
        seq: 0,
        size: 0,
    };
    let notes = Notes { created_at, filter };
    let summary = book.finish(&notes, &mut out)?;
    out.store_buffer()?;
    handle.block_on(store.finish_export(
        id,
        summary.rows as i64,
        summary.sheets as i64,
        out.size as i64,
    ))?;
    Ok((summary, out.size))
}

/// Writes a file into the database, one chunk at a time.
struct Chunks {
    handle: Handle,
    store: Store,
    id: Uuid,
    buffer: Vec<u8>,
    seq: i64,
    size: u64,
}

impl Chunks {
    fn store_buffer(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.handle
            .block_on(self.store.put_export_chunk(self.id, self.seq, &self.buffer))
            .map_err(std::io::Error::other)?;
        self.seq += 1;
        self.size += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = CHUNK_BYTES - self.buffer.len();
        let taken = room.min(data.len());
        self.buffer.extend_from_slice(&data[..taken]);
        if self.buffer.len() == CHUNK_BYTES {
            self.store_buffer()?;
        }
        Ok(taken)
    }

    /// Chunks are stored as they fill up, and the last one by [`Chunks::store_buffer`].
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
