//! `avis import jdma`: brings the incumbent's whole database into avis (PRODUCT.md §12).
//!
//! Entities, products, forms and buttons first (`catalog`, `forms`), then the reviews imported
//! earlier whose forms changed noted again (`forms`), then reviews in batches (`reviews`), each
//! answer mapped by field code, option id and date (`answers`), all read in one snapshot of the
//! incumbent's PostgreSQL (`source`). Progress goes to standard error; the summary (`summary`)
//! is the last line of standard output. Running it again imports only what is new.

mod answers;
mod catalog;
mod forms;
mod progress;
mod reviews;
mod source;
mod summary;

use jiff::Timestamp;

use crate::store::Store;
pub use summary::Summary;

/// SQLite's page cache for the import's writes, in MiB: a group of reviews moves pages all over
/// the counters and the indexes, each written to the log once per commit if it stays cached.
const IMPORT_CACHE_MIB: u32 = 32;

/// What `avis import jdma` was asked.
pub struct Options {
    /// The incumbent's database, `postgres://…`.
    pub source_url: String,
    /// Count what would be imported, write nothing.
    pub dry_run: bool,
    /// Days a contact address is kept after its review: older ones are not imported.
    pub contact_retention_days: i64,
}

/// Imports from the incumbent's database into `store` and returns what it did.
pub async fn jdma(store: &Store, options: &Options) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        options.source_url.starts_with("postgres://")
            || options.source_url.starts_with("postgresql://"),
        "--source-url must be the incumbent's PostgreSQL database, postgres://…"
    );
    let write = !options.dry_run;
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let mut source = source::Source::open(&options.source_url).await?;
    eprintln!("reading the incumbent's organisations, procedures and buttons");
    let catalog = catalog::import(&mut source, store, write, &mut summary).await?;
    if write {
        forms::note_again(&mut source, store, &catalog.procedures, &catalog.buttons).await?;
        // Reviews of days before today move their running totals as they are written, as
        // `avis serve` would once it closed those days: the import is then served at once.
        if let Ok(yesterday) = crate::domain::time::paris_day(Timestamp::now()).yesterday() {
            store.close_days(yesterday).await?;
        }
        store.widen_write_cache(IMPORT_CACHE_MIB).await?;
    }
    let settings = reviews::Settings {
        write,
        contact_retention_days: options.contact_retention_days.max(1),
        now: Timestamp::now(),
    };
    reviews::import(
        source,
        store,
        &catalog.buttons,
        &settings,
        &mut summary.reviews,
    )
    .await?;
    Ok(summary)
}
