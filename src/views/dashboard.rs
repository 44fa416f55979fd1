//! A procedure's dashboard below its form: the tiles, then each chart with its figures in a data
//! table and a link to the same figures as CSV. The back-office and the public page show the
//! same markup.

use maud::{Markup, html};
use uuid::Uuid;

use super::charts::{self, Bar, Column, Named};
use super::figures::{Unit, decimal, exact, interval, level_class, level_word, percent};
use super::layout::colon;
use super::tiles::{dates, indicator_word, tiles, value_text};
use super::words::W;
use crate::domain::answers::Channel;
use crate::domain::indicators::{Indicator, Indicators};
use crate::domain::questionnaire::{Lang, QUESTIONS, option_label};
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
        (series(lang, figures, csv))
        (questions(lang, &figures.now, csv))
        (channels(lang, &figures.channels, figures.now.autonomy.n, csv))
        (buttons(lang, &figures.buttons, csv))
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

fn bucket_label(interval: Interval, bucket: Window) -> String {
    match interval {
        Interval::Month => bucket.from.strftime("%Y-%m").to_string(),
        Interval::Day | Interval::Week => bucket.from.strftime("%d/%m").to_string(),
    }
}

fn series(lang: Lang, figures: &Figures, csv: &dyn Fn(&str) -> String) -> Markup {
    let w = |word: W| word.text(lang);
    let title = format!(
        "{} ({})",
        w(W::SatisfactionOverTime),
        w(interval_word(figures.interval)).to_lowercase()
    );
    let columns: Vec<Column> = figures
        .series
        .iter()
        .map(|(bucket, indicators)| {
            let s = &indicators.satisfaction;
            Column {
                label: bucket_label(figures.interval, *bucket),
                fraction: s.value.map(|v| v / 10.0),
                n: s.n,
                tip: format!(
                    "{}, {}, n = {}",
                    dates(*bucket),
                    value_text(lang, "satisfaction", s),
                    s.n
                ),
                class: level_of(s),
                hollow: s.value.is_some() && !s.publishable,
            }
        })
        .collect();
    let values: Vec<f64> = figures
        .series
        .iter()
        .filter_map(|(_, i)| i.satisfaction.value)
        .collect();
    let total: i64 = figures.series.iter().map(|(_, i)| i.satisfaction.n).sum();
    let mut description = format!(
        "{} {}{}{} {}.",
        w(W::SeriesShape),
        w(W::PeriodShown),
        colon(lang),
        dates(figures.window),
        w(interval_word(figures.interval)).to_lowercase()
    );
    if let (Some(high), Some(low)) = (
        values.iter().copied().reduce(f64::max),
        values.iter().copied().reduce(f64::min),
    ) {
        description += &format!(
            " {}{}{}. {}{}{}.",
            w(W::Highest),
            colon(lang),
            exact(lang, Unit::Score, high),
            w(W::Lowest),
            colon(lang),
            exact(lang, Unit::Score, low)
        );
    }
    description += &format!(
        " {}{}{}. {}",
        w(W::Answers),
        colon(lang),
        total,
        w(W::FiguresInTable)
    );
    let ticks = [0.0, 5.0, 10.0].map(|t| (t / 10.0, decimal(lang, t, 0)));
    let chart = html! {
        p class="hint" { (w(W::HollowBars)) }
        (charts::columns(&Named { id: "chart-satisfaction", title: &title, description: &description }, &columns, &ticks, w(W::Answers)))
    };
    let table = html! {
        thead { tr {
            th scope="col" { (w(W::Start)) }
            th scope="col" { (w(W::End)) }
            th scope="col" { (w(W::IndicatorSatisfaction)) }
            th scope="col" { (w(W::Answers)) }
            th scope="col" { (w(W::ConfidenceInterval)) }
            th scope="col" { (w(W::Level)) }
        } }
        tbody {
            @for (bucket, indicators) in &figures.series {
                @let s = &indicators.satisfaction;
                tr {
                    th scope="row" { (bucket.from) }
                    td { (bucket.to) }
                    td { (value_text(lang, "satisfaction", s)) }
                    td class="number" { (s.n) }
                    td { @if let Some(ci) = s.ci95 { (interval(lang, Unit::Score, ci)) } }
                    td { @if let Some(level) = s.level { (w(level_word(level))) } }
                }
            }
        }
    };
    block(
        lang,
        "satisfaction",
        &title,
        chart,
        table,
        &csv("satisfaction"),
    )
}

/// One question's counts by value, and how many answered it.
struct Panel {
    question: &'static str,
    counts: Vec<(&'static str, i64)>,
    n: i64,
}

fn questions(lang: Lang, now: &Indicators, csv: &dyn Fn(&str) -> String) -> Markup {
    let w = |word: W| word.text(lang);
    let title = w(W::AnswersPerQuestion);
    let panels: Vec<Panel> = distributions(now)
        .into_iter()
        .map(|(question, indicator)| Panel {
            question,
            counts: options(question)
                .into_iter()
                .map(|value| {
                    (
                        value,
                        indicator.distribution.get(value).copied().unwrap_or(0),
                    )
                })
                .collect(),
            n: indicator.n,
        })
        .collect();
    let chart = html! {
        @for Panel { question, counts, n } in &panels {
            @let label = question_label(lang, question);
            @let bars: Vec<Bar> = counts.iter().map(|(value, count)| Bar {
                label: option_label(question, value, lang).unwrap_or(value).to_owned(),
                fraction: share(*count, *n),
                figure: count_figure(lang, *count, *n),
                class: match (*question, *value) {
                    ("satisfaction", "good") => "good",
                    ("satisfaction", "medium") => "medium",
                    ("satisfaction", "bad") => "bad",
                    _ => "",
                },
                hollow: false,
            }).collect();
            h3 { (label) }
            @if *question == "contact_tried" { p class="hint" { (w(W::SeveralAnswers)) } }
            (charts::bars(&Named { id: &format!("chart-question-{question}"), title: label, description: &listed(lang, &bars) }, &bars))
        }
    };
    let table = html! {
        thead { tr {
            th scope="col" { (w(W::Question)) }
            th scope="col" { (w(W::Answer)) }
            th scope="col" { (w(W::Count)) }
            th scope="col" { (w(W::Share)) }
        } }
        @for Panel { question, counts, n } in &panels {
            tbody {
                @for (i, (value, count)) in counts.iter().enumerate() {
                    tr data-question=(question) data-value=(value) {
                        @if i == 0 { th scope="rowgroup" rowspan=(counts.len()) { (question_label(lang, question)) } }
                        th scope="row" { (option_label(question, value, lang).unwrap_or(value)) }
                        td class="number" { (count) }
                        td class="number" { @if let Some(s) = share(*count, *n) { (percent(lang, s)) } }
                    }
                }
            }
        }
    };
    block(lang, "questions", title, chart, table, &csv("questions"))
}

fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    option_label("contact_tried", channel.code(), lang).unwrap_or(channel.code())
}

/// The help channels; `asked` is the number of reviews that answered which they tried.
fn channels(
    lang: Lang,
    rows: &[(Channel, i64, Indicators)],
    asked: i64,
    csv: &dyn Fn(&str) -> String,
) -> Markup {
    let w = |word: W| word.text(lang);
    let title = w(W::HelpChannels);
    let tried: Vec<Bar> = rows
        .iter()
        .map(|(channel, count, _)| Bar {
            label: channel_label(lang, *channel).to_owned(),
            fraction: share(*count, asked),
            figure: count_figure(lang, *count, asked),
            class: "",
            hollow: false,
        })
        .collect();
    let administration: Vec<&(Channel, i64, Indicators)> = rows
        .iter()
        .filter(|(c, _, _)| c.is_administration())
        .collect();
    let reached: Vec<Bar> = administration
        .iter()
        .map(|(c, _, i)| {
            indicator_bar(
                lang,
                channel_label(lang, *c).to_owned(),
                "help_reachable",
                &i.help_reachable,
            )
        })
        .collect();
    let quality: Vec<Bar> = administration
        .iter()
        .map(|(c, _, i)| {
            indicator_bar(
                lang,
                channel_label(lang, *c).to_owned(),
                "help_quality",
                &i.help_quality,
            )
        })
        .collect();
    let chart = html! {
        p class="hint" { (w(W::HollowBars)) }
        @for (id, word, bars) in [("chart-tried", W::ChannelsTried, &tried), ("chart-reached", W::IndicatorHelpReachable, &reached), ("chart-quality", W::IndicatorHelpQuality, &quality)] {
            h3 { (w(word)) }
            (charts::bars(&Named { id, title: w(word), description: &listed(lang, bars) }, bars))
        }
    };
    let dash = |value: Option<String>| value.unwrap_or_else(|| "—".to_owned());
    let table = html! {
        thead { tr {
            th scope="col" { (w(W::Channel)) }
            th scope="col" { (w(W::Tried)) }
            th scope="col" { (w(W::Reached)) }
            th scope="col" { (w(W::NotReached)) }
            th scope="col" { (w(W::IndicatorHelpReachable)) }
            th scope="col" { (w(W::IndicatorHelpQuality)) }
            th scope="col" { (w(W::QualityRatings)) }
        } }
        tbody {
            @for (channel, count, i) in rows {
                @let admin = channel.is_administration();
                @let reach = &i.help_reachable;
                tr data-channel=(channel.code()) {
                    th scope="row" { (channel_label(lang, *channel)) }
                    td class="number" { (count) }
                    td class="number" { (dash(admin.then(|| reach.distribution.get("yes").copied().unwrap_or(0).to_string()))) }
                    td class="number" { (dash(admin.then(|| reach.distribution.get("no").copied().unwrap_or(0).to_string()))) }
                    td { (dash(admin.then(|| value_text(lang, "help_reachable", reach)))) }
                    td { (dash(admin.then(|| value_text(lang, "help_quality", &i.help_quality)))) }
                    td class="number" { (dash(admin.then(|| i.help_quality.n.to_string()))) }
                }
            }
        }
    };
    block(lang, "channels", title, chart, table, &csv("channels"))
}

fn buttons(lang: Lang, rows: &[ButtonFigures], csv: &dyn Fn(&str) -> String) -> Markup {
    let w = |word: W| word.text(lang);
    let title = w(W::PerButton);
    let bars: Vec<Bar> = rows
        .iter()
        .map(|b| {
            indicator_bar(
                lang,
                format!("{} ({})", b.label, b.source),
                "satisfaction",
                &b.indicators.satisfaction,
            )
        })
        .collect();
    let chart = html! {
        p class="hint" { (w(W::PerButtonHint)) " " (w(W::HollowBars)) }
        (charts::bars(&Named { id: "chart-buttons", title, description: &listed(lang, &bars) }, &bars))
    };
    let table = html! {
        thead { tr {
            th scope="col" { (w(W::Button)) }
            th scope="col" { (w(W::Source)) }
            @for name in NAMES {
                th scope="col" { (w(indicator_word(name))) }
                @if name == "satisfaction" {
                    th scope="col" { (w(W::Answers)) }
                    th scope="col" { (w(W::Level)) }
                }
            }
        } }
        tbody {
            @for button in rows {
                tr data-button=(button.id) {
                    th scope="row" { (button.label) }
                    td { (button.source) }
                    @for (name, indicator) in button.indicators.named() {
                        td { (value_text(lang, name, indicator)) }
                        @if name == "satisfaction" {
                            td class="number" { (indicator.n) }
                            td { @if let Some(level) = indicator.level { (w(level_word(level))) } }
                        }
                    }
                }
            }
        }
    };
    block(lang, "buttons", title, chart, table, &csv("buttons"))
}
