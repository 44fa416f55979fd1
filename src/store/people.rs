//! People of the back-office: accounts, their organisations, invitations and password resets.
//! Sessions and failed sign-ins: `sessions`. Invitation and reset links are stored as hashes.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, flag, id};
use crate::domain::people::{Email, Grant, Role};
use crate::domain::secret;
use crate::domain::time::{from_millis, to_millis};

/// An account, never its password hash.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_superadmin: bool,
    pub lang: String,
    pub has_password: bool,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// One organisation of a person's, with their role in it.
#[derive(Debug, Clone)]
pub struct Membership {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub role: Role,
}

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

const USER_FIELDS: &str = "id, email, display_name, is_superadmin, lang, \
     CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, disabled_at, created_at";

const INVITATION_COLUMNS: &str = "SELECT i.id, i.email, i.organisation_id, i.role, i.created_at, \
     i.expires_at, o.name AS organisation_name \
     FROM invitations i LEFT JOIN organisations o ON o.id = i.organisation_id";

/// Invitations and resets not used, not revoked, not expired, as a condition on `i`.
const LIVE_INVITATION: &str = "i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2";

impl Store {
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?)
    }

    pub async fn find_user(&self, user_id: Uuid) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_FIELDS} FROM users WHERE id = $1"
        )))
        .bind(user_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(user).transpose()?)
    }

    /// The account of `email` and its password hash, if it has one.
    pub async fn find_user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_FIELDS}, password_hash FROM users WHERE email = $1"
        )))
        .bind(email.as_str())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref()
            .map(|row| Ok((user(row)?, row.try_get("password_hash")?)))
            .transpose()
            .map_err(|e: sqlx::Error| e.into())
    }

    /// The password hash of an account, to check its current password.
    pub async fn password_hash(&self, user_id: Uuid) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id.to_string())
            .fetch_optional(&self.read)
            .await?;
        Ok(row
            .map(|r| r.try_get("password_hash"))
            .transpose()?
            .flatten())
    }

    /// Accounts by email, a page at a time.
    pub async fn list_users(&self, offset: i64, limit: i64) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_FIELDS} FROM users ORDER BY email LIMIT $1 OFFSET $2"
        )))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(user).collect::<Result<_, _>>()?)
    }

    /// A new account, made by the first sign-in through an identity provider (no password).
    pub async fn create_user(&self, email: &Email, name: &str) -> Result<User, StoreError> {
        let user_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, lang, created_at) VALUES ($1, $2, $3, 'fr', $4)",
        )
        .bind(user_id.to_string())
        .bind(email.as_str())
        .bind(name)
        .bind(to_millis(Timestamp::now()))
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "account"))?;
        self.find_user(user_id)
            .await?
            .ok_or(StoreError::NotFound("account"))
    }

    pub async fn rename_user(&self, user_id: Uuid, name: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(user_id.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn set_user_lang(&self, user_id: Uuid, lang: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(user_id.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Sets a new password hash and ends every session of the account but `keep`.
    pub async fn set_password_hash(
        &self,
        user_id: Uuid,
        hash: &str,
        keep: Option<Uuid>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        end_sessions_but(&mut tx, user_id, keep).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables an account (its sessions end at once) or enables it again.
    pub async fn set_user_disabled(&self, user_id: Uuid, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let at = disabled.then(|| to_millis(Timestamp::now()));
        let done = sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("account"));
        }
        if disabled {
            end_sessions_but(&mut tx, user_id, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The organisations of a person, by name.
    pub async fn memberships(&self, user_id: Uuid) -> Result<Vec<Membership>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.organisation_id, m.role, o.name FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $1 ORDER BY o.name",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(Membership {
                    organisation_id: id(row.try_get("organisation_id")?)?,
                    organisation_name: row.try_get("name")?,
                    role: role(row.try_get("role")?)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// The people of an organisation with their roles, by email.
    pub async fn members(&self, organisation: Uuid) -> Result<Vec<(User, Role)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT u.*, m.role FROM (SELECT {USER_FIELDS} FROM users) u \
             JOIN memberships m ON m.user_id = u.id WHERE m.organisation_id = $1 ORDER BY u.email"
        )))
        .bind(organisation.to_string())
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((user(row)?, role(row.try_get("role")?)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Gives a person a role in an organisation, or changes it.
    pub async fn set_membership(
        &self,
        user_id: Uuid,
        organisation: Uuid,
        role: Role,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        grant(&mut tx, user_id, Grant::Organisation(organisation, role)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_membership(
        &self,
        user_id: Uuid,
        organisation: Uuid,
    ) -> Result<(), StoreError> {
        let done =
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND organisation_id = $2")
                .bind(user_id.to_string())
                .bind(organisation.to_string())
                .execute(&self.write)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("member"));
        }
        Ok(())
    }

    /// A new invitation; returns it and the secret of its link.
    pub async fn create_invitation(
        &self,
        email: Option<&Email>,
        what: Grant,
        invited_by: Option<Uuid>,
        ttl_seconds: i64,
    ) -> Result<(Invitation, String), StoreError> {
        let token = secret::random_token();
        let invitation_id = Uuid::now_v7();
        let now = Timestamp::now();
        let expires = to_millis(now) + ttl_seconds * 1_000;
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
        .execute(&self.write)
        .await?;
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

    /// A password reset link for an account; returns its secret.
    pub async fn create_password_reset(
        &self,
        user_id: Uuid,
        created_by: Option<Uuid>,
        ttl_seconds: i64,
    ) -> Result<String, StoreError> {
        let token = secret::random_token();
        let now = to_millis(Timestamp::now());
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret::hash(&token))
        .bind(user_id.to_string())
        .bind(created_by.map(|u| u.to_string()))
        .bind(now)
        .bind(now + ttl_seconds * 1_000)
        .execute(&self.write)
        .await?;
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

/// Gives `user_id` what an invitation grants, in `tx`.
async fn grant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: Uuid,
    what: Grant,
) -> Result<(), sqlx::Error> {
    match what {
        Grant::Superadmin => {
            sqlx::query("UPDATE users SET is_superadmin = 1 WHERE id = $1")
                .bind(user_id.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Grant::Organisation(organisation, role) => {
            sqlx::query(
                "INSERT INTO memberships (user_id, organisation_id, role, created_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user_id.to_string())
            .bind(organisation.to_string())
            .bind(role.code())
            .bind(to_millis(Timestamp::now()))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Ends every open session of an account but `keep`.
pub(super) async fn end_sessions_but(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL AND id <> $3",
    )
    .bind(to_millis(Timestamp::now()))
    .bind(user_id.to_string())
    .bind(keep.map(|k| k.to_string()).unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn role(code: String) -> Result<Role, sqlx::Error> {
    Role::parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {code}").into()))
}

fn user(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: id(row.try_get("id")?)?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        is_superadmin: flag(row.try_get("is_superadmin")?),
        lang: row.try_get("lang")?,
        has_password: flag(row.try_get("has_password")?),
        disabled_at: row
            .try_get::<Option<i64>, _>("disabled_at")?
            .map(from_millis),
        created_at: from_millis(row.try_get("created_at")?),
    })
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
