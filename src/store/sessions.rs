//! Back-office sessions, kept in the database so every node behind a load balancer shares them
//! and an account's sessions can be ended at once; and failed sign-ins, counted per subject.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::people::end_sessions_but;
use super::{Store, StoreError, id};
use crate::domain::secret;
use crate::domain::time::{from_millis, to_millis};

/// A live session, found by its cookie's secret.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub user_agent: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    /// Given by the identity provider the person signed in with, to sign out there too.
    pub id_token: Option<String>,
}

/// A session just opened, with the secret its cookie carries.
pub struct OpenedSession {
    pub session: Session,
    pub secret: String,
}

/// How long a session lives: without a request, and at most.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
}

impl Default for SessionLimits {
    fn default() -> SessionLimits {
        SessionLimits {
            idle_seconds: 2 * 3_600,
            absolute_seconds: 12 * 3_600,
        }
    }
}

/// How stale a session's recorded last request may be: a write on every page would be wasted.
const LAST_SEEN_PRECISION_MS: i64 = 60_000;

const SESSION_COLUMNS: &str = "SELECT s.id, s.user_id, s.csrf_token, s.user_agent, s.created_at, \
     s.last_seen_at, s.expires_at, s.id_token FROM sessions s JOIN users u ON u.id = s.user_id";

impl Store {
    /// Opens a new session for an account: a new id and secret every sign-in.
    pub async fn open_session(
        &self,
        user_id: Uuid,
        user_agent: &str,
        limits: SessionLimits,
        id_token: Option<&str>,
    ) -> Result<OpenedSession, StoreError> {
        let secret = secret::random_token();
        let now = Timestamp::now();
        let session = Session {
            id: Uuid::now_v7(),
            user_id,
            csrf_token: secret::random_token(),
            user_agent: user_agent.chars().take(200).collect(),
            created_at: now,
            last_seen_at: now,
            expires_at: from_millis(to_millis(now) + limits.absolute_seconds * 1_000),
            id_token: id_token.map(ToOwned::to_owned),
        };
        sqlx::query(
            "INSERT INTO sessions (id, secret_hash, user_id, csrf_token, user_agent, created_at, \
             last_seen_at, expires_at, id_token) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
        )
        .bind(session.id.to_string())
        .bind(secret::hash(&secret))
        .bind(user_id.to_string())
        .bind(&session.csrf_token)
        .bind(&session.user_agent)
        .bind(to_millis(now))
        .bind(to_millis(session.expires_at))
        .bind(session.id_token.as_deref())
        .execute(&self.write)
        .await?;
        Ok(OpenedSession { session, secret })
    }

    /// The live session of a cookie's secret: not ended, not past its absolute or idle limit,
    /// of an account that is not disabled. Records the request, to the minute.
    pub async fn find_session(
        &self,
        secret: &str,
        limits: SessionLimits,
    ) -> Result<Option<Session>, StoreError> {
        let now = to_millis(Timestamp::now());
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SESSION_COLUMNS} WHERE s.secret_hash = $1 AND s.ended_at IS NULL \
             AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL"
        )))
        .bind(secret::hash(secret))
        .bind(now)
        .bind(now - limits.idle_seconds * 1_000)
        .fetch_optional(&self.read)
        .await?;
        let Some(session) = row.as_ref().map(session).transpose()? else {
            return Ok(None);
        };
        if now - to_millis(session.last_seen_at) >= LAST_SEEN_PRECISION_MS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(session.id.to_string())
                .execute(&self.write)
                .await?;
        }
        Ok(Some(session))
    }

    /// The open sessions of an account, newest first.
    pub async fn list_sessions(
        &self,
        user_id: Uuid,
        limits: SessionLimits,
    ) -> Result<Vec<Session>, StoreError> {
        let now = to_millis(Timestamp::now());
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SESSION_COLUMNS} WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 \
             AND s.last_seen_at > $3 ORDER BY s.created_at DESC"
        )))
        .bind(user_id.to_string())
        .bind(now)
        .bind(now - limits.idle_seconds * 1_000)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(session).collect::<Result<_, _>>()?)
    }

    /// Ends one session of an account.
    pub async fn end_session(&self, user_id: Uuid, session_id: Uuid) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET ended_at = $1 WHERE id = $2 AND user_id = $3 AND ended_at IS NULL",
        )
        .bind(to_millis(Timestamp::now()))
        .bind(session_id.to_string())
        .bind(user_id.to_string())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Ends every session of an account but `keep`.
    pub async fn end_other_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        end_sessions_but(&mut tx, user_id, keep).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed sign-in against each subject (an address, an account's email).
    pub async fn record_sign_in_failure(&self, subjects: &[String]) -> Result<(), StoreError> {
        let now = to_millis(Timestamp::now());
        for subject in subjects {
            sqlx::query("INSERT INTO sign_in_failures (subject, at) VALUES ($1, $2)")
                .bind(subject)
                .bind(now)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Failed sign-ins of a subject since `since`.
    pub async fn sign_in_failures(
        &self,
        subject: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(
            sqlx::query(
                "SELECT COUNT(*) AS n FROM sign_in_failures WHERE subject = $1 AND at > $2",
            )
            .bind(subject)
            .bind(to_millis(since))
            .fetch_one(&self.read)
            .await?
            .try_get("n")?,
        )
    }

    /// Forgets failed sign-ins, and sessions ended or expired, older than `before`.
    pub async fn purge_sign_ins(&self, before: Timestamp) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(to_millis(before))
            .execute(&self.write)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1")
            .bind(to_millis(before))
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

fn session(row: &AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: id(row.try_get("id")?)?,
        user_id: id(row.try_get("user_id")?)?,
        csrf_token: row.try_get("csrf_token")?,
        user_agent: row.try_get("user_agent")?,
        created_at: from_millis(row.try_get("created_at")?),
        last_seen_at: from_millis(row.try_get("last_seen_at")?),
        expires_at: from_millis(row.try_get("expires_at")?),
        id_token: row.try_get("id_token")?,
    })
}
