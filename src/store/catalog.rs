//! Organisations and procedures, the things administrations register (buttons: `buttons`).

use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

pub use super::buttons::{Button, NewButton};
use super::{Backend, Store, StoreError, flag, id};
use crate::domain::catalog::{Name, Tag};
use crate::domain::time::{from_millis, to_millis};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
    /// Its entity id in the incumbent's database, when it was imported from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Procedure {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub external_id: Option<String>,
    pub is_essential: bool,
    pub is_public: bool,
    pub yearly_volume: Option<i64>,
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Its product id in the incumbent's database, when it was imported from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_id: Option<i64>,
    /// The démarche id of the incumbent's XWiki era, which its oldest links carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_xwiki_id: Option<i64>,
}

pub struct NewProcedure {
    pub organisation_id: Uuid,
    pub title: Name,
    pub external_id: Option<Tag>,
    pub is_essential: bool,
    pub is_public: bool,
    pub yearly_volume: Option<i64>,
}

macro_rules! procedure_fields {
    () => {
        "id, organisation_id, title, external_id, is_essential, is_public, yearly_volume, \
         closed_at, created_at, legacy_id, legacy_xwiki_id"
    };
}
const PROCEDURE_FIELDS: &str = procedure_fields!();
const PROCEDURE_COLUMNS: &str = concat!("SELECT ", procedure_fields!(), " FROM procedures");

/// A procedure as [`Store::list_procedures`] reads it: every procedure comes in one JSON array
/// of these, in one row. sqlx hands each row from SQLite's thread to the caller's with a
/// wake-up and builds it anew for the `Any` driver, which cost more than the row's work.
#[derive(serde::Deserialize)]
struct Listed(
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
);

impl Listed {
    fn procedure(self) -> Result<Procedure, sqlx::Error> {
        let Listed(
            id_,
            organisation_id,
            title,
            external_id,
            essential,
            public,
            volume,
            closed,
            created,
            legacy_id,
            legacy_xwiki_id,
        ) = self;
        Ok(Procedure {
            id: id(&id_)?,
            organisation_id: id(&organisation_id)?,
            title,
            external_id,
            is_essential: flag(essential),
            is_public: flag(public),
            yearly_volume: volume,
            closed_at: closed.map(from_millis),
            created_at: from_millis(created),
            legacy_id,
            legacy_xwiki_id,
        })
    }
}

impl Store {
    #[tracing::instrument(skip(self))]
    pub async fn create_organisation(&self, name: &Name) -> Result<Organisation, StoreError> {
        let organisation = Organisation {
            id: Uuid::now_v7(),
            name: name.as_str().to_owned(),
            created_at: Timestamp::now(),
            legacy_id: None,
        };
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(organisation.id.to_string())
            .bind(&organisation.name)
            .bind(to_millis(organisation.created_at))
            .execute(&self.write)
            .await
            .map_err(|e| StoreError::unique(e, "an organisation with this name"))?;
        Ok(organisation)
    }

    pub async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, created_at, legacy_id FROM organisations ORDER BY name")
                .fetch_all(&self.read)
                .await?;
        Ok(rows.iter().map(organisation).collect::<Result<_, _>>()?)
    }

    pub async fn find_organisation(
        &self,
        organisation_id: Uuid,
    ) -> Result<Option<Organisation>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, created_at, legacy_id FROM organisations WHERE id = $1")
                .bind(organisation_id.to_string())
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(organisation).transpose()?)
    }

    /// Writes an organisation's mutable fields (its name).
    pub async fn save_organisation(&self, organisation: &Organisation) -> Result<(), StoreError> {
        sqlx::query("UPDATE organisations SET name = $1 WHERE id = $2")
            .bind(&organisation.name)
            .bind(organisation.id.to_string())
            .execute(&self.write)
            .await
            .map_err(|e| StoreError::unique(e, "an organisation with this name"))?;
        Ok(())
    }

    /// Writes a procedure's mutable fields; its organisation never changes.
    pub async fn save_procedure(&self, procedure: &Procedure) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE procedures SET title = $1, external_id = $2, is_essential = $3, is_public = $4, \
             yearly_volume = $5, closed_at = $6 WHERE id = $7",
        )
        .bind(&procedure.title)
        .bind(procedure.external_id.clone())
        .bind(i64::from(procedure.is_essential))
        .bind(i64::from(procedure.is_public))
        .bind(procedure.yearly_volume)
        .bind(procedure.closed_at.map(to_millis))
        .bind(procedure.id.to_string())
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "a procedure with this external id"))?;
        self.buttons.forget();
        Ok(())
    }

    pub async fn find_organisation_by_name(
        &self,
        name: &Name,
    ) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, created_at, legacy_id FROM organisations WHERE name = $1",
        )
        .bind(name.as_str())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(organisation).transpose()?)
    }

    #[tracing::instrument(skip(self, new))]
    pub async fn create_procedure(&self, new: &NewProcedure) -> Result<Procedure, StoreError> {
        if !self.exists("organisation", new.organisation_id).await? {
            return Err(StoreError::NotFound("organisation"));
        }
        let procedure = Procedure {
            id: Uuid::now_v7(),
            organisation_id: new.organisation_id,
            title: new.title.as_str().to_owned(),
            external_id: new.external_id.as_ref().map(|t| t.as_str().to_owned()),
            is_essential: new.is_essential,
            is_public: new.is_public,
            yearly_volume: new.yearly_volume,
            closed_at: None,
            created_at: Timestamp::now(),
            legacy_id: None,
            legacy_xwiki_id: None,
        };
        sqlx::query(
            "INSERT INTO procedures (id, organisation_id, title, external_id, is_essential, is_public, \
             yearly_volume, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(procedure.id.to_string())
        .bind(procedure.organisation_id.to_string())
        .bind(&procedure.title)
        .bind(procedure.external_id.clone())
        .bind(i64::from(procedure.is_essential))
        .bind(i64::from(procedure.is_public))
        .bind(procedure.yearly_volume)
        .bind(to_millis(procedure.created_at))
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "a procedure with this external id"))?;
        Ok(procedure)
    }

    pub async fn list_procedures(
        &self,
        organisation: Option<Uuid>,
    ) -> Result<Vec<Procedure>, StoreError> {
        let only = if organisation.is_some() {
            " WHERE organisation_id = $1"
        } else {
            ""
        };
        let (all, array) = match self.backend {
            Backend::Sqlite => ("json_group_array", "json_array"),
            Backend::Postgres => ("json_agg", "json_build_array"),
        };
        let sql = format!(
            "SELECT CAST({all}({array}({PROCEDURE_FIELDS}) ORDER BY title) AS TEXT) AS list \
             FROM procedures{only}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(organisation) = organisation {
            query = query.bind(organisation.to_string());
        }
        let list: Option<String> = query.fetch_one(&self.read).await?.try_get("list")?;
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let listed: Vec<Listed> =
            serde_json::from_str(&list).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(listed
            .into_iter()
            .map(Listed::procedure)
            .collect::<Result<_, _>>()?)
    }

    pub async fn find_procedure(
        &self,
        procedure_id: Uuid,
    ) -> Result<Option<Procedure>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PROCEDURE_COLUMNS} WHERE id = $1"
        )))
        .bind(procedure_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(procedure).transpose()?)
    }

    pub async fn find_procedure_by_external_id(
        &self,
        external_id: &Tag,
    ) -> Result<Option<Procedure>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PROCEDURE_COLUMNS} WHERE external_id = $1"
        )))
        .bind(external_id.as_str())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(procedure).transpose()?)
    }

    /// Stops every button of a procedure from taking reviews; its reviews and counts stay.
    pub async fn close_procedure(&self, procedure_id: Uuid) -> Result<(), StoreError> {
        self.mark_closed(
            "UPDATE procedures SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL",
            procedure_id,
            "procedure",
        )
        .await
    }

    pub(super) async fn mark_closed(
        &self,
        statement: &'static str,
        target: Uuid,
        what: &'static str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(statement)
            .bind(to_millis(Timestamp::now()))
            .bind(target.to_string())
            .execute(&self.write)
            .await?;
        self.buttons.forget();
        if done.rows_affected() == 0 && !self.exists(what, target).await? {
            return Err(StoreError::NotFound(what));
        }
        Ok(())
    }

    pub(super) async fn exists(
        &self,
        what: &'static str,
        target: Uuid,
    ) -> Result<bool, StoreError> {
        let statement = match what {
            "button" => "SELECT 1 FROM buttons WHERE id = $1",
            "procedure" => "SELECT 1 FROM procedures WHERE id = $1",
            _ => "SELECT 1 FROM organisations WHERE id = $1",
        };
        let row = sqlx::query(statement)
            .bind(target.to_string())
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }
}

fn organisation(row: &AnyRow) -> Result<Organisation, sqlx::Error> {
    Ok(Organisation {
        id: id(row.try_get("id")?)?,
        name: row.try_get("name")?,
        created_at: from_millis(row.try_get("created_at")?),
        legacy_id: row.try_get("legacy_id")?,
    })
}

fn procedure(row: &AnyRow) -> Result<Procedure, sqlx::Error> {
    Ok(Procedure {
        id: id(row.try_get("id")?)?,
        organisation_id: id(row.try_get("organisation_id")?)?,
        title: row.try_get("title")?,
        external_id: row.try_get("external_id")?,
        is_essential: flag(row.try_get("is_essential")?),
        is_public: flag(row.try_get("is_public")?),
        yearly_volume: row.try_get("yearly_volume")?,
        closed_at: row.try_get::<Option<i64>, _>("closed_at")?.map(from_millis),
        created_at: from_millis(row.try_get("created_at")?),
        legacy_id: row.try_get("legacy_id")?,
        legacy_xwiki_id: row.try_get("legacy_xwiki_id")?,
    })
}
