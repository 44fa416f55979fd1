//! My account: my name and language, my password (the current one required), my open
//! sessions, and signing out everywhere else.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::html;

use super::{agent_page_status, back_to, done, record};
use crate::accounts::{Agent, Submitted, password};
use crate::domain::people::{Password, PasswordError};
use crate::domain::questionnaire::Lang;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::views::forms::{Errors, Input, select};
use crate::views::layout::{colon, csrf_field, lang_code, notice, when};
use crate::views::words::W;

async fn account_page(
    state: &AppState,
    agent: &Agent,
    status: StatusCode,
    errors: &Errors,
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let sessions = state
        .store
        .list_sessions(agent.user.id, state.backoffice.sessions)
        .await?;
    let alerts = state.store.alert_choices_of(agent.user.id).await?;
    let csrf = &agent.session.csrf_token;
    let body = html! {
        h1 { (w(W::Account)) }
        @if let Some(word) = message { (notice(w(word))) }
        (errors.summary(lang))
        h2 { (w(W::Profile)) }
        p { (w(W::Email)) (colon(lang)) strong { (agent.user.email) } }
        form method="post" action="/admin/account" novalidate {
            (csrf_field(csrf))
            (Input::text("name", w(W::DisplayName), &agent.user.display_name).kind("text", "name").required().render(lang, errors))
            (select("lang", "lang", w(W::Language), &[("fr", "Français"), ("en", "English")], lang_code(lang)))
            div class="actions" { button type="submit" { (w(W::Save)) } }
        }
        @if agent.user.has_password {
            h2 { (w(W::ChangePassword)) }
            form method="post" action="/admin/account/password" novalidate {
                (csrf_field(csrf))
                input type="text" name="username" value=(agent.user.email) autocomplete="username" hidden;
                (Input::text("current_password", w(W::CurrentPassword), "").kind("password", "current-password").required().render(lang, errors))
                (Input::text("new_password", w(W::NewPassword), "").kind("password", "new-password").hint(w(W::PasswordHint)).required().render(lang, errors))
                div class="actions" { button type="submit" { (w(W::ChangePassword)) } }
            }
        }
        h2 { (w(W::Alerts)) }
        @if alerts.is_empty() {
            p { (w(W::NoAlerts)) }
        } @else {
            ul {
                @for (procedure, title, choice) in &alerts {
                    li {
                        a href=(format!("/admin/procedures/{procedure}/alerts")) { (title) }
                        " — " (super::alerts::summary(lang, choice))
                    }
                }
            }
        }
        h2 { (w(W::Sessions)) }
        div class="table" role="region" aria-label=(w(W::Sessions)) tabindex="0" {
            table {
                caption class="visually-hidden" { (w(W::Sessions)) }
                thead { tr {
                    th scope="col" { (w(W::Started)) }
                    th scope="col" { (w(W::LastSeen)) }
                    th scope="col" { (w(W::Browser)) }
                } }
                tbody {
                    @for session in &sessions {
                        tr {
                            th scope="row" {
                                (when(session.created_at))
                                @if session.id == agent.session.id { " (" (w(W::ThisSession)) ")" }
                            }
                            td { (when(session.last_seen_at)) }
                            td { (session.user_agent) }
                        }
                    }
                }
            }
        }
        form method="post" action="/admin/account/sessions/end-others" {
            (csrf_field(csrf))
            div class="actions" { button type="submit" class="secondary" { (w(W::SignOutElsewhere)) } }
        }
    };
    Ok(agent_page_status(
        agent,
        status,
        w(W::Account),
        Some(W::Account),
        body,
    ))
}

#[get("/admin/account")]
pub async fn show(
    agent: Agent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let message = match done(&query) {
        Some("saved") => Some(W::ProfileSaved),
        Some("password") => Some(W::PasswordChanged),
        Some("sessions") => Some(W::Saved),
        _ => None,
    };
    account_page(&state, &agent, StatusCode::OK, &Errors::default(), message).await
}

#[post("/admin/account")]
pub async fn save_profile(
    form: Submitted,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let name = form.fields.text("name");
    let mut errors = Errors::default();
    if name.is_empty() {
        errors.add("name", W::Required);
    } else if name.chars().count() > 200 {
        errors.add("name", W::TooLong);
    }
    if !errors.is_empty() {
        return account_page(
            &state,
            agent,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            None,
        )
        .await;
    }
    let lang = Lang::parse(form.fields.text("lang")).unwrap_or(agent.lang);
    state.store.rename_user(agent.user.id, name).await?;
    state
        .store
        .set_user_lang(agent.user.id, lang_code(lang))
        .await?;
    record(
        &state,
        agent,
        None,
        "profile_updated",
        Some(agent.user.id.to_string()),
        format!("{name} ({})", lang_code(lang)),
    )
    .await?;
    Ok(back_to("/admin/account", "saved"))
}

#[post("/admin/account/password")]
pub async fn change_password(
    form: Submitted,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let mut errors = Errors::default();
    let stored = state.store.password_hash(agent.user.id).await?;
    if !password::verify(form.fields.raw("current_password").to_owned(), stored).await {
        errors.add("current_password", W::WrongPassword);
    }
    let new = errors.check(
        "new_password",
        Password::parse(form.fields.raw("new_password")),
        |e| match e {
            PasswordError::TooShort => W::PasswordTooShort,
            PasswordError::TooLong => W::PasswordTooLong,
        },
    );
    let (Some(new), true) = (new, errors.is_empty()) else {
        return account_page(
            &state,
            agent,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            None,
        )
        .await;
    };
    let hash = password::hash(new).await?;
    state
        .store
        .set_password_hash(agent.user.id, &hash, Some(agent.session.id))
        .await?;
    record(
        &state,
        agent,
        None,
        "password_changed",
        Some(agent.user.id.to_string()),
        String::new(),
    )
    .await?;
    Ok(back_to("/admin/account", "password"))
}

#[post("/admin/account/sessions/end-others")]
pub async fn end_other_sessions(
    form: Submitted,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    state
        .store
        .end_other_sessions(agent.user.id, Some(agent.session.id))
        .await?;
    record(
        &state,
        agent,
        None,
        "sessions_ended",
        Some(agent.user.id.to_string()),
        String::new(),
    )
    .await?;
    Ok(back_to("/admin/account", "sessions"))
}
