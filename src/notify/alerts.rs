//! The task that looks at every subscription in turn and queues the alerts and digests that
//! are due: new reviews (at most one message per chosen time and a day's cap), satisfaction
//! crossing a person's level, bursts of excluded reviews, and the digest of each period gone
//! by. The messages go through the mail outbox; each is queued in the transaction that moves its
//! subscription on, so a crash never loses one and two nodes never queue one twice.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::ToSpan;
use uuid::Uuid;

use super::alert_letters::{self, DigestPart, Reader};
use crate::domain::alerts::{
    Digest, HOUR_MS, SETTLING_MS, Side, THRESHOLD_MIN_ANSWERS, THRESHOLD_MONTHS, burst_due,
};
use crate::domain::indicators::{Indicators, compute};
use crate::domain::people::Email;
use crate::domain::questionnaire::Lang;
use crate::domain::time::{paris_day, to_millis};
use crate::domain::window::Window;
use crate::store::alerts::{Step, Watch};
use crate::store::{Store, StoreError};

/// Looks at every subscription once at `now`. Returns how many messages were queued.
pub async fn look(store: &Store, now: Timestamp, threshold: i64) -> Result<usize, StoreError> {
    let watches = store.alert_watches().await?;
    if watches.is_empty() {
        return Ok(0);
    }
    let now_ms = to_millis(now);
    let today = paris_day(now);
    let satisfaction = satisfaction_now(store, &watches, today, threshold).await?;
    let mut excluded: HashMap<Uuid, i64> = HashMap::new();
    let mut queued = 0;
    for watch in &watches {
        let Ok(to) = Email::parse(&watch.email) else {
            continue;
        };
        let reader = Reader {
            lang: Lang::parse(&watch.lang).unwrap_or(Lang::Fr),
            to: &to,
            base_url: watch.base_url.trim_end_matches('/'),
        };
        let about = (watch.procedure_id, watch.procedure_title.as_str());
        if watch.choice.new_reviews && watch.throttle.allows(now_ms, today) {
            let upto = now_ms - SETTLING_MS;
            if upto > watch.seen_until {
                let (reviews, commented) = store
                    .count_new_reviews(watch.procedure_id, watch.seen_until, upto)
                    .await?;
                if reviews > 0 {
                    let letter = |key: &str| {
                        alert_letters::new_reviews(&reader, about, reviews, commented, key)
                    };
                    let step = Step::NewReviews {
                        seen_until: upto,
                        now: now_ms,
                    };
                    queued += usize::from(store.step_alert(watch, step, Some(&letter)).await?);
                }
            }
        }
        let levels = (watch.choice.below, watch.choice.above);
        if levels != (None, None)
            && let Some(&(value, n)) = satisfaction.get(&watch.procedure_id)
        {
            let side = Side::of(value, levels.0, levels.1);
            if watch.side != Some(side) {
                let level = match side {
                    Side::Below => levels.0,
                    Side::Above => levels.1,
                    Side::Between => None,
                };
                let letter = |key: &str| {
                    alert_letters::satisfaction_crossed(
                        &reader,
                        about,
                        (side, level),
                        (value, n),
                        key,
                    )
                };
                // The first look only notes where satisfaction stands: it is no news.
                let letter = watch.side.is_some().then_some(&letter as _);
                let stepped = store.step_alert(watch, Step::Side(side), letter).await?;
                queued += usize::from(stepped && letter.is_some());
            }
        }
        if watch.choice.exclusions {
            let count = match excluded.get(&watch.procedure_id) {
                Some(count) => *count,
                None => {
                    let count = store
                        .count_excluded_since(watch.procedure_id, now_ms - HOUR_MS)
                        .await?;
                    excluded.insert(watch.procedure_id, count);
                    count
                }
            };
            if burst_due(count, watch.burst_at, now_ms) {
                let letter = |key: &str| alert_letters::burst(&reader, about, count, key);
                let step = Step::Burst(now_ms);
                queued += usize::from(store.step_alert(watch, step, Some(&letter)).await?);
            }
        }
    }
    queued += digests(store, &watches, today, threshold).await?;
    Ok(queued)
}

/// Each watched procedure's satisfaction over the last months, when enough reviews give it.
async fn satisfaction_now(
    store: &Store,
    watches: &[Watch],
    today: jiff::civil::Date,
    threshold: i64,
) -> Result<HashMap<Uuid, (f64, i64)>, StoreError> {
    let mut procedures: Vec<Uuid> = watches
        .iter()
        .filter(|w| w.choice.below.is_some() || w.choice.above.is_some())
        .map(|w| w.procedure_id)
        .collect();
    procedures.sort();
    procedures.dedup();
    let Ok(from) = today
        .checked_sub(THRESHOLD_MONTHS.months())
        .and_then(|d| d.checked_add(1.day()))
    else {
        return Ok(HashMap::new());
    };
    let sums = store.sum_counters_of(from, today, &procedures).await?;
    Ok(sums
        .into_iter()
        .filter_map(|(procedure, counts)| {
            let satisfaction = compute(&counts, threshold).satisfaction;
            let value = satisfaction.value?;
            (satisfaction.n >= THRESHOLD_MIN_ANSWERS)
                .then_some((procedure, (value, satisfaction.n)))
        })
        .collect())
}

/// Queues the digests due: one message per person and frequency, for the period just gone by,
/// with every procedure of theirs not yet digested for it.
async fn digests(
    store: &Store,
    watches: &[Watch],
    today: jiff::civil::Date,
    threshold: i64,
) -> Result<usize, StoreError> {
    let mut due: BTreeMap<(Uuid, &'static str), Vec<&Watch>> = BTreeMap::new();
    for watch in watches {
        let Some(period) = watch.choice.digest.last_period(today) else {
            continue;
        };
        if watch.digest_until.is_none_or(|until| until < period.to) {
            due.entry((watch.user_id, watch.choice.digest.code()))
                .or_default()
                .push(watch);
        }
    }
    let mut queued = 0;
    for ((user, code), group) in due {
        let digest = Digest::parse(code).unwrap_or(Digest::None);
        let Some(period) = digest.last_period(today) else {
            continue;
        };
        let Some(before) = period.previous() else {
            continue;
        };
        let procedures: Vec<Uuid> = group.iter().map(|w| w.procedure_id).collect();
        let now = figures(store, period, &procedures, threshold).await?;
        let then = figures(store, before, &procedures, threshold).await?;
        let parts: Vec<DigestPart> = group
            .iter()
            .map(|w| DigestPart {
                procedure: w.procedure_id,
                title: &w.procedure_title,
                now: now[&w.procedure_id].clone(),
                before: then[&w.procedure_id].clone(),
            })
            .collect();
        let first = group[0];
        let Ok(to) = Email::parse(&first.email) else {
            continue;
        };
        let reader = Reader {
            lang: Lang::parse(&first.lang).unwrap_or(Lang::Fr),
            to: &to,
            base_url: first.base_url.trim_end_matches('/'),
        };
        let letter = |key: &str| alert_letters::digest(&reader, period, &parts, key);
        let from: Vec<_> = group
            .iter()
            .map(|w| (w.procedure_id, w.digest_until))
            .collect();
        queued += usize::from(
            store
                .step_digest(user, digest, &from, period.to, &letter)
                .await?,
        );
    }
    Ok(queued)
}

/// The indicators of each of `procedures` over `window`; a procedure without reviews gets
/// indicators without values.
async fn figures(
    store: &Store,
    window: Window,
    procedures: &[Uuid],
    threshold: i64,
) -> Result<HashMap<Uuid, Indicators>, StoreError> {
    let sums = store
        .sum_counters_of(window.from, window.to, procedures)
        .await?;
    Ok(procedures
        .iter()
        .map(|p| {
            let counts = sums.get(p).cloned().unwrap_or_default();
            (*p, compute(&counts, threshold))
        })
        .collect())
}
