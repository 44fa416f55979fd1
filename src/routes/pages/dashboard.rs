//! What a procedure's dashboard shows, for the back-office and the public page alike: the choice
//! read from the query (window, button, grouping), the figures read from the counters through
//! the very functions the observatory's API calls, and each chart's figures as CSV.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use jiff::Timestamp;
use jiff::civil::Date;
use maud::{Markup, html};
use uuid::Uuid;

use crate::domain::answers::Channel;
use crate::domain::breakdown;
use crate::domain::indicators::{self, Counts, Indicator};
use crate::domain::questionnaire::{Lang, option_label};
use crate::domain::time::paris_day;
use crate::domain::window::{Interval, Window, WindowQuery};
use crate::routes::api::csv::{download, level_code, number};
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::catalog::Button;
use crate::views::dashboard::{ButtonFigures, Figures, dashboard, distributions, options, share};
use crate::views::forms::Errors;
use crate::views::layout::{Frame, page};
use crate::views::tiles::{Offer, Picked, window_form};
use crate::views::words::W;

use super::error::PageError;

/// A query string's pairs, empty values left out (a GET form sends its empty fields).
pub fn pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .map(|(k, v)| (k, v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A query that cannot be read: the form as it was filled in, and what is wrong with it.
pub struct Unread {
    pub picked: Picked,
    pub errors: Errors,
}

fn unread(picked: Picked, errors: Errors) -> Box<Unread> {
    Box::new(Unread { picked, errors })
}

/// A window read from a query.
pub struct Chosen {
    pub window: Window,
    /// The query that names it again, for links.
    pub links: Vec<(&'static str, String)>,
    /// The form's fields as they show it.
    pub picked: Picked,
}

/// The window a query names. `window=custom` (the form's choice of dates) reads `from` and `to`;
/// a rolling window wins over dates sent with it, so that a form keeps working whatever its
/// date fields hold.
pub fn choose_window(pairs: &[(String, String)], today: Date) -> Result<Chosen, Box<Unread>> {
    let owned = |name: &str| get(pairs, name).map(str::to_owned);
    let rolling = owned("window").filter(|w| w != "custom");
    let query = match &rolling {
        Some(window) => WindowQuery {
            window: Some(window.clone()),
            at: owned("at"),
            ..WindowQuery::default()
        },
        None => WindowQuery {
            from: owned("from"),
            to: owned("to"),
            at: owned("at").filter(|_| get(pairs, "from").is_none()),
            ..WindowQuery::default()
        },
    };
    let mut picked = Picked {
        window: owned("window").unwrap_or_else(|| match (&query.from, &query.to) {
            (None, None) => "12m".to_owned(),
            _ => "custom".to_owned(),
        }),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        ..Picked::default()
    };
    if picked.window == "custom" && query.from.is_none() && query.to.is_none() {
        let mut errors = Errors::default();
        errors.add("from", W::InvalidWindow);
        return Err(unread(picked, errors));
    }
    let window = query.resolve(today).map_err(|problems| {
        let mut errors = Errors::default();
        let field = match problems.first().map(|p| p.field.as_str()) {
            Some("to") => "to",
            Some("from") => "from",
            _ => "window",
        };
        errors.add(field, W::InvalidWindow);
        unread(picked.clone(), errors)
    })?;
    let mut links = Vec::new();
    match rolling {
        Some(rolling) => {
            if !["12m", "3m"].contains(&rolling.as_str()) || query.at.is_some() {
                picked.window = "custom".to_owned();
            }
            links.push(("window", rolling));
        }
        None => {
            if query.from.is_some() {
                links.push(("from", window.from.to_string()));
                links.push(("to", window.to.to_string()));
            }
        }
    }
    if let Some(at) = &query.at {
        links.push(("at", at.clone()));
    }
    // The public page's language, when the address names one, stays with its links and form.
    if let Some(lang) = get(pairs, "lang").filter(|l| Lang::parse(l).is_some()) {
        links.push(("lang", lang.to_owned()));
        picked.lang = lang.to_owned();
    }
    picked.from = window.from.to_string();
    picked.to = window.to.to_string();
    Ok(Chosen {
        window,
        links,
        picked,
    })
}

/// What a dashboard shows, as its query asks.
pub struct Choice {
    pub window: Window,
    /// One counting button of the procedure, or all of them.
    pub button: Option<Uuid>,
    pub interval: Interval,
    pub buckets: Vec<Window>,
    /// The query naming this choice, for the links that keep it.
    pub links: Vec<(&'static str, String)>,
    pub picked: Picked,
}

/// Reads a dashboard's query; `buttons` are the procedure's counting buttons.
pub fn choose(
    pairs: &[(String, String)],
    today: Date,
    buttons: &[Button],
) -> Result<Choice, Box<Unread>> {
    let Chosen {
        window,
        mut links,
        mut picked,
    } = choose_window(pairs, today)?;
    let mut errors = Errors::default();
    picked.button = get(pairs, "button").unwrap_or_default().to_owned();
    picked.interval = get(pairs, "interval").unwrap_or_default().to_owned();
    let button = match get(pairs, "button") {
        None => None,
        Some(raw) => {
            let found = Uuid::parse_str(raw)
                .ok()
                .filter(|id| buttons.iter().any(|b| b.id == *id));
            if found.is_none() {
                errors.add("button", W::InvalidButton);
            }
            found
        }
    };
    let interval = match get(pairs, "interval") {
        None => Some(Interval::fitting(window)),
        Some(raw) => errors.check("interval", Interval::parse(raw), |_| W::InvalidInterval),
    };
    let buckets =
        interval.and_then(|i| errors.check("interval", i.buckets(window), |_| W::TooManyBuckets));
    match (interval, buckets) {
        (Some(interval), Some(buckets)) if errors.is_empty() => {
            if let Some(button) = button {
                links.push(("button", button.to_string()));
            }
            if get(pairs, "interval").is_some() {
                links.push(("interval", interval.code().to_owned()));
            }
            Ok(Choice {
                window,
                button,
                interval,
                buckets,
                links,
                picked,
            })
        }
        _ => Err(unread(picked, errors)),
    }
}

/// A query string of `links`, with `?` when there is one.
pub fn query_string(links: &[(&str, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in links {
        query.append_pair(name, value);
    }
    match query.finish() {
        empty if empty.is_empty() => empty,
        query => format!("?{query}"),
    }
}

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
const CHARTS: [&str; 5] = [
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

/// The dashboard of a procedure as a page shows it under its heading: the form, then the
/// figures, or the form with what is wrong in the query (and `400`). `base` is the page's
/// address; its charts' CSV files are under `{base}/charts/`.
pub async fn section(
    state: &AppState,
    lang: Lang,
    procedure: Uuid,
    query: &str,
    base: &str,
) -> Result<(StatusCode, Markup), PageError> {
    let buttons = counting(state.store.list_buttons(Some(procedure)).await?);
    let offered: Vec<(String, String)> = buttons
        .iter()
        .map(|b| (b.id.to_string(), format!("{} ({})", b.label, b.source)))
        .collect();
    let offer = Offer {
        buttons: Some(&offered),
        interval: true,
    };
    let pairs = pairs(query);
    match choose(&pairs, paris_day(Timestamp::now()), &buttons) {
        Ok(choice) => {
            let figures = gather(state, procedure, &buttons, &choice).await?;
            let tail = query_string(&choice.links);
            let csv = |name: &str| format!("{base}/charts/{name}.csv{tail}");
            let markup = html! {
                (window_form(lang, base, &choice.picked, &offer, &Errors::default()))
                (dashboard(lang, &figures, &csv))
            };
            Ok((StatusCode::OK, markup))
        }
        Err(unread) => Ok((
            StatusCode::BAD_REQUEST,
            window_form(lang, base, &unread.picked, &offer, &unread.errors),
        )),
    }
}

/// Chart `name` of a procedure's dashboard as CSV, for the query's choice; a page saying what
/// is wrong with the query (`400`) otherwise.
pub async fn chart(
    state: &AppState,
    lang: Lang,
    procedure: Uuid,
    query: &str,
    name: &str,
) -> Result<HttpResponse, PageError> {
    if !CHARTS.contains(&name) {
        return Err(PageError::NotFound(lang));
    }
    let buttons = counting(state.store.list_buttons(Some(procedure)).await?);
    match choose(&pairs(query), paris_day(Timestamp::now()), &buttons) {
        Ok(choice) => {
            let figures = gather(state, procedure, &buttons, &choice).await?;
            chart_csv(lang, name, &figures)
        }
        Err(unread) => Ok(bad_query(lang, &unread.errors)),
    }
}

/// A bare page naming what is wrong with a query, for addresses that are not pages (CSV).
pub fn bad_query(lang: Lang, errors: &Errors) -> HttpResponse {
    let frame = Frame {
        lang,
        title: W::ErrorSummary.text(lang),
        viewer: None,
        current: None,
        refresh: None,
    };
    super::html(StatusCode::BAD_REQUEST, page(&frame, errors.summary(lang)))
}
