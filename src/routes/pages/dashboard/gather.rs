//! A dashboard's figures, read from the counters through the very functions the observatory's
//! API calls (the store's window sums and day counters, [`indicators::compute`]), each cut of
//! them chosen by [`breakdown`].

use std::collections::HashMap;

use uuid::Uuid;

use super::Choice;
use crate::domain::answers::Channel;
use crate::domain::breakdown;
use crate::domain::indicators::{self, Counts};
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::catalog::Button;
use crate::views::dashboard::{ButtonFigures, Figures};

/// The buttons whose reviews count (test buttons' never do).
pub fn counting(buttons: Vec<Button>) -> Vec<Button> {
    buttons.into_iter().filter(|b| !b.is_test).collect()
}

/// Reads the figures of a dashboard: the counters of the window, of the window before, per
/// button and per day, all at once, then [`indicators::compute`] on each cut of them.
pub async fn gather(
    state: &AppState,
    procedure: Uuid,
    buttons: &[Button],
    choice: &Choice,
) -> Result<Figures, StoreError> {
    let store = &state.store;
    let window = choice.window;
    let previous = window.previous();
    let one = |mut sums: HashMap<Uuid, Counts>, key: Uuid| sums.remove(&key).unwrap_or_default();
    let before = async {
        match (previous, choice.button) {
            (None, _) => Ok(None),
            (Some(p), None) => store
                .sum_counters(p.from, p.to, Some(procedure))
                .await
                .map(|s| Some(one(s, procedure))),
            (Some(p), Some(button)) => store
                .sum_counters_by_button(p.from, p.to, procedure)
                .await
                .map(|s| Some(one(s, button))),
        }
    };
    let (total, mut by_button, before, days) = tokio::try_join!(
        store.sum_counters(window.from, window.to, Some(procedure)),
        store.sum_counters_by_button(window.from, window.to, procedure),
        before,
        store.daily_counters(procedure, choice.button, window.from, window.to),
    )?;
    let counts = match choice.button {
        None => one(total, procedure),
        Some(button) => by_button.get(&button).copied().unwrap_or_default(),
    };
    let threshold = state.publication_threshold;
    let compute = |counts: &Counts| indicators::compute(counts, threshold);
    Ok(Figures {
        window,
        before: previous.zip(before.as_ref().map(compute)),
        now: compute(&counts),
        interval: choice.interval,
        series: choice
            .buckets
            .iter()
            .copied()
            .zip(
                breakdown::by_bucket(days, &choice.buckets)
                    .iter()
                    .map(compute),
            )
            .collect(),
        channels: Channel::ALL
            .into_iter()
            .map(|c| {
                let alone = breakdown::of_channel(&counts, c);
                (c, alone.get("contact_tried", c.code()), compute(&alone))
            })
            .collect(),
        buttons: buttons
            .iter()
            .map(|b| ButtonFigures {
                id: b.id,
                label: b.label.clone(),
                source: b.source.clone(),
                indicators: compute(&by_button.remove(&b.id).unwrap_or_default()),
            })
            .collect(),
    })
}
