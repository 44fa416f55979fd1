//! The SQL behind the incumbent's public URLs (see [`crate::compat`]): procedures and
//! buttons found by the ids the incumbent gave them, the observatory's counts (with the answers
//! the import noted apart, see migration 30), its robot's list of essential procedures, and the
//! services list.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use uuid::Uuid;

use super::rows::{Cell, Rows, Script, cell, source};
use super::{Store, StoreError, flag, id};
use crate::domain::aggregate::{self, Tally};
use crate::domain::answers::Answers;
use crate::domain::observatory::{Window, split};

/// An imported procedure as the incumbent's URLs reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyProcedure {
    pub id: Uuid,
    pub is_public: bool,
}

/// An imported button, as a link's button is matched among its procedure's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyButton {
    pub id: Uuid,
    pub procedure_id: Uuid,
    /// Its product's id in the incumbent's database.
    pub procedure_legacy_id: Option<i64>,
    /// Its legacy title, the `nd_source` of the XWiki-era links.
    pub legacy_source: Option<String>,
}

/// An imported procedure as the incumbent's `services` listed it, with its forms (id, title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyService {
    pub legacy_id: i64,
    pub title: String,
    pub organisation: String,
    pub forms: Vec<(i64, String)>,
}

/// Reviews of one button noted by the import as holding « Je n'ai pas eu besoin d'aide » beside
/// a channel: `n` of them, which carried `carried` when noted `apart` (see
/// [`Store::note_legacy_review_forms`]) and their button's form otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noted {
    pub button: Uuid,
    pub carried: Option<i64>,
    pub apart: bool,
    pub n: i64,
}

/// What `setTop250` did, by the incumbent's product ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Top250 {
    pub new: Vec<i64>,
    pub already: Vec<i64>,
    pub down: Vec<i64>,
}

const BUTTON_COLUMNS: &str = "b.id, b.procedure_id, p.legacy_id AS procedure_legacy_id, b.legacy_source \
     FROM buttons b JOIN procedures p ON p.id = b.procedure_id";

fn legacy_button(row: &sqlx::any::AnyRow) -> Result<LegacyButton, sqlx::Error> {
    Ok(LegacyButton {
        id: id(row.try_get("id")?)?,
        procedure_id: id(row.try_get("procedure_id")?)?,
        procedure_legacy_id: row.try_get("procedure_legacy_id")?,
        legacy_source: row.try_get("legacy_source")?,
    })
}

impl Store {
    /// The procedure imported as product `legacy_id`, or as XWiki démarche `legacy_id`.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_procedure(
        &self,
        legacy_id: i64,
        xwiki: bool,
    ) -> Result<Option<LegacyProcedure>, StoreError> {
        let sql = if xwiki {
            "SELECT id, is_public FROM procedures WHERE legacy_xwiki_id = $1 ORDER BY legacy_id LIMIT 1"
        } else {
            "SELECT id, is_public FROM procedures WHERE legacy_id = $1"
        };
        let row = sqlx::query(sql)
            .bind(legacy_id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|row| {
            Ok(LegacyProcedure {
                id: id(row.try_get("id")?)?,
                is_public: flag(row.try_get("is_public")?),
            })
        })
        .transpose()
    }

    /// The button imported as button `legacy_id`.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_button(&self, legacy_id: i64) -> Result<Option<LegacyButton>, StoreError> {
        let sql = format!("SELECT {BUTTON_COLUMNS} WHERE b.legacy_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(legacy_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(legacy_button).transpose()?)
    }

    /// The imported buttons of procedure `procedure`, open ones first, each group by legacy id:
    /// the order in which an XWiki-era link's button is looked for.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_buttons_of(
        &self,
        procedure: Uuid,
    ) -> Result<Vec<LegacyButton>, StoreError> {
        let sql = format!(
            "SELECT {BUTTON_COLUMNS} WHERE b.procedure_id = $1 AND b.legacy_id IS NOT NULL \
             ORDER BY CASE WHEN b.closed_at IS NULL THEN 0 ELSE 1 END, b.legacy_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(procedure.to_string())
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(legacy_button).collect::<Result<_, _>>()?)
    }

    /// The counts of each button of `procedure` (test buttons too) over `window`, both ends
    /// included: the Paris days wholly inside it from the counters (two reads of running totals
    /// per button), the pieces of days at either end from the reviews that count.
    #[tracing::instrument(skip(self))]
    pub async fn counts_by_button_between(
        &self,
        procedure: Uuid,
        window: Window,
    ) -> Result<HashMap<Uuid, Tally>, StoreError> {
        let split = split(window);
        let mut tallies = match split.days {
            Some((from, to)) => self.sum_counters_by_any_button(from, to, procedure).await?,
            None => HashMap::new(),
        };
        for piece in split.pieces {
            let rows = sqlx::query(
                "SELECT button_id, answers FROM reviews WHERE procedure_id = $1 \
                 AND created_at >= $2 AND created_at <= $3 AND excluded_reason IS NULL",
            )
            .bind(procedure.to_string())
            .bind(piece.first)
            .bind(piece.last)
            .fetch_all(&self.read)
            .await?;
            for row in rows {
                let structured: String = row.try_get("answers")?;
                let answers: Answers = serde_json::from_str(&structured)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                tallies
                    .entry(id(row.try_get("button_id")?)?)
                    .or_default()
                    .add(&aggregate::delta(&Answers::default(), &answers));
            }
        }
        Ok(tallies)
    }

    /// The imported procedures, of one organisation only when `organisation` names one, by
    /// product id.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_services(
        &self,
        organisation: Option<Uuid>,
    ) -> Result<Vec<LegacyService>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.legacy_id, p.title, o.name FROM procedures p \
             JOIN organisations o ON o.id = p.organisation_id \
             WHERE p.legacy_id IS NOT NULL AND ($1 = '' OR p.organisation_id = $1) \
             ORDER BY p.legacy_id",
        )
        .bind(organisation.map(|o| o.to_string()).unwrap_or_default())
        .fetch_all(&self.read)
        .await?;
        let mut forms: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for row in sqlx::query(
            "SELECT p.legacy_id AS product, f.legacy_id, f.title FROM legacy_forms f \
             JOIN procedures p ON p.id = f.procedure_id \
             WHERE p.legacy_id IS NOT NULL AND ($1 = '' OR p.organisation_id = $1) \
             ORDER BY f.legacy_id",
        )
        .bind(organisation.map(|o| o.to_string()).unwrap_or_default())
        .fetch_all(&self.read)
        .await?
        {
            forms
                .entry(row.try_get("product")?)
                .or_default()
                .push((row.try_get("legacy_id")?, row.try_get("title")?));
        }
        rows.iter()
            .map(|row| {
                let legacy_id = row.try_get("legacy_id")?;
                Ok(LegacyService {
                    legacy_id,
                    title: row.try_get("title")?,
                    organisation: row.try_get("name")?,
                    forms: forms.remove(&legacy_id).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Notes the imported reviews `legacy_ids` as holding « Je n'ai pas eu besoin d'aide »
    /// beside a channel in the incumbent's database (see migration 30), in one statement; a
    /// review noted already stays as it is.
    #[tracing::instrument(skip_all, fields(reviews = legacy_ids.len()))]
    pub async fn note_legacy_autonomous(&self, legacy_ids: &[i64]) -> Result<(), StoreError> {
        if legacy_ids.is_empty() {
            return Ok(());
        }
        let mut rows = Rows::default();
        for legacy_id in legacy_ids {
            rows.push([Cell::from(*legacy_id)]);
        }
        let mut script = Script::new(self.backend);
        script.push(
            |rows| {
                format!(
                    "INSERT INTO legacy_autonomous_answers \
                     (review_id, procedure_id, button_id, created_at) \
                     SELECT r.id, r.procedure_id, r.button_id, r.created_at FROM {}, reviews r \
                     WHERE r.legacy_id IS NOT NULL AND r.legacy_id = {} \
                     ON CONFLICT (review_id) DO NOTHING",
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

    /// The reviews that count noted by [`Store::note_legacy_autonomous`] within `window`, both
    /// ends included, by button and, for those noted apart by
    /// [`Store::note_legacy_review_forms`], by the form they carried.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_autonomous_between(
        &self,
        procedure: Uuid,
        window: Window,
    ) -> Result<Vec<Noted>, StoreError> {
        let mut noted = Vec::new();
        for (apart, sql) in [
            (
                false,
                "SELECT l.button_id, COUNT(*) AS n FROM legacy_autonomous_answers l \
                 JOIN reviews r ON r.id = l.review_id \
                 WHERE l.procedure_id = $1 AND l.created_at >= $2 AND l.created_at <= $3 \
                 AND r.excluded_reason IS NULL AND NOT EXISTS \
                 (SELECT 1 FROM legacy_review_forms f WHERE f.review_id = l.review_id) \
                 GROUP BY l.button_id",
            ),
            (
                true,
                "SELECT l.button_id, f.form_id, COUNT(*) AS n FROM legacy_autonomous_answers l \
                 JOIN reviews r ON r.id = l.review_id \
                 JOIN legacy_review_forms f ON f.review_id = l.review_id \
                 WHERE l.procedure_id = $1 AND l.created_at >= $2 AND l.created_at <= $3 \
                 AND r.excluded_reason IS NULL GROUP BY l.button_id, f.form_id",
            ),
        ] {
            let rows = sqlx::query(sql)
                .bind(procedure.to_string())
                .bind(window.first)
                .bind(window.last)
                .fetch_all(&self.read)
                .await?;
            for row in rows {
                noted.push(Noted {
                    button: id(row.try_get("button_id")?)?,
                    carried: apart.then(|| row.try_get("form_id")).transpose()?.flatten(),
                    apart,
                    n: row.try_get("n")?,
                });
            }
        }
        Ok(noted)
    }

    /// Makes the imported procedures of products `listed` essential and public and every other
    /// imported procedure not essential, as the incumbent's `setTop250` does; procedures created
    /// in avis have no product id and are left alone.
    #[tracing::instrument(skip(self, listed))]
    pub async fn set_top250(&self, listed: &[i64]) -> Result<Top250, StoreError> {
        let mut tx = self.write.begin().await?;
        let rows = sqlx::query(
            "SELECT legacy_id FROM procedures WHERE is_essential = 1 AND legacy_id IS NOT NULL \
             ORDER BY legacy_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let essential: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get("legacy_id"))
            .collect::<Result<_, _>>()?;
        let was: HashSet<i64> = essential.iter().copied().collect();
        let asked: HashSet<i64> = listed.iter().copied().collect();
        let top = Top250 {
            new: listed
                .iter()
                .copied()
                .filter(|p| !was.contains(p))
                .collect(),
            already: listed.iter().copied().filter(|p| was.contains(p)).collect(),
            down: essential
                .into_iter()
                .filter(|p| !asked.contains(p))
                .collect(),
        };
        for (ids, sql) in [
            (
                &top.new,
                "UPDATE procedures SET is_essential = 1, is_public = 1 WHERE legacy_id = $1",
            ),
            (
                &top.down,
                "UPDATE procedures SET is_essential = 0 WHERE legacy_id = $1",
            ),
        ] {
            for legacy_id in ids {
                sqlx::query(sql).bind(legacy_id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        self.buttons.forget();
        Ok(top)
    }
}
