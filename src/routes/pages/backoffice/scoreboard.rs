//! Procedures side by side with their indicators: an organisation's (on its page) and the
//! observatory's essential procedures of every organisation (superadmins), each sortable by
//! column, filtered by text, in pages, and whole as CSV. Every procedure's counters of the window
//! and of the window before come in two reads, whatever the number of procedures.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use jiff::Timestamp;
use maud::{Markup, html};
use uuid::Uuid;

use super::{agent_page_status, path_id};
use crate::accounts::Agent;
use crate::domain::breakdown;
use crate::domain::indicators;
use crate::domain::questionnaire::Lang;
use crate::domain::time::paris_day;
use crate::domain::window::Window;
use crate::routes::api::csv::{download, level_code, number};
use crate::routes::pages::dashboard::{Chosen, Unread, bad_query, choose_window, pairs};
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::catalog::Procedure;
use crate::views::forms::Errors;
use crate::views::scoreboard::{Column, Row, Sort, sort, table};
use crate::views::table as lists;
use crate::views::tiles::Picked;
use crate::views::tiles::{Offer, dates, window_form};
use crate::views::words::W;

const PER_PAGE: usize = 50;

/// What a table's query asks for: its window, order, filter and page, and the query naming
/// them again for links.
struct Asked {
    window: Window,
    sort: Sort,
    q: String,
    page: usize,
    links: Vec<(&'static str, String)>,
    picked: Picked,
}

fn ask(query: &str, with_organisation: bool) -> Result<Asked, Box<Unread>> {
    let pairs = pairs(query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Chosen {
        window,
        mut links,
        picked,
    } = choose_window(&pairs, paris_day(Timestamp::now()))?;
    let Some(sort) = Sort::parse(get("sort"), get("dir"), with_organisation) else {
        let mut errors = Errors::default();
        errors.add("scoreboard", W::InvalidSort);
        return Err(Box::new(Unread { picked, errors }));
    };
    let q = get("q").unwrap_or_default().to_owned();
    if !q.is_empty() {
        links.push(("q", q.clone()));
    }
    let page = get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    Ok(Asked {
        window,
        sort,
        q,
        page,
        links,
        picked,
    })
}

/// Each procedure's row over `window`; [`arranged`] adds its change since the window before.
async fn rows(
    state: &AppState,
    procedures: Vec<Procedure>,
    window: Window,
    organisations: Option<&HashMap<Uuid, String>>,
) -> Result<Vec<Row>, PageError> {
    let mut now = state
        .store
        .sum_counters(window.from, window.to, None)
        .await?;
    let threshold = state.publication_threshold;
    Ok(procedures
        .into_iter()
        .map(|p| Row {
            id: p.id,
            indicators: indicators::compute(&now.remove(&p.id).unwrap_or_default(), threshold),
            title: p.title,
            external_id: p.external_id,
            organisation: organisations
                .map(|names| names.get(&p.organisation_id).cloned().unwrap_or_default()),
            is_essential: p.is_essential,
            is_closed: p.closed_at.is_some(),
            trend: None,
        })
        .collect())
}

/// Rows read for a page are at most this many: their window before is read for them alone.
const FEW: usize = PER_PAGE;

/// Adds to `rows` their change since the window before `window`: read for these procedures
/// alone when they are few (a page of the table), for all of them at once otherwise.
async fn trends(state: &AppState, rows: &mut [Row], window: Window) -> Result<(), PageError> {
    let Some(previous) = window.previous() else {
        return Ok(());
    };
    let store = &state.store;
    let mut before = if rows.len() <= FEW {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        store
            .sum_counters_of(previous.from, previous.to, &ids)
            .await?
    } else {
        store.sum_counters(previous.from, previous.to, None).await?
    };
    let threshold = state.publication_threshold;
    for row in rows {
        let earlier = indicators::compute(&before.remove(&row.id).unwrap_or_default(), threshold);
        row.trend = breakdown::change(&row.indicators.satisfaction, &earlier.satisfaction);
    }
    Ok(())
}

/// The rows matching the filter, in order, with their change since the window before: every
/// row's when the table is sorted by it or `whole` (a CSV), else only the asked page's.
async fn arranged(
    state: &AppState,
    mut rows: Vec<Row>,
    asked: &Asked,
    whole: bool,
) -> Result<Vec<Row>, PageError> {
    let needle = asked.q.to_lowercase();
    rows.retain(|r| {
        lists::matches(
            &needle,
            &[
                &r.title,
                r.external_id.as_deref().unwrap_or_default(),
                r.organisation.as_deref().unwrap_or_default(),
            ],
        )
    });
    if whole || asked.sort.column == Column::Trend {
        trends(state, &mut rows, asked.window).await?;
        sort(&mut rows, asked.sort);
    } else {
        sort(&mut rows, asked.sort);
        let start = ((asked.page - 1) * PER_PAGE).min(rows.len());
        let end = (start + PER_PAGE).min(rows.len());
        trends(state, &mut rows[start..end], asked.window).await?;
    }
    Ok(rows)
}

fn link(path: &str, links: &[(&str, String)], extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in links {
        query.append_pair(name, value);
    }
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    match query.finish() {
        empty if empty.is_empty() => path.to_owned(),
        query => format!("{path}?{query}"),
    }
}

/// The window form, the table of one page of rows with its pager, and the CSV link.
fn shown(lang: Lang, path: &str, csv: &str, rows: &[Row], asked: &Asked) -> Markup {
    let w = |word: W| word.text(lang);
    let pages = rows.len().div_ceil(PER_PAGE);
    let start = ((asked.page - 1) * PER_PAGE).min(rows.len());
    let page = &rows[start..(start + PER_PAGE).min(rows.len())];
    let caption = format!("{} ({})", w(W::ProceduresIndicators), dates(asked.window));
    let sorted = |s: Sort| {
        link(
            path,
            &asked.links,
            &[("sort", s.column.code()), ("dir", s.dir())],
        )
    };
    let kept: Vec<(&str, &str)> = asked
        .links
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain([
            ("sort", asked.sort.column.code()),
            ("dir", asked.sort.dir()),
        ])
        .collect();
    let offer = Offer {
        buttons: None,
        interval: false,
    };
    html! {
        (window_form(lang, path, &asked.picked, &offer, &Errors::default()))
        (lists::search(lang, path, &asked.q))
        @if page.is_empty() {
            p { (w(W::NoProcedures)) }
        } @else {
            (table(lang, &caption, page, asked.sort, &sorted))
            (lists::pager(lang, path, &kept, asked.page, pages))
        }
        p class="download" {
            a href=(link(csv, &asked.links, &[("sort", asked.sort.column.code()), ("dir", asked.sort.dir())])) download {
                (w(W::DownloadTable))
            }
        }
    }
}

/// The table as CSV: every matching row, in the table's order.
fn csv(rows: &[Row], window: Window) -> Result<HttpResponse, PageError> {
    let mut header = vec![
        "procedure_id",
        "external_id",
        "title",
        "organisation",
        "from",
        "to",
    ];
    for name in crate::views::dashboard::NAMES {
        header.push(name);
        header.push(match name {
            "satisfaction" => "satisfaction_n",
            "comprehension" => "comprehension_n",
            "help_reachable" => "help_reachable_n",
            "help_quality" => "help_quality_n",
            _ => "autonomy_n",
        });
    }
    header.extend(["level", "trend"]);
    let lines = rows
        .iter()
        .map(|r| {
            let mut line = vec![
                r.id.to_string(),
                r.external_id.clone().unwrap_or_default(),
                r.title.clone(),
                r.organisation.clone().unwrap_or_default(),
                window.from.to_string(),
                window.to.to_string(),
            ];
            for (_, indicator) in r.indicators.named() {
                line.push(number(indicator.value));
                line.push(indicator.n.to_string());
            }
            line.push(
                r.indicators
                    .satisfaction
                    .level
                    .map(level_code)
                    .unwrap_or_default()
                    .to_owned(),
            );
            line.push(number(r.trend));
            line
        })
        .collect();
    download(
        &header,
        lines,
        "indicators.csv",
        (header::CACHE_CONTROL, "no-store"),
    )
    .map_err(|e| PageError::Internal(e.into()))
}

/// An organisation's table as its page shows it, and the status of the page (`400` when the
/// query cannot be read).
pub(super) async fn organisation_table(
    state: &AppState,
    lang: Lang,
    organisation: Uuid,
    query: &str,
) -> Result<(StatusCode, Markup), PageError> {
    let path = format!("/admin/organisations/{organisation}");
    let offer = Offer {
        buttons: None,
        interval: false,
    };
    let asked = match ask(query, false) {
        Ok(asked) => asked,
        Err(unread) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                window_form(lang, &path, &unread.picked, &offer, &unread.errors),
            ));
        }
    };
    let procedures = state.store.list_procedures(Some(organisation)).await?;
    let rows = rows(state, procedures, asked.window, None).await?;
    let rows = arranged(state, rows, &asked, false).await?;
    let csv = format!("{path}/indicators.csv");
    Ok((StatusCode::OK, shown(lang, &path, &csv, &rows, &asked)))
}

#[get("/admin/organisations/{id}/indicators.csv")]
pub async fn organisation_csv(
    agent: Agent,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, &agent)?;
    agent.require_member(id)?;
    let asked = match ask(req.query_string(), false) {
        Ok(asked) => asked,
        Err(unread) => return Ok(bad_query(agent.lang, &unread.errors)),
    };
    let procedures = state.store.list_procedures(Some(id)).await?;
    let rows = rows(&state, procedures, asked.window, None).await?;
    let rows = arranged(&state, rows, &asked, true).await?;
    csv(&rows, asked.window)
}

/// The essential procedures of every organisation, with their organisations' names.
async fn essential(state: &AppState, asked: &Asked, whole: bool) -> Result<Vec<Row>, PageError> {
    let (procedures, organisations) = tokio::try_join!(
        state.store.list_procedures(None),
        state.store.list_organisations(),
    )?;
    let names: HashMap<Uuid, String> = organisations.into_iter().map(|o| (o.id, o.name)).collect();
    let essential = procedures.into_iter().filter(|p| p.is_essential).collect();
    let rows = rows(state, essential, asked.window, Some(&names)).await?;
    arranged(state, rows, asked, whole).await
}

#[get("/admin/observatory")]
pub async fn observatory(
    agent: Agent,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let path = "/admin/observatory";
    let (status, content) = match ask(req.query_string(), true) {
        Ok(asked) => {
            let rows = essential(&state, &asked, false).await?;
            let content = html! {
                @if rows.is_empty() && asked.q.is_empty() { p { (w(W::NoEssential)) } }
                @else { (shown(lang, path, "/admin/observatory.csv", &rows, &asked)) }
            };
            (StatusCode::OK, content)
        }
        Err(unread) => {
            let offer = Offer {
                buttons: None,
                interval: false,
            };
            (
                StatusCode::BAD_REQUEST,
                window_form(lang, path, &unread.picked, &offer, &unread.errors),
            )
        }
    };
    let body = html! {
        h1 { (w(W::Observatory)) }
        p { (w(W::ObservatoryIntro)) }
        (content)
    };
    Ok(agent_page_status(
        &agent,
        status,
        w(W::Observatory),
        Some(W::Observatory),
        body,
    ))
}

#[get("/admin/observatory.csv")]
pub async fn observatory_csv(
    agent: Agent,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let asked = match ask(req.query_string(), true) {
        Ok(asked) => asked,
        Err(unread) => return Ok(bad_query(agent.lang, &unread.errors)),
    };
    let rows = essential(&state, &asked, true).await?;
    csv(&rows, asked.window)
}
