//! What `avis import jdma` writes besides reviews: organisations, procedures and buttons that
//! keep their ids in the incumbent's database, and the reads that tell an import what an earlier
//! one already brought in. Reviews go through [`Store::create_reviews`] like any other, so
//! their counters move in the same transaction.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use super::aggregates::{SUMS, tally};
use super::batch::KnownTotals;
use super::catalog::{NewButton, NewProcedure};
use super::rows::{Cell, Rows, Script, cell, source};
use super::{Store, StoreError, flag, id};
use crate::domain::catalog::Name;
use crate::domain::time::{after_seconds, to_millis};

/// What a button keeps of the incumbent's: its id, its legacy title (the `nd_source` of the
/// XWiki-era links) and its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyButton<'a> {
    pub id: i64,
    pub source: Option<&'a str>,
    pub form: Option<i64>,
}

/// An imported button: its id and its procedure's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedButton {
    pub id: Uuid,
    pub procedure_id: Uuid,
}

impl Store {
    /// Imported organisations, by legacy id.
    pub async fn imported_organisations(&self) -> Result<HashMap<i64, Uuid>, StoreError> {
        self.imported("SELECT legacy_id, id FROM organisations WHERE legacy_id IS NOT NULL")
            .await
    }

    /// Imported procedures, by legacy id.
    pub async fn imported_procedures(&self) -> Result<HashMap<i64, Uuid>, StoreError> {
        self.imported("SELECT legacy_id, id FROM procedures WHERE legacy_id IS NOT NULL")
            .await
    }

    async fn imported(&self, sql: &'static str) -> Result<HashMap<i64, Uuid>, StoreError> {
        let rows = sqlx::query(sql).fetch_all(&self.read).await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            found.insert(row.try_get("legacy_id")?, id(row.try_get("id")?)?);
        }
        Ok(found)
    }

    /// Imported buttons, by legacy id.
    pub async fn imported_buttons(&self) -> Result<HashMap<i64, ImportedButton>, StoreError> {
        let rows = sqlx::query(
            "SELECT legacy_id, id, procedure_id FROM buttons WHERE legacy_id IS NOT NULL",
        )
        .fetch_all(&self.read)
        .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            let button = ImportedButton {
                id: id(row.try_get("id")?)?,
                procedure_id: id(row.try_get("procedure_id")?)?,
            };
            found.insert(row.try_get("legacy_id")?, button);
        }
        Ok(found)
    }

    /// The largest legacy id of the reviews imported so far: an import goes on after it.
    pub async fn last_imported_review(&self) -> Result<Option<i64>, StoreError> {
        let row =
            sqlx::query("SELECT MAX(legacy_id) AS last FROM reviews WHERE legacy_id IS NOT NULL")
                .fetch_one(&self.write)
                .await?;
        Ok(row.try_get("last")?)
    }

    /// The legacy id of the review imported `back` before the last one (the last being the
    /// first), if there are as many.
    #[tracing::instrument(skip(self))]
    pub async fn imported_review_back(&self, back: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT legacy_id FROM reviews WHERE legacy_id IS NOT NULL \
             ORDER BY legacy_id DESC LIMIT 1 OFFSET $1",
        )
        .bind(back)
        .fetch_optional(&self.write)
        .await?;
        Ok(row.map(|row| row.try_get("legacy_id")).transpose()?)
    }

    /// The legacy ids from `first` to `last` of the reviews imported.
    pub async fn imported_review_ids(
        &self,
        first: i64,
        last: i64,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let rows = sqlx::query("SELECT legacy_id FROM reviews WHERE legacy_id BETWEEN $1 AND $2")
            .bind(first)
            .bind(last)
            .fetch_all(&self.write)
            .await?;
        rows.iter()
            .map(|row| row.try_get("legacy_id").map_err(StoreError::from))
            .collect()
    }

    /// Keeps the contact addresses of imported reviews, each `(legacy id, address, when it was
    /// left)`, until the end of their retention period, in one statement; an address a review
    /// already has stays as it is. With these notes (see [`Store::note_legacy_autonomous`]) one
    /// statement per review, each its own transaction, took 14 s of the 71 s an import of a
    /// million reviews took.
    #[tracing::instrument(skip_all, fields(emails = emails.len()))]
    pub async fn save_imported_contact_emails(
        &self,
        emails: &[(i64, String, Timestamp)],
        retention_days: i64,
    ) -> Result<(), StoreError> {
        if emails.is_empty() {
            return Ok(());
        }
        let mut rows = Rows::default();
        for (legacy_id, email, at) in emails {
            let delete_after = to_millis(after_seconds(*at, retention_days * 86_400));
            rows.push([
                Cell::from(*legacy_id),
                Cell::from(email.as_str()),
                Cell::from(to_millis(*at)),
                Cell::from(delete_after),
            ]);
        }
        let mut script = Script::new(self.backend);
        script.push(
            |rows| {
                format!(
                    "INSERT INTO contact_emails (review_id, email, consented_at, delete_after) \
                     SELECT r.id, {}, {}, {} FROM {}, reviews r \
                     WHERE r.legacy_id IS NOT NULL AND r.legacy_id = {} \
                     ON CONFLICT (review_id) DO NOTHING",
                    cell(1, "TEXT"),
                    cell(2, "BIGINT"),
                    cell(3, "BIGINT"),
                    source(rows),
                    cell(0, "BIGINT"),
                )
            },
            rows.into_json(),
        );
        let mut conn = self.write.acquire().await?;
        script.run(&mut conn).await?;
        Ok(())
    }

    /// Creates an organisation imported from the incumbent.
    pub async fn create_imported_organisation(
        &self,
        name: &Name,
        legacy_id: i64,
        created_at: Timestamp,
    ) -> Result<Uuid, StoreError> {
        let new = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO organisations (id, name, created_at, legacy_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(new.to_string())
        .bind(name.as_str())
        .bind(to_millis(created_at))
        .bind(legacy_id)
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "an organisation with this name or legacy id"))?;
        Ok(new)
    }

    /// Creates a procedure imported from the incumbent.
    pub async fn create_imported_procedure(
        &self,
        new: &NewProcedure,
        legacy: (i64, Option<i64>),
        created_at: Timestamp,
    ) -> Result<Uuid, StoreError> {
        let procedure = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO procedures (id, organisation_id, title, external_id, is_essential, is_public, \
             yearly_volume, created_at, legacy_id, legacy_xwiki_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(procedure.to_string())
        .bind(new.organisation_id.to_string())
        .bind(new.title.as_str())
        .bind(new.external_id.as_ref().map(|t| t.as_str().to_owned()))
        .bind(i64::from(new.is_essential))
        .bind(i64::from(new.is_public))
        .bind(new.yearly_volume)
        .bind(to_millis(created_at))
        .bind(legacy.0)
        .bind(legacy.1)
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "a procedure with this external or legacy id"))?;
        Ok(procedure)
    }

    /// Creates a button imported from the incumbent, closed at `closed_at` if given (a button
    /// deleted there).
    pub async fn create_imported_button(
        &self,
        new: &NewButton,
        legacy: LegacyButton<'_>,
        created_at: Timestamp,
        closed_at: Option<Timestamp>,
    ) -> Result<ImportedButton, StoreError> {
        let button = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO buttons (id, procedure_id, label, source, allowed_origins, is_test, \
             created_at, closed_at, legacy_id, legacy_source, legacy_form_id) \
             VALUES ($1, $2, $3, $4, '[]', $5, $6, $7, $8, $9, $10)",
        )
        .bind(button.to_string())
        .bind(new.procedure_id.to_string())
        .bind(new.label.as_str())
        .bind(new.source.as_str())
        .bind(i64::from(new.is_test))
        .bind(to_millis(created_at))
        .bind(closed_at.map(to_millis))
        .bind(legacy.id)
        .bind(legacy.source)
        .bind(legacy.form)
        .execute(&self.write)
        .await
        .map_err(|e| StoreError::unique(e, "a button with this legacy id"))?;
        self.buttons.forget();
        Ok(ImportedButton {
            id: button,
            procedure_id: new.procedure_id,
        })
    }
}

/// What a second import compares with the incumbent's product, as avis holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedProcedure {
    pub id: Uuid,
    pub title: String,
    pub is_essential: bool,
    pub is_public: bool,
    pub yearly_volume: Option<i64>,
    pub closed: bool,
}

/// What a second import compares with the incumbent's button, as avis holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedButtonState {
    pub id: Uuid,
    pub label: String,
    pub is_test: bool,
    pub closed: bool,
    pub legacy_source: Option<String>,
    pub legacy_form: Option<i64>,
}

impl Store {
    /// Imported procedures as they are now, by legacy id.
    pub async fn imported_procedure_states(
        &self,
    ) -> Result<HashMap<i64, ImportedProcedure>, StoreError> {
        let rows = sqlx::query(
            "SELECT legacy_id, id, title, is_essential, is_public, yearly_volume, closed_at \
             FROM procedures WHERE legacy_id IS NOT NULL",
        )
        .fetch_all(&self.read)
        .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            let closed: Option<i64> = row.try_get("closed_at")?;
            let procedure = ImportedProcedure {
                id: id(row.try_get("id")?)?,
                title: row.try_get("title")?,
                is_essential: flag(row.try_get("is_essential")?),
                is_public: flag(row.try_get("is_public")?),
                yearly_volume: row.try_get("yearly_volume")?,
                closed: closed.is_some(),
            };
            found.insert(row.try_get("legacy_id")?, procedure);
        }
        Ok(found)
    }

    /// Imported buttons as they are now, by legacy id.
    pub async fn imported_button_states(
        &self,
    ) -> Result<HashMap<i64, ImportedButtonState>, StoreError> {
        let rows = sqlx::query(
            "SELECT legacy_id, id, label, is_test, closed_at, legacy_source, legacy_form_id \
             FROM buttons WHERE legacy_id IS NOT NULL",
        )
        .fetch_all(&self.read)
        .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            let closed: Option<i64> = row.try_get("closed_at")?;
            let button = ImportedButtonState {
                id: id(row.try_get("id")?)?,
                label: row.try_get("label")?,
                is_test: flag(row.try_get("is_test")?),
                closed: closed.is_some(),
                legacy_source: row.try_get("legacy_source")?,
                legacy_form: row.try_get("legacy_form_id")?,
            };
            found.insert(row.try_get("legacy_id")?, button);
        }
        Ok(found)
    }

    /// Gives an imported procedure what the incumbent says of it now; `closed_at` closes it if
    /// it is open (one closed in avis stays closed).
    pub async fn update_imported_procedure(
        &self,
        now: &ImportedProcedure,
        closed_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE procedures SET title = $1, is_essential = $2, is_public = $3, \
             yearly_volume = $4, closed_at = COALESCE(closed_at, $5) WHERE id = $6",
        )
        .bind(&now.title)
        .bind(i64::from(now.is_essential))
        .bind(i64::from(now.is_public))
        .bind(now.yearly_volume)
        .bind(closed_at.map(to_millis))
        .bind(now.id.to_string())
        .execute(&self.write)
        .await?;
        self.buttons.forget();
        Ok(())
    }

    /// Gives an imported button what the incumbent says of it now; `closed_at` closes it if it
    /// is open (one closed in avis stays closed).
    pub async fn update_imported_button(
        &self,
        now: &ImportedButtonState,
        closed_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE buttons SET label = $1, is_test = $2, legacy_source = $3, \
             closed_at = COALESCE(closed_at, $4), legacy_form_id = $6 WHERE id = $5",
        )
        .bind(&now.label)
        .bind(i64::from(now.is_test))
        .bind(now.legacy_source.as_deref())
        .bind(closed_at.map(to_millis))
        .bind(now.id.to_string())
        .bind(now.legacy_form)
        .execute(&self.write)
        .await?;
        self.buttons.forget();
        Ok(())
    }
}

/// Where an import's bulk writing of each imported button stands (see
/// [`Store::load_reviews`]): its running totals over the closed days, and the last day it has
/// counters for. A review of an earlier day than that one cannot be written in bulk.
#[derive(Debug, Default)]
pub struct ImportedTotals {
    pub totals: KnownTotals,
    pub last_days: HashMap<Uuid, String>,
}

impl Store {
    /// [`ImportedTotals`] as stored, for an import that starts.
    pub async fn imported_totals(&self) -> Result<ImportedTotals, StoreError> {
        let through = self.closed_through().await?;
        let sql = format!(
            "SELECT d.procedure_id, d.button_id, {SUMS} FROM daily_counters d \
             JOIN buttons b ON b.id = d.button_id \
             WHERE b.legacy_id IS NOT NULL AND d.day <= $1 GROUP BY d.procedure_id, d.button_id",
            SUMS = *SUMS
        );
        let mut imported = ImportedTotals::default();
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&through)
            .fetch_all(&self.write)
            .await?
        {
            let place = (row.try_get("procedure_id")?, row.try_get("button_id")?);
            imported.totals.insert(place, tally(&row)?);
        }
        for row in sqlx::query(
            "SELECT d.button_id, MAX(d.day) AS last FROM daily_counters d \
             JOIN buttons b ON b.id = d.button_id WHERE b.legacy_id IS NOT NULL GROUP BY d.button_id",
        )
        .fetch_all(&self.write)
        .await?
        {
            imported
                .last_days
                .insert(id(row.try_get("button_id")?)?, row.try_get("last")?);
        }
        Ok(imported)
    }
}
