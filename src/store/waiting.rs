//! Reviews stored but not yet in the counters, and counting them in bulk.
//!
//! The review writer lists each new review that counts in `reviews_waiting` instead of moving
//! the counters in every batch; [`count_waiting`] later adds all the listed reviews' current
//! answers to the counters and empties the list, in one transaction. A change to a listed
//! review (an amendment, a moderation) moves no counter: the review is counted as it is when
//! its turn comes. Whatever a crash interrupts stays listed, so a stored review is counted
//! exactly once.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::aggregates::{self, Tallies};
use super::reviews::{REVIEW_COLUMNS, stored_review};
use super::rows::{Cell, Rows, Script, cell, source};
use super::{Backend, Store, StoreError};
use crate::domain::aggregate;
use crate::domain::answers::Answers;

/// The statement that lists the ids bound as [`Rows`] at parameter `n` as waiting.
pub fn list_sql(backend: Backend, n: usize) -> String {
    format!(
        "INSERT INTO reviews_waiting (review_id) SELECT {} FROM {}",
        cell(0, "TEXT"),
        source(backend, n)
    )
}

/// Whether `review_id` waits to be counted. On PostgreSQL its listing stays locked until the
/// caller's transaction ends, so that a node counting it meanwhile either has finished (the
/// review is then counted, and the caller moves its counters) or has not started (it will count
/// the review as the caller leaves it).
pub async fn is_waiting(conn: &mut AnyConnection, review_id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = match Backend::of(conn) {
        Backend::Sqlite => "SELECT 1 FROM reviews_waiting WHERE review_id = $1",
        Backend::Postgres => "SELECT 1 FROM reviews_waiting WHERE review_id = $1 FOR UPDATE",
    };
    let row = sqlx::query(sql)
        .bind(review_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// Adds every listed review to the counters and takes it off the list, inside the caller's
/// transaction; returns how many were listed. On PostgreSQL, rows another node is counting at
/// that moment are left to it.
pub async fn count_waiting(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let backend = Backend::of(conn);
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF w SKIP LOCKED",
    };
    let sql = format!(
        "SELECT w.review_id, day, {REVIEW_COLUMNS} FROM reviews_waiting w \
         JOIN reviews r ON r.id = w.review_id{lock}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut counted = Rows::default();
    let mut days = Tallies::new();
    for row in &rows {
        let review_id: String = row.try_get("review_id")?;
        counted.push([Cell::from(review_id.as_str())]);
        let review = stored_review(row)?;
        if review.excluded_reason.is_some() {
            continue;
        }
        let place = (
            review.procedure_id.to_string(),
            row.try_get("day")?,
            review.button_id.to_string(),
        );
        days.entry(place)
            .or_default()
            .add(&aggregate::delta(&Answers::default(), &review.answers));
    }
    let mut script = Script::new(backend);
    aggregates::push_moves(&mut script, &days);
    script.push(
        |n| {
            format!(
                "DELETE FROM reviews_waiting WHERE review_id IN (SELECT {} FROM {})",
                cell(0, "TEXT"),
                source(backend, n)
            )
        },
        counted.into_json(),
    );
    script.run(conn).await?;
    Ok(rows.len())
}

impl Store {
    /// Counts the reviews waiting to be counted, in a transaction of its own (for readers of the
    /// counters outside the server: `avis check`, `avis aggregates show`).
    pub async fn count_waiting_reviews(&self) -> Result<usize, StoreError> {
        let mut tx = self.write.begin().await?;
        let counted = count_waiting(&mut tx).await?;
        tx.commit().await?;
        Ok(counted)
    }
}
