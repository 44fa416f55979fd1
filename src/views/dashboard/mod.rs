//! A procedure's dashboard below its form: the tiles, then each chart with its figures in a data
//! table and a link to the same figures as CSV. The back-office and the public page show the
//! same markup.

mod answers;
mod series;

use maud::{Markup, html};
use uuid::Uuid;

use super::charts::Bar;
use super::figures::{Unit, level_class, percent};
use super::layout::colon;
use super::tiles::{dates, tiles, value_text};
use super::words::W;
use crate::domain::answers::Channel;
use crate::domain::indicators::{Indicator, Indicators};
use crate::domain::questionnaire::{Lang, QUESTIONS};
use crate::domain::window::{Interval, Window};

/// The indicators' published names, in their published order.
pub const NAMES: [&str; 5] = [
    "satisfaction",
    "comprehension",
    "help_reachable",
    "help_quality",
    "autonomy",
];

/// Everything a dashboard shows, computed.
pub struct Figures {
    pub window: Window,
    /// The window before, of the same length, and its indicators.
    pub before: Option<(Window, Indicators)>,
    pub now: Indicators,
    pub interval: Interval,
    pub series: Vec<(Window, Indicators)>,
    /// Each help channel: how many tried it, and its own indicators (reachable help, quality).
    pub channels: Vec<(Channel, i64, Indicators)>,
    /// Each counting button's indicators.
    pub buttons: Vec<ButtonFigures>,
}

/// One button's indicators over the window.
pub struct ButtonFigures {
    pub id: Uuid,
    pub label: String,
    /// Its source tag (`web`, `email`, `qr`…).
    pub source: String,
    pub indicators: Indicators,
}

/// The questions whose answers are counted, each with the indicator holding its distribution.
pub fn distributions(now: &Indicators) -> [(&'static str, &Indicator); 5] {
    [
        ("satisfaction", &now.satisfaction),
        ("comprehension", &now.comprehension),
        ("contact_tried", &now.autonomy),
        ("contact_reached", &now.help_reachable),
        ("contact_satisfaction", &now.help_quality),
    ]
}

/// The values of a question in the questionnaire's order.
pub fn options(question: &str) -> Vec<&'static str> {
    QUESTIONS
        .iter()
        .find(|q| q.code == question)
        .map(|q| q.options.iter().map(|(value, _)| *value).collect())
        .unwrap_or_default()
}

/// A count's share of `n`, to 4 decimals; none when nothing was counted.
pub fn share(count: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| (count as f64 / n as f64 * 10_000.0).round() / 10_000.0)
}

fn level_of(indicator: &Indicator) -> &'static str {
    indicator
        .level
        .map_or("", |l| level_class(l).trim_start_matches("level "))
}

fn question_label(lang: Lang, code: &str) -> &'static str {
    QUESTIONS
        .iter()
        .find(|q| q.code == code)
        .map_or("", |q| q.label.get(lang))
}

/// A description listing each bar's label and figure.
fn listed(lang: Lang, bars: &[Bar]) -> String {
    let parts: Vec<String> = bars
        .iter()
        .map(|b| format!("{}{}{}", b.label, colon(lang), b.figure))
        .collect();
    format!("{}.", parts.join(". "))
}

fn count_figure(lang: Lang, count: i64, n: i64) -> String {
    match share(count, n) {
        Some(s) => format!("{count} ({})", percent(lang, s)),
        None => count.to_string(),
    }
}

fn indicator_bar(lang: Lang, label: String, name: &str, indicator: &Indicator) -> Bar {
    let unit = Unit::of(name);
    Bar {
        label,
        fraction: indicator.value.map(|v| match unit {
            Unit::Score => v / 10.0,
            Unit::Share => v,
        }),
        figure: match indicator.value {
            Some(_) => format!(
                "{} (n = {})",
                value_text(lang, name, indicator),
                indicator.n
            ),
            None => W::NoValue.text(lang).to_owned(),
        },
        class: level_of(indicator),
        hollow: indicator.value.is_some() && !indicator.publishable,
    }
}

/// The whole dashboard; `csv(name)` is the address of chart `name`'s figures as CSV.
pub fn dashboard(lang: Lang, figures: &Figures, csv: &dyn Fn(&str) -> String) -> Markup {
    let w = |word: W| word.text(lang);
    let before = figures.before.as_ref().map(|(window, b)| (b, *window));
    html! {
        section aria-labelledby="indicators" {
            h2 id="indicators" { (w(W::Indicators)) }
            p { (w(W::PeriodShown)) (colon(lang)) strong { (dates(figures.window)) } }
            (tiles(lang, &figures.now, before))
            (download(lang, &csv("indicators"), w(W::Indicators)))
        }
        (series::series(lang, figures, csv))
        (answers::questions(lang, &figures.now, csv))
        (answers::channels(lang, &figures.channels, figures.now.autonomy.n, csv))
        (answers::buttons(lang, &figures.buttons, csv))
    }
}

fn download(lang: Lang, href: &str, what: &str) -> Markup {
    html! {
        p class="download" {
            a href=(href) download { (W::DownloadCsv.text(lang)) span class="visually-hidden" { " – " (what) } }
        }
    }
}

/// A chart's block: heading, legend, the chart, its data table (folded) and its CSV link.
fn block(lang: Lang, id: &str, title: &str, chart: Markup, table: Markup, href: &str) -> Markup {
    let w = |word: W| word.text(lang);
    html! {
        section class="chart-block" aria-labelledby=(format!("{id}-heading")) {
            h2 id=(format!("{id}-heading")) { (title) }
            (chart)
            details {
                summary { (w(W::ShowData)) span class="visually-hidden" { " – " (title) } }
                div class="table" role="region" aria-label=(title) tabindex="0" {
                    table id=(format!("data-{id}")) {
                        caption { (title) }
                        (table)
                    }
                }
            }
            (download(lang, href, title))
        }
    }
}

fn interval_word(interval: Interval) -> W {
    match interval {
        Interval::Day => W::ByDay,
        Interval::Week => W::ByWeek,
        Interval::Month => W::ByMonth,
    }
}
