//! All SQL of avis, on SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! One query set serves both backends: ids are text, instants are Unix milliseconds, days are
//! ISO dates and flags are 0/1 integers, the types `Any` carries on both. SQLite writes go
//! through a single connection so a write transaction never meets a lock it cannot wait for.

pub mod aggregates;
pub mod alerts;
pub mod audit;
pub mod batch;
pub mod buttons;
pub mod catalog;
pub mod check;
mod comment_search;
pub mod compat;
pub mod contact;
pub mod exports;
pub mod indicator_levels;
pub mod indicators;
pub mod invitations;
pub mod keys;
pub mod legacy;
pub mod legacy_forms;
pub mod mail;
pub mod moderation;
pub mod people;
pub mod retention;
pub mod review_list;
pub mod reviews;
pub mod rows;
pub mod running;
pub mod salts;
pub mod screening;
pub mod sessions;
pub mod sqlite_writer;
pub mod statistiques;
pub mod webhook_deliveries;
pub mod webhook_outbox;
pub mod webhooks;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use uuid::Uuid;

use crate::config::DatabaseUrl;
use crate::domain::duplicates::RecentFingerprints;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Page cache of SQLite's one write connection, and of each of its read connections. A reader's
/// cache holds the running totals one call over every procedure reads (about 16 MiB with 2,000
/// buttons): with 4 MiB, each call read them again from the operating system. Caches fill only
/// as pages are read.
const WRITER_CACHE_MIB: u32 = 16;
const READER_CACHE_MIB: u32 = 32;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine behind one connection.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }
}

/// Handle on the database: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// SQLite's database file, if not in memory.
    file: Option<std::path::PathBuf>,
    /// SQLite's write-ahead log, which [`Store::sync_log`] makes durable.
    log: Option<std::path::PathBuf>,
    /// Buttons recently read for the public paths; emptied by every catalog change.
    buttons: std::sync::Arc<buttons::RecentButtons>,
    /// On SQLite, the fingerprints of the duplicate window, once read back (see
    /// [`crate::domain::duplicates`]).
    fingerprints: std::sync::Arc<std::sync::Mutex<Option<RecentFingerprints>>>,
}

impl Store {
    /// Connects to the database named by `url`, creating a SQLite file if it does not exist.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Store> {
        install_default_drivers();
        let backend = url.backend();
        let connection_url = url.connection_string();
        let store = match backend {
            Backend::Sqlite => {
                create_parent_directory(url)?;
                let write = sqlite_write_pool().connect(&connection_url).await;
                let write =
                    write.with_context(|| format!("cannot open the SQLite database {url}"))?;
                let read = sqlite_pool(4, READER_CACHE_MIB)
                    .connect(&connection_url)
                    .await?;
                let file = url.sqlite_file();
                let log = file.clone().map(|file| {
                    let mut log = file.into_os_string();
                    log.push("-wal");
                    std::path::PathBuf::from(log)
                });
                Store {
                    backend,
                    read,
                    write,
                    file,
                    log,
                    buttons: Default::default(),
                    fingerprints: Default::default(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    // A server busy with a checkpoint or a vacuum can take seconds to answer a
                    // new connection: a request waits that long rather than fail.
                    .acquire_timeout(Duration::from_secs(15))
                    .connect(&connection_url)
                    .await
                    .with_context(|| format!("cannot connect to the PostgreSQL database {url}"))?;
                Store {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    file: None,
                    log: None,
                    buttons: Default::default(),
                    fingerprints: Default::default(),
                }
            }
        };
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection to write with, for a caller that writes many times in a row (the review
    /// writer): taking one from the pool for each transaction cost more than a statement.
    pub async fn write_connection(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.write.acquire().await?)
    }

    /// Applies the migrations this binary knows and the database does not have yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.write)
            .await
            .context("cannot apply the database migrations")
    }

    /// Makes SQLite's write-ahead log durable: every transaction committed before the call
    /// survives a power loss once it returns (see [`Store::review_writing`]). Blocks on the disk.
    pub fn sync_log(&self) -> std::io::Result<()> {
        let Some(log) = &self.log else {
            return Ok(());
        };
        // Opened anew each time: SQLite deletes the log when its last connection closes and
        // starts a new file, which a handle kept open would no longer reach.
        match std::fs::File::open(log) {
            Ok(file) => file.sync_data(),
            // No log: SQLite removed it after copying it into the database, which it synced.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Turns the write connection `conn` over to the review writer: on SQLite its commits stop
    /// waiting for the disk (the writer calls [`Store::sync_log`] before answering, while it
    /// writes the next batch) and copy the log into the database less often. Whoever takes the
    /// connection from the pool next gets SQLite's defaults back.
    pub async fn review_writing(&self, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        if self.log.is_some() {
            let pragmas = format!(
                "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES};"
            );
            conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
        }
        Ok(())
    }

    /// On a SQLite file, a connection of its own for the review writer (see [`sqlite_writer`]),
    /// opened with the settings [`Store::review_writing`] gives the write connection.
    pub fn sqlite_writer(&self) -> anyhow::Result<Option<sqlite_writer::SqliteWriter>> {
        let Some(file) = &self.file else {
            return Ok(None);
        };
        let writer =
            sqlite_writer::SqliteWriter::open(file, WRITER_CACHE_MIB, WRITER_CHECKPOINT_PAGES)
                .with_context(|| format!("cannot open {} for the review writer", file.display()))?;
        Ok(Some(writer))
    }

    /// Copies the SQLite write-ahead log into the database off the write path, and empties it
    /// regularly. Readers that never stop (as under constant traffic) otherwise keep any
    /// checkpoint from finishing, and the log, with its memory-mapped index, grows without end.
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self, empty: bool) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        if empty {
            // On the one write connection, between two batches: emptying the log from another
            // connection made the writer's next transaction fail with "database is locked".
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_all(&self.write)
                .await?;
        } else {
            // Copies what it can without waiting for, or blocking, anyone.
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_all(&self.read)
                .await?;
        }
        Ok(())
    }

    /// Gives SQLite's write connection a larger page cache, for a bulk load that has the memory.
    pub async fn widen_write_cache(&self, mib: u32) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let pragma = format!("PRAGMA cache_size = -{}", mib * 1024);
            sqlx::query(sqlx::AssertSqlSafe(pragma))
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> anyhow::Result<()> {
        self.read.execute("SELECT 1").await?;
        Ok(())
    }

    /// (pool, open connections, idle connections) for each pool.
    pub fn pool_usage(&self) -> Vec<(&'static str, u32, usize)> {
        match self.backend {
            Backend::Sqlite => vec![
                ("read", self.read.size(), self.read.num_idle()),
                ("write", self.write.size(), self.write.num_idle()),
            ],
            Backend::Postgres => vec![("shared", self.read.size(), self.read.num_idle())],
        }
    }

    /// Waits for the connections in use to be returned, then closes them.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// `cache_mib` bounds each connection's page cache: the writer's holds the index pages batches
/// keep coming back to; SQLite's default (2 MiB) made it read them again and again.
fn sqlite_pool(max_connections: u32, cache_mib: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // A database file does not go away like a server does: checking each connection
        // before handing it out only added a round trip to every batch and every query.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; FULL makes every commit durable
                // against power loss, not only against a crash of the process. Temporary
                // storage in memory: each multi-row statement of a batch keeps a statement
                // journal, which otherwise spills into a temporary file created and deleted
                // every time.
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{};",
                    cache_mib * 1024
                )))
                .await?;
                Ok(())
            })
        })
}

/// The write pool: the review writer relaxes durability on its connection (see
/// [`Store::review_writing`]); anyone who takes the connection from the pool gets it back.
fn sqlite_write_pool() -> AnyPoolOptions {
    sqlite_pool(1, WRITER_CACHE_MIB).before_acquire(|conn, _meta| {
        Box::pin(async move {
            let defaults = format!(
                "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = {DEFAULT_CHECKPOINT_PAGES};"
            );
            conn.execute(sqlx::AssertSqlSafe(defaults)).await?;
            Ok(true)
        })
    })
}

/// SQLite's own: a commit that leaves this many pages in the log copies it into the database.
const DEFAULT_CHECKPOINT_PAGES: u32 = 1_000;

/// The review writer's commits copy the log into the database once it holds this many pages
/// (16 MiB), instead of [`DEFAULT_CHECKPOINT_PAGES`]; the log then starts over from its beginning.
/// Most of a batch's pages are the same hot index and counter pages as the last batch's, so a
/// longer log holds fewer distinct pages per commit to copy (ingest +9 %). `avis serve` also
/// copies the log from another connection every 50 ms, so the writer's own copy is left with the
/// pages since the last one (a 4-minute soak's p99 29 instead of 36 ms). 16,000 pages copied
/// less often but stalled the writer longer (p99 40 ms, the longest wait 99 ms). A copy from
/// another connection alone cannot replace the writer's: it never catches up with a writer that
/// commits every few milliseconds, so the log would never start over.
const WRITER_CHECKPOINT_PAGES: u32 = 4_000;

fn create_parent_directory(url: &DatabaseUrl) -> anyhow::Result<()> {
    let parent = url
        .sqlite_file()
        .and_then(|f| f.parent().map(ToOwned::to_owned));
    match parent {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the database directory {}", dir.display())),
        _ => Ok(()),
    }
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Turns a unique-constraint violation into a conflict on `what`.
    fn unique(err: sqlx::Error, what: &'static str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict(what)
            }
            _ => StoreError::Database(err),
        }
    }
}

/// A `LIKE` pattern for values containing `search` (lower-cased; `%` when empty), its
/// wildcards taken literally with `ESCAPE '\'`.
fn containing(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A stored id.
fn id(text: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::parse_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// `$first, $first + 1, …`: `count` numbered parameters, for an `IN (…)` list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stored 0/1 flag.
fn flag(value: i64) -> bool {
    value != 0
}
