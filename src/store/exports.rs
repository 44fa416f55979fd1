//! Exports built in the background: their progress, their finished file kept in the database in
//! chunks (so that every node sharing it can serve the file), and their end: deleted once
//! expired, failed once the node building them has stopped.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, flag, id, placeholders};
use crate::domain::time::{from_millis, to_millis};

/// How long a running export may go without a heartbeat before it counts as failed: its node
/// touches it every few seconds while it works.
pub const STALE_MS: i64 = 60_000;

/// Where an export has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Done,
    Failed,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }
}

/// An export about to start.
#[derive(Debug, Clone)]
pub struct NewExport {
    pub id: Uuid,
    /// The organisation it is confined to; none for every one.
    pub organisation_id: Option<Uuid>,
    /// The query string of its filters.
    pub filter: String,
    pub lang: String,
    pub with_contacts: bool,
    pub created_by_user: Option<Uuid>,
    pub created_by_key: Option<Uuid>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// An export as stored.
#[derive(Debug, Clone)]
pub struct Export {
    pub id: Uuid,
    pub status: Status,
    pub organisation_id: Option<Uuid>,
    pub filter: String,
    pub lang: String,
    pub with_contacts: bool,
    pub created_by_user: Option<Uuid>,
    pub created_by_key: Option<Uuid>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub expires_at: Timestamp,
    /// From 0 to 1.
    pub progress: f64,
    /// How many reviews matched when it started.
    pub rows_total: Option<i64>,
    pub rows_done: i64,
    pub sheets: i64,
    pub size_bytes: i64,
}

const COLUMNS: &str = "id, status, organisation_id, filter, lang, with_contacts, created_by_user, \
     created_by_key, created_at, heartbeat_at, finished_at, expires_at, progress, rows_total, \
     rows_done, sheets, size_bytes";

impl Store {
    pub async fn create_export(&self, new: &NewExport) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO exports (id, status, organisation_id, filter, lang, with_contacts, \
             created_by_user, created_by_key, created_at, heartbeat_at, expires_at) \
             VALUES ($1, 'running', $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(new.id.to_string())
        .bind(new.organisation_id.map(|o| o.to_string()))
        .bind(&new.filter)
        .bind(&new.lang)
        .bind(i64::from(new.with_contacts))
        .bind(new.created_by_user.map(|u| u.to_string()))
        .bind(new.created_by_key.map(|k| k.to_string()))
        .bind(to_millis(new.created_at))
        .bind(to_millis(new.expires_at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The export, if it exists and has not expired. A running export whose node stopped
    /// reads as failed.
    pub async fn find_export(&self, export_id: Uuid) -> Result<Option<Export>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM exports WHERE id = $1 AND expires_at > $2"
        )))
        .bind(export_id.to_string())
        .bind(to_millis(Timestamp::now()))
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(export).transpose()?)
    }

    /// Records how far a running export has got; it is alive.
    pub async fn export_progress(
        &self,
        export_id: Uuid,
        rows_done: i64,
        rows_total: Option<i64>,
        progress: f64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE exports SET rows_done = $1, rows_total = COALESCE($2, rows_total), \
             progress = $3, heartbeat_at = $4 WHERE id = $5 AND status = 'running'",
        )
        .bind(rows_done)
        .bind(rows_total)
        .bind(progress.clamp(0.0, 1.0))
        .bind(to_millis(Timestamp::now()))
        .bind(export_id.to_string())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Tells that the node building the export is still at it.
    pub async fn export_heartbeat(&self, export_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE exports SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'")
            .bind(to_millis(Timestamp::now()))
            .bind(export_id.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Stores the `seq`th piece of the export's file.
    pub async fn put_export_chunk(
        &self,
        export_id: Uuid,
        seq: i64,
        data: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO export_chunks (export_id, seq, data) VALUES ($1, $2, $3)")
            .bind(export_id.to_string())
            .bind(seq)
            .bind(data.to_vec())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The `seq`th piece of the export's file, if there is one.
    pub async fn export_chunk(
        &self,
        export_id: Uuid,
        seq: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT data FROM export_chunks WHERE export_id = $1 AND seq = $2")
            .bind(export_id.to_string())
            .bind(seq)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get("data")).transpose()?)
    }

    /// Marks a running export done, its file stored whole.
    pub async fn finish_export(
        &self,
        export_id: Uuid,
        rows_done: i64,
        sheets: i64,
        size_bytes: i64,
    ) -> Result<(), StoreError> {
        let now = to_millis(Timestamp::now());
        sqlx::query(
            "UPDATE exports SET status = 'done', progress = 1, rows_done = $1, sheets = $2, \
             size_bytes = $3, finished_at = $4, heartbeat_at = $4 WHERE id = $5 AND status = 'running'",
        )
        .bind(rows_done)
        .bind(sheets)
        .bind(size_bytes)
        .bind(now)
        .bind(export_id.to_string())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Marks an export failed and drops what it had stored of its file.
    pub async fn fail_export(&self, export_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE exports SET status = $1, finished_at = $2 WHERE id = $3")
            .bind(Status::Failed.code())
            .bind(to_millis(Timestamp::now()))
            .bind(export_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM export_chunks WHERE export_id = $1")
            .bind(export_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the exports expired at `now`, files and all, and fails those whose node stopped
    /// building them. Returns how many were deleted.
    #[tracing::instrument(skip(self))]
    pub async fn purge_exports(&self, now: Timestamp) -> Result<u64, StoreError> {
        let now = to_millis(now);
        let stale =
            sqlx::query("SELECT id FROM exports WHERE status = 'running' AND heartbeat_at < $1")
                .bind(now - STALE_MS)
                .fetch_all(&self.read)
                .await?;
        for row in &stale {
            self.fail_export(id(row.try_get("id")?)?).await?;
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "DELETE FROM export_chunks WHERE export_id IN \
             (SELECT id FROM exports WHERE expires_at <= $1)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM exports WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }

    /// The addresses left by these reviews and still within their retention at `now`.
    pub async fn contact_emails_of(
        &self,
        reviews: &[Uuid],
        now: Timestamp,
    ) -> Result<HashMap<Uuid, String>, StoreError> {
        if reviews.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT review_id, email FROM contact_emails WHERE delete_after >= $1 AND review_id IN ({})",
            placeholders(2, reviews.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_millis(now));
        for review in reviews {
            query = query.bind(review.to_string());
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| Ok((id(row.try_get("review_id")?)?, row.try_get("email")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

fn export(row: &AnyRow) -> Result<Export, sqlx::Error> {
    let optional_id = |name: &str| -> Result<Option<Uuid>, sqlx::Error> {
        let value: Option<String> = row.try_get(name)?;
        value.as_deref().map(id).transpose()
    };
    let heartbeat = row.try_get::<i64, _>("heartbeat_at")?;
    let status = match row.try_get::<String, _>("status")?.as_str() {
        "running" if heartbeat < to_millis(Timestamp::now()) - STALE_MS => Status::Failed,
        "running" => Status::Running,
        "done" => Status::Done,
        _ => Status::Failed,
    };
    Ok(Export {
        id: id(row.try_get("id")?)?,
        status,
        organisation_id: optional_id("organisation_id")?,
        filter: row.try_get("filter")?,
        lang: row.try_get("lang")?,
        with_contacts: flag(row.try_get("with_contacts")?),
        created_by_user: optional_id("created_by_user")?,
        created_by_key: optional_id("created_by_key")?,
        created_at: from_millis(row.try_get("created_at")?),
        finished_at: row
            .try_get::<Option<i64>, _>("finished_at")?
            .map(from_millis),
        expires_at: from_millis(row.try_get("expires_at")?),
        progress: row.try_get("progress")?,
        rows_total: row.try_get("rows_total")?,
        rows_done: row.try_get("rows_done")?,
        sheets: row.try_get("sheets")?,
        size_bytes: row.try_get("size_bytes")?,
    })
}
