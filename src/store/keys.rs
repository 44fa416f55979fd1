//! API keys: stored as hashes, shown once, revocable, with their last use.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, id};
use crate::domain::catalog::Scope;
use crate::domain::secret;
use crate::domain::time::{from_millis, to_millis};

/// What is known of a key once created: never its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub prefix: String,
    pub scope: Scope,
    pub organisation_id: Option<Uuid>,
    pub created_at: Timestamp,
    /// Last authenticated use, to the minute.
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A key just created, with the secret to hand over once.
pub struct CreatedKey {
    pub key: ApiKey,
    pub secret: String,
}

const KEY_COLUMNS: &str =
    "SELECT id, prefix, scope, organisation_id, created_at, last_used_at, revoked_at FROM api_keys";

/// How stale a key's recorded last use may be.
const LAST_USE_PRECISION_MS: i64 = 60_000;

impl Store {
    #[tracing::instrument(skip(self))]
    pub async fn create_api_key(
        &self,
        scope: Scope,
        organisation: Option<Uuid>,
    ) -> Result<CreatedKey, StoreError> {
        if let Some(org) = organisation
            && !self.exists("organisation", org).await?
        {
            return Err(StoreError::NotFound("organisation"));
        }
        let secret = secret::new_api_key();
        let key = ApiKey {
            id: Uuid::now_v7(),
            prefix: secret::display_prefix(&secret),
            scope,
            organisation_id: organisation,
            created_at: Timestamp::now(),
            last_used_at: None,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, prefix, secret_hash, scope, organisation_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id.to_string())
        .bind(&key.prefix)
        .bind(secret::hash(&secret))
        .bind(scope.code())
        .bind(organisation.map(|o| o.to_string()))
        .bind(to_millis(key.created_at))
        .execute(&self.write)
        .await?;
        Ok(CreatedKey { key, secret })
    }

    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KEY_COLUMNS} ORDER BY created_at"
        )))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(api_key).collect::<Result<_, _>>()?)
    }

    /// The live key whose secret this is, recording its use (to the minute).
    pub async fn authenticate_api_key(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KEY_COLUMNS} WHERE secret_hash = $1 AND revoked_at IS NULL"
        )))
        .bind(secret::hash(secret))
        .fetch_optional(&self.read)
        .await?;
        let Some(key) = row.as_ref().map(api_key).transpose()? else {
            return Ok(None);
        };
        // At most once a minute per key: a write on every call took the write connection from
        // the review writer and, on SQLite, emptied every read connection's page cache.
        let now = Timestamp::now();
        let recent = key
            .last_used_at
            .is_some_and(|at| to_millis(now) - to_millis(at) < LAST_USE_PRECISION_MS);
        if !recent {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(to_millis(now))
                .bind(key.id.to_string())
                .execute(&self.write)
                .await?;
        }
        Ok(Some(key))
    }

    #[tracing::instrument(skip(self))]
    pub async fn revoke_api_key(&self, key_id: Uuid) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(to_millis(Timestamp::now()))
                .bind(key_id.to_string())
                .execute(&self.write)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("live API key"));
        }
        Ok(())
    }
}

fn api_key(row: &AnyRow) -> Result<ApiKey, sqlx::Error> {
    let scope: String = row.try_get("scope")?;
    let organisation: Option<String> = row.try_get("organisation_id")?;
    Ok(ApiKey {
        id: id(row.try_get("id")?)?,
        prefix: row.try_get("prefix")?,
        scope: Scope::parse(&scope).map_err(|e| sqlx::Error::Decode(e.into()))?,
        organisation_id: organisation.as_deref().map(id).transpose()?,
        created_at: from_millis(row.try_get("created_at")?),
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(from_millis),
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(from_millis),
    })
}
