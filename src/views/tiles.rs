//! A dashboard's head: the form that picks what it shows (a window, a button, a grouping), and
//! the five indicators as tiles with their count, interval, level, publication and change.

use maud::{Markup, html};

use super::figures::{Unit, change, exact, interval, level_class, level_word};
use super::forms::{Errors, Input, select};
use super::layout::colon;
use super::words::W;
use crate::domain::breakdown;
use crate::domain::indicators::{Indicator, Indicators};
use crate::domain::questionnaire::Lang;
use crate::domain::window::Window;

/// An indicator's name as people read it, by its published name.
pub fn indicator_word(name: &str) -> W {
    match name {
        "satisfaction" => W::IndicatorSatisfaction,
        "comprehension" => W::IndicatorComprehension,
        "help_reachable" => W::IndicatorHelpReachable,
        "help_quality" => W::IndicatorHelpQuality,
        _ => W::IndicatorAutonomy,
    }
}

/// An indicator's value as a cell's text: exact, or "no reviews yet".
pub fn value_text(lang: Lang, name: &str, indicator: &Indicator) -> String {
    match indicator.value {
        Some(value) => exact(lang, Unit::of(name), value),
        None => W::NoValue.text(lang).to_owned(),
    }
}

/// A window as its first and last days.
pub fn dates(window: Window) -> String {
    format!("{} – {}", window.from, window.to)
}

/// The five tiles; `before` holds the indicators of the window `previous`, if there is one.
pub fn tiles(lang: Lang, now: &Indicators, before: Option<(&Indicators, Window)>) -> Markup {
    let earlier = before.map(|(b, _)| b.named());
    html! {
        ul class="tiles" {
            @for (i, (name, indicator)) in now.named().into_iter().enumerate() {
                @let previous = earlier.as_ref().map(|e| e[i].1).zip(before.map(|(_, w)| w));
                (tile(lang, name, indicator, previous))
            }
        }
    }
}

fn tile(
    lang: Lang,
    name: &str,
    indicator: &Indicator,
    previous: Option<(&Indicator, Window)>,
) -> Markup {
    let w = |word: W| word.text(lang);
    let unit = Unit::of(name);
    let level = indicator
        .level
        .map_or("none", |l| level_class(l).trim_start_matches("level "));
    let moved = previous.and_then(|(before, _)| breakdown::change(indicator, before));
    html! {
        li class={ "tile " (level) } id=(format!("tile-{name}")) {
            h3 { (w(indicator_word(name))) }
            p class="big" { (value_text(lang, name, indicator)) }
            dl {
                dt { (w(W::Answers)) }
                dd class="n" { (indicator.n) }
                dt { (w(W::ConfidenceInterval)) }
                dd class="ci" { @match indicator.ci95 { Some(ci) => (interval(lang, unit, ci)), None => "—" } }
                dt { (w(W::Level)) }
                dd {
                    @match indicator.level {
                        Some(level) => span class=(level_class(level)) { (w(level_word(level))) },
                        None => (w(W::NoLevel)),
                    }
                }
                dt { (w(W::Publication)) }
                dd class="publishable" {
                    @if indicator.publishable { (w(W::Publishable)) } @else { (w(W::NotPublishable)) }
                }
                dt { (w(W::Change)) }
                dd class="change" {
                    @match (moved, previous) {
                        (Some(delta), Some((before, window))) => {
                            (change(lang, unit, delta))
                            " " span class="hint" {
                                "(" (w(W::PreviousPeriod)) " " (dates(window)) (colon(lang))
                                (value_text(lang, name, before)) ")"
                            }
                        }
                        _ => (w(W::NoComparison)),
                    }
                }
            }
        }
    }
}

/// The form as it is filled in: the values of its fields.
#[derive(Debug, Clone, Default)]
pub struct Picked {
    /// `12m`, `3m` or `custom`.
    pub window: String,
    pub from: String,
    pub to: String,
    /// A button's id, or empty for all of them.
    pub button: String,
    /// `day`, `week`, `month`, or empty for the fitting one.
    pub interval: String,
    /// The language asked for in the address (`fr`, `en`), kept by the form; or empty.
    pub lang: String,
}

/// What the form offers besides the window.
pub struct Offer<'a> {
    /// `(id, label)` of each button, when the page can show one alone.
    pub buttons: Option<&'a [(String, String)]>,
    /// Whether it offers a grouping for the series.
    pub interval: bool,
}

/// The GET form that picks the window (and the button and grouping), working without script.
pub fn window_form(
    lang: Lang,
    action: &str,
    picked: &Picked,
    offer: &Offer,
    errors: &Errors,
) -> Markup {
    let w = |word: W| word.text(lang);
    let windows = [
        ("12m", w(W::Last12Months)),
        ("3m", w(W::Last3Months)),
        ("custom", w(W::CustomDates)),
    ];
    let intervals = [
        ("", w(W::IntervalAuto)),
        ("day", w(W::ByDay)),
        ("week", w(W::ByWeek)),
        ("month", w(W::ByMonth)),
    ];
    let buttons: Option<Vec<(&str, &str)>> = offer.buttons.map(|buttons| {
        std::iter::once(("", w(W::AllButtons)))
            .chain(
                buttons
                    .iter()
                    .map(|(id, label)| (id.as_str(), label.as_str())),
            )
            .collect()
    });
    html! {
        (errors.summary(lang))
        form method="get" action=(action) class="window" {
            (select("window", "window", w(W::Period), &windows, &picked.window))
            (Input::text("from", w(W::FirstDay), &picked.from).kind("date", "off").render(lang, errors))
            (Input::text("to", w(W::LastDay), &picked.to).kind("date", "off").render(lang, errors))
            @if let Some(options) = &buttons {
                (select("button", "button", w(W::Button), options, &picked.button))
            }
            @if offer.interval {
                (select("interval", "interval", w(W::Grouping), &intervals, &picked.interval))
            }
            @if !picked.lang.is_empty() { input type="hidden" name="lang" value=(picked.lang); }
            div class="actions" { button type="submit" { (w(W::Show)) } }
        }
        p class="hint" { (w(W::DatesHint)) }
    }
}
