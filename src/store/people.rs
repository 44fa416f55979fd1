//! People of the back-office: accounts and their organisations. Invitations and password
//! resets: `invitations`; sessions and failed sign-ins: `sessions`.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, containing, flag, id};
use crate::domain::people::{Email, Grant, Role};
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

const USER_FIELDS: &str = "id, email, display_name, is_superadmin, lang, \
     CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, disabled_at, created_at";

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
    /// Accounts whose email or name contains `search` (any case; all when empty), by email, a
    /// page at a time; and how many match in all.
    pub async fn list_users(
        &self,
        search: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<User>, i64), StoreError> {
        let pattern = containing(search);
        const MATCHING: &str = "($1 = '%%' OR email LIKE $1 ESCAPE '\\' \
             OR lower(display_name) LIKE $1 ESCAPE '\\')";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_FIELDS} FROM users WHERE {MATCHING} ORDER BY email LIMIT $2 OFFSET $3"
        )))
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM users WHERE {MATCHING}"
        )))
        .bind(&pattern)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        Ok((rows.iter().map(user).collect::<Result<_, _>>()?, total))
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
}

/// Gives `user_id` what an invitation grants, in `tx`.
pub(super) async fn grant(
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

pub(super) fn role(code: String) -> Result<Role, sqlx::Error> {
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
