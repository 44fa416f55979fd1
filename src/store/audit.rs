//! The audit log of what people do in the back-office: who, when, what, on which object, in
//! which organisation. Callers never put a secret in it.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, containing, id};
use crate::domain::time::{from_millis, to_millis};

/// One thing a person did, as it is written.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The account that acted, if one did (a failed sign-in has none).
    pub user_id: Option<Uuid>,
    /// Who acted, as shown: the account's email, or the address tried.
    pub actor: &'a str,
    pub organisation_id: Option<Uuid>,
    /// A stable code: `sign_in`, `sign_in_failed`, `invitation_created`, …
    pub action: &'static str,
    /// The id of the object acted upon.
    pub subject: Option<String>,
    /// A short human-readable account of the change.
    pub details: String,
}

/// One entry of the log.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub at: Timestamp,
    pub actor: String,
    pub organisation_id: Option<Uuid>,
    pub action: String,
    pub subject: Option<String>,
    pub details: String,
}

impl Store {
    pub async fn record_event(&self, event: &NewEvent<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (id, at, user_id, actor, organisation_id, action, subject, \
             details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(to_millis(Timestamp::now()))
        .bind(event.user_id.map(|u| u.to_string()))
        .bind(event.actor)
        .bind(event.organisation_id.map(|o| o.to_string()))
        .bind(event.action)
        .bind(event.subject.as_deref())
        .bind(&event.details)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Entries newest first, of one organisation or of all, whose actor, action or details
    /// contain `search` (any case; all when empty), before the entry `before` if given.
    pub async fn list_events(
        &self,
        organisation: Option<Uuid>,
        search: &str,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Event>, StoreError> {
        // Ids are UUIDv7, in the order of their instants: the id alone pages the log.
        let rows = sqlx::query(
            "SELECT id, at, actor, organisation_id, action, subject, details FROM audit_events \
             WHERE ($1 = '' OR organisation_id = $1) AND ($2 = '' OR id < $2) \
             AND ($4 = '%%' OR lower(actor) LIKE $4 ESCAPE '\\' OR action LIKE $4 ESCAPE '\\' \
             OR lower(details) LIKE $4 ESCAPE '\\') \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(organisation.map(|o| o.to_string()).unwrap_or_default())
        .bind(before.map(|b| b.to_string()).unwrap_or_default())
        .bind(limit)
        .bind(containing(search))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(event).collect::<Result<_, _>>()?)
    }
}

fn event(row: &AnyRow) -> Result<Event, sqlx::Error> {
    let organisation: Option<String> = row.try_get("organisation_id")?;
    Ok(Event {
        id: id(row.try_get("id")?)?,
        at: from_millis(row.try_get("at")?),
        actor: row.try_get("actor")?,
        organisation_id: organisation.as_deref().map(id).transpose()?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        details: row.try_get("details")?,
    })
}
