//! What a dashboard's query asks for: a window (rolling months, or dates), a button, a grouping
//! of the series; and, when it cannot be read, the form as it was filled in and what is wrong.

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::questionnaire::Lang;
use crate::domain::window::{Interval, Window, WindowQuery};
use crate::store::catalog::Button;
use crate::views::forms::Errors;
use crate::views::tiles::Picked;
use crate::views::words::W;

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
