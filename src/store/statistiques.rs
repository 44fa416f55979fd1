//! The SQL behind the incumbent's statistics for administrations' scripts (see
//! [`crate::compat`]): imported procedures by the incumbent's product id, and a procedure's
//! counts per Paris day over a window.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::aggregates::{SUMS, tally};
use super::{Store, StoreError, id, placeholders};
use crate::domain::aggregate::{self, Key, Tally};
use crate::domain::answers::Answers;
use crate::domain::observatory::{Window, split};
use crate::domain::time::paris_day;

/// An imported procedure, as the incumbent's statistics name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyProduct {
    pub id: Uuid,
    /// Its product id in the incumbent's database.
    pub legacy_id: i64,
    pub title: String,
    pub organisation_id: Uuid,
}

const PRODUCTS: &str =
    "SELECT id, legacy_id, title, organisation_id FROM procedures WHERE legacy_id IS NOT NULL";

fn legacy_product(row: &sqlx::any::AnyRow) -> Result<LegacyProduct, sqlx::Error> {
    Ok(LegacyProduct {
        id: id(row.try_get("id")?)?,
        legacy_id: row.try_get("legacy_id")?,
        title: row.try_get("title")?,
        organisation_id: id(row.try_get("organisation_id")?)?,
    })
}

/// The day a stored instant falls on in Paris.
fn day_of(millis: i64) -> Result<Date, sqlx::Error> {
    Timestamp::from_millisecond(millis)
        .map(paris_day)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

impl Store {
    /// The procedures imported as products `legacy_ids`, in that order; an id imported as
    /// nothing is left out.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_products(
        &self,
        legacy_ids: &[i64],
    ) -> Result<Vec<LegacyProduct>, StoreError> {
        if legacy_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PRODUCTS} AND legacy_id IN ({})",
            placeholders(1, legacy_ids.len())
        )));
        for legacy_id in legacy_ids {
            query = query.bind(legacy_id);
        }
        let mut found = query
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(legacy_product)
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|p| legacy_ids.iter().position(|id| *id == p.legacy_id));
        Ok(found)
    }

    /// The imported procedures of `organisation`, by product id.
    #[tracing::instrument(skip(self))]
    pub async fn legacy_products_of(
        &self,
        organisation: Uuid,
    ) -> Result<Vec<LegacyProduct>, StoreError> {
        let sql = format!("{PRODUCTS} AND organisation_id = $1 ORDER BY legacy_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation.to_string())
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(legacy_product).collect::<Result<_, _>>()?)
    }

    /// The counts of `procedure` (every button, test buttons too) per Paris day over `window`,
    /// both ends included: the days wholly inside it from the day counters, the pieces of days
    /// at either end from the reviews that count, each on its day; plus the « Je n'ai pas eu
    /// besoin d'aide » the import noted beside a channel (migration 30). Days without counts
    /// may be left out.
    #[tracing::instrument(skip(self))]
    pub async fn counts_by_day_between(
        &self,
        procedure: Uuid,
        window: Window,
    ) -> Result<BTreeMap<Date, Tally>, StoreError> {
        let split = split(window);
        let mut days: BTreeMap<Date, Tally> = BTreeMap::new();
        if let Some((from, to)) = split.days {
            let sql = format!(
                "SELECT day, {} FROM daily_counters WHERE procedure_id = $1 \
                 AND day >= $2 AND day <= $3 GROUP BY day",
                *SUMS
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(procedure.to_string())
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.read)
                .await?;
            for row in rows {
                let day: String = row.try_get("day")?;
                let day: Date = day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                days.entry(day).or_default().merge(&tally(&row)?);
            }
        }
        for piece in split.pieces {
            let rows = sqlx::query(
                "SELECT created_at, answers FROM reviews WHERE procedure_id = $1 \
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
                days.entry(day_of(row.try_get("created_at")?)?)
                    .or_default()
                    .add(&aggregate::delta(&Answers::default(), &answers));
            }
        }
        let noted = sqlx::query(
            "SELECT l.created_at FROM legacy_autonomous_answers l \
             JOIN reviews r ON r.id = l.review_id \
             WHERE l.procedure_id = $1 AND l.created_at >= $2 AND l.created_at <= $3 \
             AND r.excluded_reason IS NULL",
        )
        .bind(procedure.to_string())
        .bind(window.first)
        .bind(window.last)
        .fetch_all(&self.read)
        .await?;
        let autonomous: Key = ("contact_tried", "none".to_owned());
        for row in noted {
            days.entry(day_of(row.try_get("created_at")?)?)
                .or_default()
                .add(&[(autonomous.clone(), 1)]);
        }
        Ok(days)
    }
}
