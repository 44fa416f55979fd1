//! Buttons: the places where a procedure's questionnaire is offered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, flag, id};
use crate::domain::catalog::{Name, Origin, Tag};
use crate::domain::time::{from_millis, to_millis};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Button {
    pub id: Uuid,
    pub procedure_id: Uuid,
    pub label: String,
    pub source: String,
    pub allowed_origins: Vec<Origin>,
    pub is_test: bool,
    /// Whether the button offers to leave an email address to be contacted back.
    pub asks_contact_email: bool,
    /// Whether each new review must carry a solved proof of work (ALTCHA challenge).
    pub requires_proof_of_work: bool,
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Whether the button and its procedure both still accept reviews.
    pub is_open: bool,
    /// Its id in the incumbent's database, when it was imported from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_id: Option<i64>,
    /// Its legacy title there: the `nd_source` value of the XWiki-era links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_source: Option<String>,
}

pub struct NewButton {
    pub procedure_id: Uuid,
    pub label: Name,
    pub source: Tag,
    pub allowed_origins: Vec<Origin>,
    pub is_test: bool,
}

/// How long a button read for a citizen's request is trusted. Changes made through this store
/// apply at once; made by another node or process, within this time.
const RECENT_SECONDS: u64 = 5;

/// Buttons read lately, by id, with when they were read; and when stale ones were last dropped.
#[derive(Debug, Default)]
pub struct RecentButtons(Mutex<(ReadAt, Option<Instant>)>);

type ReadAt = HashMap<Uuid, (Instant, Button)>;

impl RecentButtons {
    fn get(&self, id: Uuid) -> Option<Button> {
        let recent = self.0.lock().ok()?;
        let (read_at, button) = recent.0.get(&id)?;
        (read_at.elapsed().as_secs() < RECENT_SECONDS).then(|| button.clone())
    }

    fn keep(&self, button: &Button) {
        if let Ok(mut recent) = self.0.lock() {
            let (buttons, swept) = &mut *recent;
            // Stale entries go once per period, not on every miss: a miss stays cheap however
            // many buttons there are.
            if swept.is_none_or(|at| at.elapsed().as_secs() >= RECENT_SECONDS) {
                buttons.retain(|_, (read_at, _)| read_at.elapsed().as_secs() < RECENT_SECONDS);
                *swept = Some(Instant::now());
            }
            buttons.insert(button.id, (Instant::now(), button.clone()));
        }
    }

    /// Forgets every button: called on any change to buttons or procedures.
    pub(super) fn forget(&self) {
        if let Ok(mut recent) = self.0.lock() {
            recent.0.clear();
        }
    }
}

const BUTTON_QUERY: &str = "SELECT b.id, b.procedure_id, b.label, b.source, b.allowed_origins, \
     b.is_test, b.asks_contact_email, b.requires_proof_of_work, b.closed_at, b.created_at, b.legacy_id, b.legacy_source, p.closed_at AS procedure_closed_at \
     FROM buttons b JOIN procedures p ON p.id = b.procedure_id";

impl Store {
    /// Writes a button's mutable fields; its procedure never changes.
    pub async fn save_button(&self, button: &Button) -> Result<(), StoreError> {
        let origins = serde_json::to_string(&button.allowed_origins)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "UPDATE buttons SET label = $1, source = $2, allowed_origins = $3, is_test = $4, closed_at = $5, \
             asks_contact_email = $6, requires_proof_of_work = $7 WHERE id = $8",
        )
        .bind(&button.label)
        .bind(&button.source)
        .bind(origins)
        .bind(i64::from(button.is_test))
        .bind(button.closed_at.map(to_millis))
        .bind(i64::from(button.asks_contact_email))
        .bind(i64::from(button.requires_proof_of_work))
        .bind(button.id.to_string())
        .execute(&self.write)
        .await?;
        self.buttons.forget();
        Ok(())
    }

    #[tracing::instrument(skip(self, new))]
    pub async fn create_button(&self, new: &NewButton) -> Result<Button, StoreError> {
        if !self.exists("procedure", new.procedure_id).await? {
            return Err(StoreError::NotFound("procedure"));
        }
        let id = Uuid::now_v7();
        let origins = serde_json::to_string(&new.allowed_origins)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO buttons (id, procedure_id, label, source, allowed_origins, is_test, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(new.procedure_id.to_string())
        .bind(new.label.as_str())
        .bind(new.source.as_str())
        .bind(origins)
        .bind(i64::from(new.is_test))
        .bind(to_millis(Timestamp::now()))
        .execute(&self.write)
        .await?;
        self.find_button(id)
            .await?
            .ok_or(StoreError::NotFound("button"))
    }

    pub async fn find_button(&self, button_id: Uuid) -> Result<Option<Button>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{BUTTON_QUERY} WHERE b.id = $1"
        )))
        .bind(button_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(button).transpose()?)
    }

    /// A button as read at most a few seconds ago: for the public paths, which read the same
    /// buttons over and over.
    pub async fn find_button_recent(&self, button_id: Uuid) -> Result<Option<Button>, StoreError> {
        if let Some(button) = self.buttons.get(button_id) {
            return Ok(Some(button));
        }
        let button = self.find_button(button_id).await?;
        if let Some(button) = &button {
            self.buttons.keep(button);
        }
        Ok(button)
    }

    /// Stops a button from taking reviews; the reviews it took stay.
    pub async fn close_button(&self, button_id: Uuid) -> Result<(), StoreError> {
        self.mark_closed(
            "UPDATE buttons SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL",
            button_id,
            "button",
        )
        .await
    }

    pub async fn list_buttons(&self, procedure: Option<Uuid>) -> Result<Vec<Button>, StoreError> {
        let rows = match procedure {
            Some(p) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{BUTTON_QUERY} WHERE b.procedure_id = $1 ORDER BY b.label"
                )))
                .bind(p.to_string())
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{BUTTON_QUERY} ORDER BY b.label"
                )))
                .fetch_all(&self.read)
                .await?
            }
        };
        Ok(rows.iter().map(button).collect::<Result<_, _>>()?)
    }
}

fn button(row: &AnyRow) -> Result<Button, sqlx::Error> {
    let origins: String = row.try_get("allowed_origins")?;
    let closed_at = row.try_get::<Option<i64>, _>("closed_at")?.map(from_millis);
    let procedure_closed = row
        .try_get::<Option<i64>, _>("procedure_closed_at")?
        .is_some();
    Ok(Button {
        id: id(row.try_get("id")?)?,
        procedure_id: id(row.try_get("procedure_id")?)?,
        label: row.try_get("label")?,
        source: row.try_get("source")?,
        allowed_origins: serde_json::from_str(&origins)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        is_test: flag(row.try_get("is_test")?),
        asks_contact_email: flag(row.try_get("asks_contact_email")?),
        requires_proof_of_work: flag(row.try_get("requires_proof_of_work")?),
        is_open: closed_at.is_none() && !procedure_closed,
        closed_at,
        created_at: from_millis(row.try_get("created_at")?),
        legacy_id: row.try_get("legacy_id")?,
        legacy_source: row.try_get("legacy_source")?,
    })
}
