//! The incumbent's forms (see migration 33): those `avis import jdma` keeps for each imported
//! procedure and button, the imported reviews it notes apart because they count otherwise than
//! their button's (see [`crate::domain::observatory::apart`]), and the reads that narrow the
//! observatory's figures to one form.

use std::collections::HashMap;

use sqlx::Row;
use uuid::Uuid;

use super::rows::{Cell, Rows, Script, cell, source};
use super::{Store, StoreError, flag, id};
use crate::domain::aggregate::{self, Tally};
use crate::domain::answers::Answers;
use crate::domain::observatory::{Form, Window};

/// A form kept by the import, as a second import compares it with the incumbent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyForm {
    pub procedure_id: Uuid,
    pub legacy: bool,
    pub title: String,
}

impl Store {
    /// The forms kept so far, by legacy id.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_forms(&self) -> Result<HashMap<i64, LegacyForm>, StoreError> {
        let rows =
            sqlx::query("SELECT legacy_id, procedure_id, is_legacy, title FROM legacy_forms")
                .fetch_all(&self.read)
                .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            let form = LegacyForm {
                procedure_id: id(row.try_get("procedure_id")?)?,
                legacy: flag(row.try_get("is_legacy")?),
                title: row.try_get("title")?,
            };
            found.insert(row.try_get("legacy_id")?, form);
        }
        Ok(found)
    }

    /// Forgets the forms `legacy_ids` (the incumbent has them no more).
    #[tracing::instrument(skip(self))]
    pub async fn forget_legacy_forms(&self, legacy_ids: &[i64]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for legacy_id in legacy_ids {
            sqlx::query("DELETE FROM legacy_forms WHERE legacy_id = $1")
                .bind(legacy_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks `procedures` as having reviews to note again (see migration 33).
    #[tracing::instrument(skip(self))]
    pub async fn mark_pending_notes(&self, procedures: &[Uuid]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for procedure in procedures {
            sqlx::query(
                "INSERT INTO legacy_pending_notes (procedure_id) VALUES ($1) \
                 ON CONFLICT (procedure_id) DO NOTHING",
            )
            .bind(procedure.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The procedures whose reviews are to be noted again.
    #[tracing::instrument(skip(self))]
    pub async fn pending_notes(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows = sqlx::query("SELECT procedure_id FROM legacy_pending_notes")
            .fetch_all(&self.write)
            .await?;
        rows.iter()
            .map(|row| Ok(id(row.try_get("procedure_id")?)?))
            .collect()
    }

    /// Forgets the forms noted for the reviews of `procedure`, before they are noted again.
    #[tracing::instrument(skip(self))]
    pub async fn forget_review_forms(&self, procedure: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM legacy_review_forms WHERE procedure_id = $1")
            .bind(procedure.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Marks `procedure`'s reviews as noted again.
    #[tracing::instrument(skip(self))]
    pub async fn clear_pending_notes(&self, procedure: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM legacy_pending_notes WHERE procedure_id = $1")
            .bind(procedure.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Keeps forms of imported procedures, each `(legacy id, form)`, in one transaction; a form
    /// kept already takes what it says now.
    #[tracing::instrument(skip_all, fields(forms = forms.len()))]
    pub async fn save_legacy_forms(&self, forms: &[(i64, LegacyForm)]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for (legacy_id, form) in forms {
            sqlx::query(
                "INSERT INTO legacy_forms (legacy_id, procedure_id, is_legacy, title) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (legacy_id) DO UPDATE \
                 SET procedure_id = excluded.procedure_id, is_legacy = excluded.is_legacy, \
                 title = excluded.title",
            )
            .bind(legacy_id)
            .bind(form.procedure_id.to_string())
            .bind(i64::from(form.legacy))
            .bind(&form.title)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The forms of `procedure`, by id.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_forms_of(&self, procedure: Uuid) -> Result<Vec<Form>, StoreError> {
        let rows = sqlx::query(
            "SELECT legacy_id, is_legacy FROM legacy_forms WHERE procedure_id = $1 ORDER BY legacy_id",
        )
        .bind(procedure.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Form {
                    id: row.try_get("legacy_id")?,
                    legacy: flag(row.try_get("is_legacy")?),
                })
            })
            .collect()
    }

    /// The form of each button of `procedure`, `None` for a button made in avis.
    #[tracing::instrument(skip(self))]
    pub async fn button_forms(
        &self,
        procedure: Uuid,
    ) -> Result<HashMap<Uuid, Option<i64>>, StoreError> {
        let rows = sqlx::query("SELECT id, legacy_form_id FROM buttons WHERE procedure_id = $1")
            .bind(procedure.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| Ok((id(row.try_get("id")?)?, row.try_get("legacy_form_id")?)))
            .collect()
    }

    /// Notes the imported reviews `carried` (each `(legacy id, the form it carried)`) apart, in
    /// one statement; a review noted already stays as it is.
    #[tracing::instrument(skip_all, fields(reviews = carried.len()))]
    pub async fn note_legacy_review_forms(
        &self,
        carried: &[(i64, Option<i64>)],
    ) -> Result<(), StoreError> {
        if carried.is_empty() {
            return Ok(());
        }
        let mut rows = Rows::default();
        for (legacy_id, form) in carried {
            rows.push([Cell::from(*legacy_id), Cell::from(*form)]);
        }
        let mut script = Script::new(self.backend);
        script.push(
            |rows| {
                format!(
                    "INSERT INTO legacy_review_forms \
                     (review_id, procedure_id, button_id, form_id, created_at) \
                     SELECT r.id, r.procedure_id, r.button_id, {}, r.created_at FROM {}, reviews r \
                     WHERE r.legacy_id IS NOT NULL AND r.legacy_id = {} \
                     ON CONFLICT (review_id) DO NOTHING",
                    cell(1, "BIGINT"),
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

    /// The counts of the reviews of `procedure` noted apart within `window` (both ends
    /// included) that count, by button and form carried.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_review_forms_between(
        &self,
        procedure: Uuid,
        window: Window,
    ) -> Result<HashMap<(Uuid, Option<i64>), Tally>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.button_id, f.form_id, r.answers FROM legacy_review_forms f \
             JOIN reviews r ON r.id = f.review_id \
             WHERE f.procedure_id = $1 AND f.created_at >= $2 AND f.created_at <= $3 \
             AND r.excluded_reason IS NULL",
        )
        .bind(procedure.to_string())
        .bind(window.first)
        .bind(window.last)
        .fetch_all(&self.read)
        .await?;
        let mut tallies: HashMap<(Uuid, Option<i64>), Tally> = HashMap::new();
        for row in rows {
            let structured: String = row.try_get("answers")?;
            let answers: Answers =
                serde_json::from_str(&structured).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            tallies
                .entry((id(row.try_get("button_id")?)?, row.try_get("form_id")?))
                .or_default()
                .add(&aggregate::delta(&Answers::default(), &answers));
        }
        Ok(tallies)
    }
}
