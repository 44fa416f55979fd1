//! The whole instance, for superadmins: accounts (disable, enable, a password reset link), the
//! settings `avis serve` runs with (read-only, secrets masked) and the whole audit log; and one
//! organisation's audit log, for its admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};
use uuid::Uuid;

use super::organisations::{tabs, visible};
use super::{agent_page_status, back_to, done, page_number, path_id, record, search_of};
use crate::accounts::{Agent, Submitted};
use crate::domain::people::Email;
use crate::domain::questionnaire::Lang;
use crate::notify::letters;
use crate::routes::client::base_url;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::audit::Event;
use crate::store::mail::Compose;
use crate::store::people::User;
use crate::views::layout::{action_button, copyable, mail_note, notice, when};
use crate::views::table::{pager, search};
use crate::views::words::W;

const USERS_PER_PAGE: i64 = 50;
const EVENTS_PER_PAGE: i64 = 100;

/// How long a password reset link made by an admin stays valid.
const RESET_TTL_SECONDS: i64 = 86_400;

async fn users_page(
    state: &AppState,
    agent: &Agent,
    (q, page): (&str, i64),
    link: Option<(&str, Option<&str>)>,
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let (accounts, total) = state
        .store
        .list_users(q, (page - 1) * USERS_PER_PAGE, USERS_PER_PAGE)
        .await?;
    let csrf = &agent.session.csrf_token;
    let body = html! {
        h1 { (w(W::Users)) }
        (search(lang, "/admin/users", q))
        @if let Some(word) = message { (notice(w(word))) }
        @if let Some((link, mailed_to)) = link {
            div class="notice" role="status" {
                (copyable(lang, "reset-link", w(W::ResetLinkShown), link))
                (mail_note(lang, mailed_to))
            }
        }
        div class="table" role="region" aria-label=(w(W::Users)) tabindex="0" {
            table {
                caption class="visually-hidden" { (w(W::Users)) }
                thead { tr {
                    th scope="col" { (w(W::Name)) }
                    th scope="col" { (w(W::Email)) }
                    th scope="col" { (w(W::Role)) }
                    th scope="col" { (w(W::Status)) }
                    th scope="col" { (w(W::Actions)) }
                } }
                tbody {
                    @for user in &accounts {
                        tr {
                            th scope="row" { (user.display_name) }
                            td { (user.email) }
                            td { @if user.is_superadmin { (w(W::RoleSuperadmin)) } }
                            td { @if user.disabled_at.is_some() { (w(W::Disabled)) } @else { (w(W::Active)) } }
                            td class="row-actions" {
                                @if user.id != agent.user.id {
                                    @if user.disabled_at.is_some() {
                                        (action_button(&format!("/admin/users/{}/enable", user.id), csrf, w(W::Enable), &user.email, false))
                                    } @else {
                                        (action_button(&format!("/admin/users/{}/disable", user.id), csrf, w(W::Disable), &user.email, true))
                                        (action_button(&format!("/admin/users/{}/reset", user.id), csrf, w(W::ResetLink), &user.email, false))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (pager(lang, "/admin/users", &[("q", q)], page as usize, (total.max(1) as usize).div_ceil(USERS_PER_PAGE as usize)))
    };
    Ok(agent_page_status(
        agent,
        StatusCode::OK,
        w(W::Users),
        Some(W::Users),
        body,
    ))
}

#[get("/admin/users")]
pub async fn users(
    agent: Agent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let message = (done(&query) == Some("saved")).then_some(W::Saved);
    let q = search_of(&query);
    users_page(&state, &agent, (&q, page_number(&query)), None, message).await
}

async fn target(state: &AppState, agent: &Agent, raw: &str) -> Result<User, PageError> {
    agent.require_superadmin()?;
    let id = path_id(raw, agent)?;
    match state.store.find_user(id).await? {
        Some(user) if user.id != agent.user.id => Ok(user),
        _ => Err(PageError::NotFound(agent.lang)),
    }
}

async fn set_disabled(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
    disabled: bool,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let user = target(&state, agent, &path).await?.id;
    state.store.set_user_disabled(user, disabled).await?;
    let action = if disabled {
        "account_disabled"
    } else {
        "account_enabled"
    };
    record(
        &state,
        agent,
        None,
        action,
        Some(user.to_string()),
        String::new(),
    )
    .await?;
    Ok(back_to("/admin/users", "saved"))
}

#[post("/admin/users/{id}/disable")]
pub async fn disable(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    set_disabled(form, path, state, true).await
}

#[post("/admin/users/{id}/enable")]
pub async fn enable(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    set_disabled(form, path, state, false).await
}

#[post("/admin/users/{id}/reset")]
pub async fn reset_link(
    req: HttpRequest,
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let user = target(&state, agent, &path).await?;
    let base = base_url(&req, &state);
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(RESET_TTL_SECONDS);
    // In the person's own language.
    let lang = Lang::parse(&user.lang).unwrap_or_default();
    // Accounts' addresses were parsed when they were made; one that no longer parses is not
    // mailed, and its link is still shown.
    let to = Email::parse(&user.email).ok().filter(|_| state.mail_on);
    let link_base = &base;
    let compose = to.clone().map(|to| {
        move |token: &str| {
            letters::password_reset(
                lang,
                &to,
                &format!("{link_base}/admin/reset/{token}"),
                expires,
            )
        }
    });
    let token = state
        .store
        .create_password_reset(
            user.id,
            Some(agent.user.id),
            RESET_TTL_SECONDS,
            compose.as_ref().map(|c| c as Compose<'_>),
        )
        .await?;
    record(
        &state,
        agent,
        None,
        "password_reset_link_created",
        Some(user.id.to_string()),
        String::new(),
    )
    .await?;
    let link = format!("{base}/admin/reset/{token}");
    let mailed_to = to.as_ref().map(Email::as_str);
    users_page(&state, agent, ("", 1), Some((&link, mailed_to)), None).await
}

#[get("/admin/settings")]
pub async fn settings(agent: Agent, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let body = html! {
        h1 { (w(W::Settings)) }
        p class="hint" { (w(W::SettingsHint)) }
        div class="table" role="region" aria-label=(w(W::Settings)) tabindex="0" {
            table {
                caption class="visually-hidden" { (w(W::Settings)) }
                thead { tr { th scope="col" { (w(W::Setting)) } th scope="col" { (w(W::Value)) } } }
                tbody {
                    @for (name, value) in &state.instance_settings {
                        tr { th scope="row" { code { (name) } } td { (value) } }
                    }
                }
            }
        }
    };
    Ok(agent_page_status(
        &agent,
        StatusCode::OK,
        w(W::Settings),
        Some(W::Settings),
        body,
    ))
}

/// The log's filter and entries; the link to older entries keeps the filter.
fn events_table(agent: &Agent, events: &[Event], path: &str, q: &str) -> Markup {
    let older = |last: &Event| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            query.append_pair("q", q);
        }
        query.append_pair("before", &last.id.to_string());
        format!("{path}?{}", query.finish())
    };
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    html! {
        @if events.is_empty() {
            p { (w(W::AuditEmpty)) }
        } @else {
            div class="table" role="region" aria-label=(w(W::Audit)) tabindex="0" {
                table {
                    caption class="visually-hidden" { (w(W::Audit)) }
                    thead { tr {
                        th scope="col" { (w(W::When)) }
                        th scope="col" { (w(W::Who)) }
                        th scope="col" { (w(W::What)) }
                        th scope="col" { (w(W::Details)) }
                    } }
                    tbody {
                        @for event in events {
                            tr {
                                th scope="row" { (when(event.at)) }
                                td { (event.actor) }
                                td { code { (event.action) } }
                                td { (event.details) }
                            }
                        }
                    }
                }
            }
            @if let Some(last) = events.last().filter(|_| events.len() as i64 == EVENTS_PER_PAGE) {
                nav class="pager" aria-label=(w(W::Pagination)) {
                    a href=(older(last)) rel="next" { (w(W::Older)) }
                }
            }
        }
    }
}

fn before(query: &web::Query<Vec<(String, String)>>) -> Option<Uuid> {
    query
        .iter()
        .find(|(k, _)| k == "before")
        .and_then(|(_, v)| Uuid::parse_str(v).ok())
}

#[get("/admin/audit")]
pub async fn audit(
    agent: Agent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let q = search_of(&query);
    let events = state
        .store
        .list_events(None, &q, before(&query), EVENTS_PER_PAGE)
        .await?;
    let w = |word: W| word.text(agent.lang);
    let body = html! {
        h1 { (w(W::Audit)) }
        (search(agent.lang, "/admin/audit", &q))
        (events_table(&agent, &events, "/admin/audit", &q))
    };
    Ok(agent_page_status(
        &agent,
        StatusCode::OK,
        w(W::Audit),
        Some(W::Audit),
        body,
    ))
}

#[get("/admin/organisations/{id}/audit")]
pub async fn organisation_audit(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (organisation, _) = visible(&state, &agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let q = search_of(&query);
    let events = state
        .store
        .list_events(Some(organisation.id), &q, before(&query), EVENTS_PER_PAGE)
        .await?;
    let w = |word: W| word.text(agent.lang);
    let path = format!("/admin/organisations/{}/audit", organisation.id);
    let body = html! {
        h1 { (w(W::Audit)) }
        (tabs(&agent, &organisation, W::Audit))
        (search(agent.lang, &path, &q))
        (events_table(&agent, &events, &path, &q))
    };
    Ok(agent_page_status(
        &agent,
        StatusCode::OK,
        w(W::Audit),
        None,
        body,
    ))
}
