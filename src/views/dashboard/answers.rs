//! The answers behind the indicators: the distribution of every question, the help channels
//! (tried, reached, the quality of their help) and the buttons, each as bars.

use maud::{Markup, html};

use super::{
    ButtonFigures, NAMES, block, count_figure, distributions, indicator_bar, listed, options,
    question_label, share,
};
use crate::domain::answers::Channel;
use crate::domain::indicators::Indicators;
use crate::domain::questionnaire::{Lang, option_label};
use crate::views::charts::{self, Bar, Named};
use crate::views::figures::{level_word, percent};
use crate::views::tiles::{indicator_word, value_text};
use crate::views::words::W;

/// One question's counts by value, and how many answered it.
struct Panel {
    question: &'static str,
    counts: Vec<(&'static str, i64)>,
    n: i64,
}

pub(super) fn questions(lang: Lang, now: &Indicators, csv: &dyn Fn(&str) -> String) -> Markup {
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
pub(super) fn channels(
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

pub(super) fn buttons(lang: Lang, rows: &[ButtonFigures], csv: &dyn Fn(&str) -> String) -> Markup {
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
