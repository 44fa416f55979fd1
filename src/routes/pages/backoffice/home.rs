//! `/admin/`: the procedures of my organisations (all of them for a superadmin), with their
//! satisfaction over the last 12 months at a glance.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use jiff::Timestamp;
use maud::html;

use super::{agent_page, page_number, search_of};
use crate::accounts::Agent;
use crate::domain::indicators;
use crate::domain::time::paris_day;
use crate::domain::window::WindowQuery;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::views::figures::score_cells;
use crate::views::table;
use crate::views::words::W;

const PER_PAGE: usize = 50;

#[get("/admin/")]
pub async fn show(
    agent: Agent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let search = search_of(&query);
    let page = page_number(&query) as usize;
    let window = WindowQuery::default()
        .resolve(paris_day(Timestamp::now()))
        .map_err(|_| PageError::Internal(anyhow::anyhow!("the default window is valid")))?;
    let visible = agent.organisations();
    let (mut sums, procedures, organisations) = tokio::try_join!(
        state.store.sum_counters(window.from, window.to, None),
        state.store.list_procedures(None),
        state.store.list_organisations(),
    )?;
    let names: HashMap<_, _> = organisations.iter().map(|o| (o.id, &o.name)).collect();
    let needle = search.to_lowercase();
    let mut rows: Vec<_> = procedures
        .into_iter()
        .filter(|p| {
            visible
                .as_ref()
                .is_none_or(|v| v.contains(&p.organisation_id))
        })
        .filter(|p| {
            let organisation = names.get(&p.organisation_id).map_or("", |n| n.as_str());
            table::matches(&needle, &[&p.title, organisation])
        })
        .collect();
    rows.sort_by_key(|p| p.title.to_lowercase());
    let total = rows.len();
    let shown: Vec<_> = rows
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| {
            let counts = sums.remove(&p.id).unwrap_or_default();
            let figures = indicators::compute(&counts, state.publication_threshold);
            (p, figures.satisfaction)
        })
        .collect();
    let body = html! {
        h1 { (w(W::Home)) }
        @if agent.memberships.is_empty() && !agent.user.is_superadmin {
            p { (w(W::NoOrganisation)) }
        } @else {
            @if !agent.memberships.is_empty() {
                ul class="inline" {
                    @for m in &agent.memberships {
                        li { a href=(format!("/admin/organisations/{}", m.organisation_id)) { (m.organisation_name) } }
                    }
                }
            }
            (table::search(lang, "/admin/", &search))
            @if shown.is_empty() {
                p { (w(W::NoProcedures)) }
            } @else {
                div class="table" role="region" aria-label=(w(W::Satisfaction12m)) tabindex="0" {
                    table {
                        caption { (w(W::Satisfaction12m)) " (" (window.from) " – " (window.to) ")" }
                        thead { tr {
                            th scope="col" { (w(W::Procedure)) }
                            th scope="col" { (w(W::Organisation)) }
                            th scope="col" { (w(W::Satisfaction12m)) }
                            th scope="col" { (w(W::Answers)) }
                            th scope="col" { (w(W::Level)) }
                        } }
                        tbody {
                            @for (procedure, satisfaction) in &shown {
                                tr {
                                    th scope="row" {
                                        a href=(format!("/admin/procedures/{}", procedure.id)) { (procedure.title) }
                                        @if procedure.closed_at.is_some() { " " span class="badge" { (w(W::Closed)) } }
                                    }
                                    td { (names.get(&procedure.organisation_id).map_or("", |n| n.as_str())) }
                                    (score_cells(lang, satisfaction))
                                }
                            }
                        }
                    }
                }
                (table::pager(lang, "/admin/", &[("q", &search)], page, total.div_ceil(PER_PAGE)))
            }
        }
    };
    Ok(agent_page(&agent, w(W::Home), Some(W::Home), body))
}
