//! Invitations and password reset links: single use, expiring, stored only as hashes.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::mail::{Compose, queue};
use super::people::{User, end_sessions_but, grant, role};
use super::{Store, StoreError, id};
use crate::domain::people::{Email, Grant};
use crate::domain::secret;
use crate::domain::time::{from_millis, to_millis};

/// An invitation as its page and its organisation's listing show it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: Uuid,
    /// None for the first account's, which asks for the address.
    pub email: Option<String>,
    pub grant: Grant,
    pub organisation_name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Why an invitation or reset link could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link is unknown, used, revoked or expired")]
    Dead,
    #[error("the account is disabled")]
    Disabled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for LinkError {
    fn from(err: sqlx::Error) -> LinkError {
        LinkError::Store(err.into())
    }
}

const INVITATION_COLUMNS: &str = "SELECT i.id, i.email, i.organisation_id, i.role, i.created_at, \
     i.expires_at, o.name AS organisation_name \
     FROM invitations i LEFT JOIN organisations o ON o.id = i.organisation_id";

/// Invitations and resets not used, not revoked, not expired, as a condition on `i`.
const LIVE_INVITATION: &str = "i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2";

impl Store {
    /// A new invitation; returns it and the secret of its link. With `mail`, the message it
    /// composes from the secret is queued in the same transaction: no invitation without its
    /// message, no message for an invitation that was not kept.
    pub async fn create_invitation(
        &self,
        email: Option<&Email>,
        what: Grant,
        invited_by: Option<Uuid>,
        ttl_seconds: i64,
        mail: Option<Compose<'_>>,
    ) -> Result<(Invitation, String), StoreError> {
        let token = secret::random_token();
        let invitation_id = Uuid::now_v7();
        let now = Timestamp::now();
        let expires = to_millis(now) + ttl_seconds * 1_000;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO invitations (id, token_hash, email, organisation_id, role, invited_by, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(invitation_id.to_string())
        .bind(secret::hash(&token))
        .bind(email.map(Email::as_str))
        .bind(what.organisation().map(|o| o.to_string()))
        .bind(what.code())
        .bind(invited_by.map(|u| u.to_string()))
        .bind(to_millis(now))
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        if let Some(compose) = mail {
            queue(&mut tx, &compose(&token)).await?;
        }
        tx.commit().await?;
        let invitation = self
            .invitation_where("i.id = $1", &invitation_id.to_string())
            .await?
            .ok_or(StoreError::NotFound("invitation"))?;
        Ok((invitation, token))
    }

    /// The live invitation of a link.
    pub async fn find_invitation(&self, token: &str) -> Result<Option<Invitation>, StoreError> {
        self.invitation_where("i.token_hash = $1", &secret::hash(token))
            .await
    }

    async fn invitation_where(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Option<Invitation>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{INVITATION_COLUMNS} WHERE {condition} AND {LIVE_INVITATION}"
        )))
        .bind(value)
        .bind(to_millis(Timestamp::now()))
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(invitation).transpose()?)
    }

    /// Pending invitations to an organisation, newest first.
    pub async fn pending_invitations(
        &self,
        organisation: Uuid,
    ) -> Result<Vec<Invitation>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{INVITATION_COLUMNS} WHERE i.organisation_id = $1 AND {LIVE_INVITATION} \
             ORDER BY i.created_at DESC"
        )))
        .bind(organisation.to_string())
        .bind(to_millis(Timestamp::now()))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(invitation).collect::<Result<_, _>>()?)
    }

    /// Revokes a pending invitation of an organisation.
    pub async fn revoke_invitation(
        &self,
        invitation_id: Uuid,
        organisation: Uuid,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND organisation_id = $3 \
             AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(to_millis(Timestamp::now()))
        .bind(invitation_id.to_string())
        .bind(organisation.to_string())
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("invitation"));
        }
        Ok(())
    }

    /// Revokes the first account's links not used yet, before a new one is printed.
    pub async fn revoke_setup_invitations(&self) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE email IS NULL AND used_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(to_millis(Timestamp::now()))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Uses an invitation, once: the account of its address (or `email`, for the first
    /// account's) gets its role, and is created with `name` and `password_hash` if new. The
    /// caller has checked an existing account's password.
    pub async fn accept_invitation(
        &self,
        token: &str,
        email: &Email,
        name: &str,
        password_hash: Option<&str>,
    ) -> Result<User, LinkError> {
        let invitation = self.find_invitation(token).await?.ok_or(LinkError::Dead)?;
        let mut tx = self.write.begin().await?;
        let now = to_millis(Timestamp::now());
        let used = sqlx::query(
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(secret::hash(token))
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Err(LinkError::Dead);
        }
        let existing = sqlx::query("SELECT id, disabled_at FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let user_id = match existing {
            Some(row) => {
                if row.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
                    return Err(LinkError::Disabled);
                }
                let user_id = id(row.try_get("id")?)?;
                if let Some(hash) = password_hash {
                    sqlx::query(
                        "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash IS NULL",
                    )
                    .bind(hash)
                    .bind(user_id.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                user_id
            }
            None => {
                let user_id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO users (id, email, display_name, password_hash, lang, created_at) \
                     VALUES ($1, $2, $3, $4, 'fr', $5)",
                )
                .bind(user_id.to_string())
                .bind(email.as_str())
                .bind(name)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                user_id
            }
        };
        grant(&mut tx, user_id, invitation.grant).await?;
        tx.commit().await?;
        Ok(self
            .find_user(user_id)
            .await?
            .ok_or(StoreError::NotFound("account"))?)
    }

    /// A password reset link for an account; returns its secret. With `mail`, the message it
    /// composes from the secret is queued in the same transaction.
    pub async fn create_password_reset(
        &self,
        user_id: Uuid,
        created_by: Option<Uuid>,
        ttl_seconds: i64,
        mail: Option<Compose<'_>>,
    ) -> Result<String, StoreError> {
        let token = secret::random_token();
        let now = to_millis(Timestamp::now());
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret::hash(&token))
        .bind(user_id.to_string())
        .bind(created_by.map(|u| u.to_string()))
        .bind(now)
        .bind(now + ttl_seconds * 1_000)
        .execute(&mut *tx)
        .await?;
        if let Some(compose) = mail {
            queue(&mut tx, &compose(&token)).await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// The account a live reset link is for.
    pub async fn find_password_reset(&self, token: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL \
             AND expires_at > $2",
        )
        .bind(secret::hash(token))
        .bind(to_millis(Timestamp::now()))
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(row) => self.find_user(id(row.try_get("user_id")?)?).await,
            None => Ok(None),
        }
    }

    /// Uses a reset link, once: sets the password and ends every session of the account.
    pub async fn use_password_reset(
        &self,
        token: &str,
        password_hash: &str,
    ) -> Result<User, LinkError> {
        let user = self
            .find_password_reset(token)
            .await?
            .ok_or(LinkError::Dead)?;
        if user.disabled_at.is_some() {
            return Err(LinkError::Disabled);
        }
        let mut tx = self.write.begin().await?;
        let now = to_millis(Timestamp::now());
        let used = sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND expires_at > $1",
        )
        .bind(now)
        .bind(secret::hash(token))
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Err(LinkError::Dead);
        }
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await?;
        end_sessions_but(&mut tx, user.id, None).await?;
        tx.commit().await?;
        Ok(user)
    }
}

fn invitation(row: &AnyRow) -> Result<Invitation, sqlx::Error> {
    let code: String = row.try_get("role")?;
    let organisation: Option<String> = row.try_get("organisation_id")?;
    let what = match (code.as_str(), organisation) {
        ("superadmin", _) => Grant::Superadmin,
        (code, Some(org)) => Grant::Organisation(id(&org)?, role(code.to_owned())?),
        (code, None) => {
            return Err(sqlx::Error::Decode(
                format!("invitation as {code} without an organisation").into(),
            ));
        }
    };
    Ok(Invitation {
        id: id(row.try_get("id")?)?,
        email: row.try_get("email")?,
        grant: what,
        organisation_name: row.try_get("organisation_name")?,
        created_at: from_millis(row.try_get("created_at")?),
        expires_at: from_millis(row.try_get("expires_at")?),
    })
}
