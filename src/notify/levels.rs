//! The look that turns a procedure's indicator moving from one level to another (good, medium,
//! bad, as PRODUCT's §4 sets them, over the last three months) into an
//! `indicator.threshold_crossed` message for the endpoints that want it. Only publishable
//! indicators have a level here: one becoming publishable, or ceasing to be, is no crossing.

use jiff::{Timestamp, ToSpan};
use serde_json::json;

use crate::domain::alerts::THRESHOLD_MONTHS;
use crate::domain::indicators::{Indicator, Level, compute};
use crate::domain::time::paris_day;
use crate::store::indicator_levels::LevelStep;
use crate::store::{Store, StoreError};

/// A publishable indicator's level, else `none`.
fn level_of(indicator: &Indicator) -> &'static str {
    match (indicator.publishable, indicator.level) {
        (true, Some(Level::Good)) => "good",
        (true, Some(Level::Medium)) => "medium",
        (true, Some(Level::Bad)) => "bad",
        _ => "none",
    }
}

/// Looks at every watched procedure once at `now`. Returns how many events were written (one
/// per crossing, whatever the number of endpoints).
pub async fn look(store: &Store, now: Timestamp, threshold: i64) -> Result<usize, StoreError> {
    let procedures = store.procedures_watched_for_levels().await?;
    if procedures.is_empty() {
        return Ok(0);
    }
    let to = paris_day(now);
    let Ok(from) = to
        .checked_sub(THRESHOLD_MONTHS.months())
        .and_then(|d| d.checked_add(1.day()))
    else {
        return Ok(0);
    };
    let sums = store.sum_counters_of(from, to, &procedures).await?;
    let stored = store.indicator_levels().await?;
    let mut crossed = 0;
    for procedure in procedures {
        let counts = sums.get(&procedure).cloned().unwrap_or_default();
        let indicators = compute(&counts, threshold);
        for (name, indicator) in indicators.named() {
            if name == "autonomy" {
                continue;
            }
            let level = level_of(indicator);
            let before = stored
                .get(&(procedure, name.to_owned()))
                .map(String::as_str);
            if before == Some(level) {
                continue;
            }
            let event = before.is_some_and(|b| b != "none") && level != "none";
            let payload = event.then(|| {
                json!({
                    "type": "indicator.threshold_crossed",
                    "timestamp": now.to_string(),
                    "data": {
                        "procedure_id": procedure,
                        "indicator": name,
                        "window": {"from": from.to_string(), "to": to.to_string()},
                        "value": indicator.value,
                        "n": indicator.n,
                        "level": level,
                        "previous_level": before,
                    },
                })
                .to_string()
            });
            let step = LevelStep {
                procedure,
                indicator: name,
                before,
                now: level,
                payload,
                at: now,
            };
            if store.step_level(&step).await? && event {
                crossed += 1;
            }
        }
    }
    Ok(crossed)
}
