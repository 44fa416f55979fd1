//! Alerts and digests (migration 29): what each person asked to hear about a procedure, the
//! figures the mail task reads, and each message queued in the transaction that moves the
//! subscription on — guarded by the value it was read with, so that two nodes looking at the
//! same moment send it once.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::mail::queue;
use super::{Store, StoreError, flag, id};
use crate::domain::alerts::{Digest, Side, Throttle};
use crate::domain::mail::Mail;
use crate::domain::secret;
use crate::domain::time::{from_millis, paris_day, to_millis};

/// What a person chose for one procedure.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub new_reviews: bool,
    pub every_minutes: i64,
    pub below: Option<f64>,
    pub above: Option<f64>,
    pub exclusions: bool,
    pub digest: Digest,
}

impl Default for Choice {
    fn default() -> Choice {
        Choice {
            new_reviews: false,
            every_minutes: 60,
            below: None,
            above: None,
            exclusions: false,
            digest: Digest::None,
        }
    }
}

impl Choice {
    /// Whether it asks for anything at all.
    pub fn any(&self) -> bool {
        self.new_reviews
            || self.below.is_some()
            || self.above.is_some()
            || self.exclusions
            || self.digest != Digest::None
    }
}

/// One subscription as the mail task reads it, with its person and procedure.
#[derive(Debug, Clone)]
pub struct Watch {
    pub user_id: Uuid,
    pub email: String,
    pub lang: String,
    pub procedure_id: Uuid,
    pub procedure_title: String,
    pub choice: Choice,
    pub seen_until: i64,
    pub throttle: Throttle,
    pub side: Option<Side>,
    pub burst_at: Option<i64>,
    pub digest_until: Option<Date>,
    pub base_url: String,
}

/// How a subscription moves on when its message is queued.
pub enum Step {
    /// Reviews up to `seen_until` were told, at `now`.
    NewReviews { seen_until: i64, now: i64 },
    /// Satisfaction now stands on this side.
    Side(Side),
    /// A burst was told at this time.
    Burst(i64),
}

/// A message and the link that stops its kind, drawn when it is queued.
pub type Letter<'a> = &'a (dyn Fn(&str) -> Mail + Sync);

impl Store {
    /// A person's subscription to a procedure, if any.
    pub async fn alert_choice(
        &self,
        user: Uuid,
        procedure: Uuid,
    ) -> Result<Option<Choice>, StoreError> {
        let row = sqlx::query(
            "SELECT new_reviews, every_minutes, below, above, exclusions, digest \
             FROM alert_subscriptions WHERE user_id = $1 AND procedure_id = $2",
        )
        .bind(user.to_string())
        .bind(procedure.to_string())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(choice).transpose()?)
    }

    /// A person's subscriptions, with each procedure's id and title, by title.
    pub async fn alert_choices_of(
        &self,
        user: Uuid,
    ) -> Result<Vec<(Uuid, String, Choice)>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.*, p.title FROM alert_subscriptions s \
             JOIN procedures p ON p.id = s.procedure_id WHERE s.user_id = $1 ORDER BY p.title",
        )
        .bind(user.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut choices = Vec::with_capacity(rows.len());
        for row in &rows {
            choices.push((
                id(row.try_get("procedure_id")?)?,
                row.try_get("title")?,
                choice(row)?,
            ));
        }
        Ok(choices)
    }

    /// Saves what a person chose; choosing nothing removes the subscription. What was just
    /// turned on starts from now: reviews already there, the period under way, satisfaction
    /// as it stands are not news.
    pub async fn save_alert_choice(
        &self,
        user: Uuid,
        procedure: Uuid,
        choice: &Choice,
        base_url: &str,
    ) -> Result<(), StoreError> {
        let now = Timestamp::now();
        let before = self.alert_choice(user, procedure).await?;
        if !choice.any() {
            sqlx::query("DELETE FROM alert_subscriptions WHERE user_id = $1 AND procedure_id = $2")
                .bind(user.to_string())
                .bind(procedure.to_string())
                .execute(&self.write)
                .await?;
            return Ok(());
        }
        let digest_from = choice
            .digest
            .last_period(paris_day(now))
            .map(|p| p.to.to_string());
        let levels_changed = before
            .as_ref()
            .is_none_or(|b| b.below != choice.below || b.above != choice.above);
        let reviews_turned_on = before.as_ref().is_none_or(|b| !b.new_reviews);
        let digest_changed = before.as_ref().is_none_or(|b| b.digest != choice.digest);
        sqlx::query(
            "INSERT INTO alert_subscriptions (user_id, procedure_id, new_reviews, every_minutes, \
             seen_until, below, above, exclusions, digest, digest_until, base_url, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $5) \
             ON CONFLICT (user_id, procedure_id) DO UPDATE SET \
             new_reviews = $3, every_minutes = $4, below = $6, above = $7, exclusions = $8, \
             digest = $9, base_url = $11, updated_at = $5, \
             seen_until = CASE WHEN $12 = 1 THEN $5 ELSE alert_subscriptions.seen_until END, \
             side = CASE WHEN $13 = 1 THEN NULL ELSE alert_subscriptions.side END, \
             digest_until = CASE WHEN $14 = 1 THEN $10 ELSE alert_subscriptions.digest_until END",
        )
        .bind(user.to_string())
        .bind(procedure.to_string())
        .bind(i64::from(choice.new_reviews))
        .bind(choice.every_minutes)
        .bind(to_millis(now))
        .bind(choice.below)
        .bind(choice.above)
        .bind(i64::from(choice.exclusions))
        .bind(choice.digest.code())
        .bind(digest_from)
        .bind(base_url)
        .bind(i64::from(reviews_turned_on))
        .bind(i64::from(levels_changed))
        .bind(i64::from(digest_changed))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Every subscription whose person may still read its procedure: enabled, and a member of
    /// its organisation or a superadmin.
    pub async fn alert_watches(&self) -> Result<Vec<Watch>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.*, u.email, u.lang, p.title FROM alert_subscriptions s \
             JOIN users u ON u.id = s.user_id JOIN procedures p ON p.id = s.procedure_id \
             WHERE u.disabled_at IS NULL AND p.closed_at IS NULL AND (u.is_superadmin = 1 OR \
             EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = s.user_id \
             AND m.organisation_id = p.organisation_id)) ORDER BY s.user_id, p.title",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(watch).collect::<Result<_, _>>()?)
    }

    /// Reviews of a procedure created in `(after, upto]` that count (neither excluded nor on a
    /// test button), and how many of them carry a comment.
    pub async fn count_new_reviews(
        &self,
        procedure: Uuid,
        after: i64,
        upto: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS reviews, COUNT(r.verbatim) AS commented FROM reviews r \
             WHERE r.procedure_id = $1 AND r.created_at > $2 AND r.created_at <= $3 \
             AND r.excluded_reason IS NULL AND r.button_id NOT IN \
             (SELECT b.id FROM buttons b WHERE b.procedure_id = $1 AND b.is_test = 1)",
        )
        .bind(procedure.to_string())
        .bind(after)
        .bind(upto)
        .fetch_one(&self.read)
        .await?;
        Ok((row.try_get("reviews")?, row.try_get("commented")?))
    }

    /// Reviews of a procedure created since `since` and excluded.
    pub async fn count_excluded_since(
        &self,
        procedure: Uuid,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM reviews WHERE procedure_id = $1 AND created_at > $2 \
             AND excluded_reason IS NOT NULL",
        )
        .bind(procedure.to_string())
        .bind(since)
        .fetch_one(&self.read)
        .await?)
    }

    /// Moves one subscription on from what `watch` read and, when a message goes with the
    /// step, queues it with its unsubscribe link, in one transaction. Returns false when
    /// another node moved it first: nothing is queued then.
    pub async fn step_alert(
        &self,
        watch: &Watch,
        step: Step,
        letter: Option<Letter<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        let user = watch.user_id.to_string();
        let procedure = watch.procedure_id.to_string();
        let moved = match step {
            Step::NewReviews { seen_until, now } => {
                let today = paris_day(from_millis(now));
                let on_day = watch.throttle.sent_on(today) + 1;
                sqlx::query(
                    "UPDATE alert_subscriptions SET seen_until = $1, alerted_at = $2, \
                     alerts_day = $3, alerts_on_day = $4 \
                     WHERE user_id = $5 AND procedure_id = $6 AND seen_until = $7",
                )
                .bind(seen_until)
                .bind(now)
                .bind(today.to_string())
                .bind(on_day)
                .bind(&user)
                .bind(&procedure)
                .bind(watch.seen_until)
                .execute(&mut *tx)
                .await?
            }
            Step::Side(side) => {
                sqlx::query(
                    "UPDATE alert_subscriptions SET side = $1 WHERE user_id = $2 \
                     AND procedure_id = $3 AND (side = $4 OR (side IS NULL AND $4 IS NULL))",
                )
                .bind(side.code())
                .bind(&user)
                .bind(&procedure)
                .bind(watch.side.map(Side::code))
                .execute(&mut *tx)
                .await?
            }
            Step::Burst(now) => {
                sqlx::query(
                    "UPDATE alert_subscriptions SET burst_at = $1 WHERE user_id = $2 \
                     AND procedure_id = $3 AND (burst_at = $4 OR (burst_at IS NULL AND $4 IS NULL))",
                )
                .bind(now)
                .bind(&user)
                .bind(&procedure)
                .bind(watch.burst_at)
                .execute(&mut *tx)
                .await?
            }
        };
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(letter) = letter {
            let key = unsubscribe_key(&mut tx, watch.user_id, Some(watch.procedure_id)).await?;
            queue(&mut tx, &letter(&key)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a person's digests of one kind on to `until` (from `from`, as read) and queues
    /// the digest, in one transaction. Returns false when another node did it first.
    pub async fn step_digest(
        &self,
        user: Uuid,
        digest: Digest,
        procedures: &[(Uuid, Option<Date>)],
        until: Date,
        letter: Letter<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        for (procedure, from) in procedures {
            let moved = sqlx::query(
                "UPDATE alert_subscriptions SET digest_until = $1 WHERE user_id = $2 \
                 AND procedure_id = $3 AND digest = $4 \
                 AND (digest_until = $5 OR (digest_until IS NULL AND $5 IS NULL))",
            )
            .bind(until.to_string())
            .bind(user.to_string())
            .bind(procedure.to_string())
            .bind(digest.code())
            .bind(from.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() != 1 {
                return Ok(false);
            }
        }
        let key = unsubscribe_key(&mut tx, user, None).await?;
        queue(&mut tx, &letter(&key)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Follows an unsubscribe link: a procedure's alerts stop (its digest stays), or all of the
    /// person's digests. Returns the procedure's title (none for digests), or `None` for a link
    /// that names nothing.
    pub async fn unsubscribe(&self, key: &str) -> Result<Option<Option<String>>, StoreError> {
        let row = sqlx::query(
            "SELECT l.user_id, l.procedure_id, p.title FROM unsubscribe_links l \
             LEFT JOIN procedures p ON p.id = l.procedure_id WHERE l.key_hash = $1",
        )
        .bind(secret::hash(key))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user: String = row.try_get("user_id")?;
        let procedure: Option<String> = row.try_get("procedure_id")?;
        let mut tx = self.write.begin().await?;
        match &procedure {
            Some(procedure) => {
                sqlx::query(
                    "UPDATE alert_subscriptions SET new_reviews = 0, below = NULL, \
                     above = NULL, side = NULL, exclusions = 0 \
                     WHERE user_id = $1 AND procedure_id = $2",
                )
                .bind(&user)
                .bind(procedure)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "UPDATE alert_subscriptions SET digest = 'none', digest_until = NULL \
                     WHERE user_id = $1",
                )
                .bind(&user)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "DELETE FROM alert_subscriptions WHERE user_id = $1 AND new_reviews = 0 \
             AND below IS NULL AND above IS NULL AND exclusions = 0 AND digest = 'none'",
        )
        .bind(&user)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(row.try_get("title")?))
    }
}

/// Draws a new unsubscribe link's secret and keeps its hash.
async fn unsubscribe_key(
    conn: &mut sqlx::AnyConnection,
    user: Uuid,
    procedure: Option<Uuid>,
) -> Result<String, StoreError> {
    let key = secret::random_token();
    sqlx::query(
        "INSERT INTO unsubscribe_links (key_hash, user_id, procedure_id, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(secret::hash(&key))
    .bind(user.to_string())
    .bind(procedure.map(|p| p.to_string()))
    .bind(to_millis(Timestamp::now()))
    .execute(conn)
    .await?;
    Ok(key)
}

fn choice(row: &AnyRow) -> Result<Choice, sqlx::Error> {
    let digest: String = row.try_get("digest")?;
    Ok(Choice {
        new_reviews: flag(row.try_get("new_reviews")?),
        every_minutes: row.try_get("every_minutes")?,
        below: row.try_get("below")?,
        above: row.try_get("above")?,
        exclusions: flag(row.try_get("exclusions")?),
        digest: Digest::parse(&digest).unwrap_or(Digest::None),
    })
}

fn date(raw: Option<String>) -> Option<Date> {
    raw.and_then(|d| d.parse().ok())
}

fn watch(row: &AnyRow) -> Result<Watch, sqlx::Error> {
    let side: Option<String> = row.try_get("side")?;
    Ok(Watch {
        user_id: id(row.try_get("user_id")?)?,
        email: row.try_get("email")?,
        lang: row.try_get("lang")?,
        procedure_id: id(row.try_get("procedure_id")?)?,
        procedure_title: row.try_get("title")?,
        choice: choice(row)?,
        seen_until: row.try_get("seen_until")?,
        throttle: Throttle {
            every_minutes: row.try_get("every_minutes")?,
            alerted_at: row.try_get("alerted_at")?,
            alerts_day: date(row.try_get("alerts_day")?),
            alerts_on_day: row.try_get("alerts_on_day")?,
        },
        side: side.as_deref().and_then(Side::parse),
        burst_at: row.try_get("burst_at")?,
        digest_until: date(row.try_get("digest_until")?),
        base_url: row.try_get("base_url")?,
    })
}
