//! Each chart's figures as CSV, the same as its data table: the tiles' (`indicators`), the series
//! (`satisfaction`), the answers to each question, the help channels and the buttons.

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::domain::breakdown;
use crate::domain::indicators::Indicator;
use crate::domain::questionnaire::{Lang, option_label};
use crate::routes::api::csv::{download, level_code, number};
use crate::routes::pages::error::PageError;
use crate::views::dashboard::{Figures, distributions, options, share};

fn ci(indicator: &Indicator, end: usize) -> String {
    number(indicator.ci95.map(|ci| ci[end]))
}

fn level(indicator: &Indicator) -> String {
    indicator
        .level
        .map(level_code)
        .unwrap_or_default()
        .to_owned()
}

/// The charts whose figures come as CSV: the tiles' (`indicators`), then each chart's.
pub(super) const CHARTS: [&str; 5] = [
    "indicators",
    "satisfaction",
    "questions",
    "channels",
    "buttons",
];

/// The header and rows of chart `name`'s figures; none for a chart that does not exist.
fn chart_rows(
    lang: Lang,
    name: &str,
    figures: &Figures,
) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    let window = figures.window;
    let rows = match name {
        "indicators" => figures
            .now
            .named()
            .into_iter()
            .enumerate()
            .map(|(i, (name, indicator))| {
                let before = figures.before.as_ref().map(|(w, b)| (w, b.named()[i].1));
                let distribution: Vec<String> = indicator
                    .distribution
                    .iter()
                    .map(|(k, n)| format!("{k}={n}"))
                    .collect();
                vec![
                    window.from.to_string(),
                    window.to.to_string(),
                    name.to_owned(),
                    number(indicator.value),
                    indicator.n.to_string(),
                    ci(indicator, 0),
                    ci(indicator, 1),
                    level(indicator),
                    indicator.publishable.to_string(),
                    distribution.join(";"),
                    before.map(|(w, _)| w.from.to_string()).unwrap_or_default(),
                    before.map(|(w, _)| w.to.to_string()).unwrap_or_default(),
                    number(before.and_then(|(_, b)| b.value)),
                    number(before.and_then(|(_, b)| breakdown::change(indicator, b))),
                ]
            })
            .collect(),
        "satisfaction" => figures
            .series
            .iter()
            .map(|(bucket, indicators)| {
                let s = &indicators.satisfaction;
                vec![
                    bucket.from.to_string(),
                    bucket.to.to_string(),
                    number(s.value),
                    s.n.to_string(),
                    ci(s, 0),
                    ci(s, 1),
                    level(s),
                    s.publishable.to_string(),
                ]
            })
            .collect(),
        "questions" => distributions(&figures.now)
            .into_iter()
            .flat_map(|(question, indicator)| {
                options(question).into_iter().map(move |value| {
                    let count = indicator.distribution.get(value).copied().unwrap_or(0);
                    vec![
                        question.to_owned(),
                        value.to_owned(),
                        option_label(question, value, lang)
                            .unwrap_or(value)
                            .to_owned(),
                        count.to_string(),
                        indicator.n.to_string(),
                        number(share(count, indicator.n)),
                    ]
                })
            })
            .collect(),
        "channels" => figures
            .channels
            .iter()
            .map(|(channel, tried, i)| {
                let reach = &i.help_reachable;
                let count = |v: &str| reach.distribution.get(v).copied().unwrap_or(0).to_string();
                vec![
                    channel.code().to_owned(),
                    option_label("contact_tried", channel.code(), lang)
                        .unwrap_or_default()
                        .to_owned(),
                    tried.to_string(),
                    count("yes"),
                    count("no"),
                    number(reach.value),
                    reach.n.to_string(),
                    number(i.help_quality.value),
                    i.help_quality.n.to_string(),
                ]
            })
            .collect(),
        "buttons" => figures
            .buttons
            .iter()
            .map(|b| {
                let mut row = vec![b.id.to_string(), b.label.clone(), b.source.clone()];
                for (_, indicator) in b.indicators.named() {
                    row.push(number(indicator.value));
                    row.push(indicator.n.to_string());
                }
                row.push(level(&b.indicators.satisfaction));
                row
            })
            .collect(),
        _ => return None,
    };
    let header = match name {
        "indicators" => vec![
            "from",
            "to",
            "indicator",
            "value",
            "n",
            "ci95_low",
            "ci95_high",
            "level",
            "publishable",
            "distribution",
            "previous_from",
            "previous_to",
            "previous_value",
            "change",
        ],
        "satisfaction" => vec![
            "from",
            "to",
            "value",
            "n",
            "ci95_low",
            "ci95_high",
            "level",
            "publishable",
        ],
        "questions" => vec!["question", "value", "label", "count", "n", "share"],
        "channels" => vec![
            "channel",
            "label",
            "tried",
            "reached_yes",
            "reached_no",
            "help_reachable",
            "help_reachable_n",
            "help_quality",
            "help_quality_n",
        ],
        _ => vec![
            "button_id",
            "label",
            "source",
            "satisfaction",
            "satisfaction_n",
            "comprehension",
            "comprehension_n",
            "help_reachable",
            "help_reachable_n",
            "help_quality",
            "help_quality_n",
            "autonomy",
            "autonomy_n",
            "level",
        ],
    };
    Some((header, rows))
}

/// Chart `name`'s figures as a CSV download; "not found" for a chart that does not exist.
pub fn chart_csv(lang: Lang, name: &str, figures: &Figures) -> Result<HttpResponse, PageError> {
    let (header, rows) = chart_rows(lang, name, figures).ok_or(PageError::NotFound(lang))?;
    let cache = (header::CACHE_CONTROL, "no-store");
    download(&header, rows, &format!("{name}.csv"), cache)
        .map_err(|e| PageError::Internal(e.into()))
}
