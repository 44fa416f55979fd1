//! The administrations' back-office under `/admin/`: one file per page family. Handlers stay
//! thin: session → role check (through [`Agent`]'s `require_*`) → store → view. Every
//! state-changing form arrives through [`Submitted`], which has checked its CSRF token.

mod account;
mod alerts;
mod buttons;
pub mod exports;
mod home;
mod keys;
mod links;
mod members;
mod organisations;
mod procedures;
mod proconnect;
mod reviews;
mod scoreboard;
mod sign_in;
mod superadmin;
mod webhooks;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use maud::Markup;
use uuid::Uuid;

use super::error::PageError;
use crate::accounts::{Agent, Fields};
use crate::domain::catalog::{Name, Tag};
use crate::startup::AppState;
use crate::store::audit::NewEvent;
use crate::store::people::User;
use crate::views::forms::Errors;
use crate::views::layout::{Frame, Viewer, page};
use crate::views::words::W;

/// Adds every back-office route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(sign_in::login_form)
        .service(sign_in::login)
        .service(sign_in::logout)
        .service(proconnect::begin)
        .service(proconnect::callback)
        .service(links::invitation_form)
        .service(links::accept_invitation)
        .service(links::reset_form)
        .service(links::submit_reset)
        .service(home::show)
        .service(organisations::list)
        .service(organisations::create)
        .service(organisations::show)
        .service(organisations::rename)
        .service(organisations::create_procedure)
        .service(procedures::show)
        .service(procedures::settings)
        .service(procedures::save_settings)
        .service(procedures::create_button)
        .service(alerts::show)
        .service(alerts::save)
        .service(buttons::show)
        .service(buttons::save)
        .service(buttons::close)
        .service(members::list)
        .service(members::invite)
        .service(members::change_role)
        .service(members::remove)
        .service(members::revoke_invitation)
        .service(keys::list)
        .service(keys::create)
        .service(keys::revoke)
        .service(webhooks::list)
        .service(webhooks::create)
        .service(webhooks::show)
        .service(webhooks::replay)
        .service(webhooks::change)
        .service(account::show)
        .service(account::save_profile)
        .service(account::change_password)
        .service(account::end_other_sessions)
        .service(superadmin::users)
        .service(superadmin::disable)
        .service(superadmin::enable)
        .service(superadmin::reset_link)
        .service(superadmin::settings)
        .service(superadmin::audit)
        .service(superadmin::organisation_audit)
        // Reviews
        .service(reviews::of_procedure)
        .service(reviews::of_organisation)
        .service(reviews::show)
        .service(reviews::show_contact)
        .service(reviews::exclude)
        .service(reviews::restore)
        // Dashboards: a procedure's charts as CSV, an organisation's table as CSV, the
        // observatory's table, and the public page of a procedure marked public.
        .service(procedures::chart)
        .service(scoreboard::organisation_csv)
        .service(scoreboard::observatory)
        .service(scoreboard::observatory_csv)
        .service(super::public::show)
        .service(super::public::chart)
        // The link in every alert and digest that stops them.
        .service(super::unsubscribe::ask)
        .service(super::unsubscribe::confirm)
        // Exports of reviews: CSV at once, workbooks prepared in the background.
        .service(exports::csv)
        .service(exports::xlsx)
        .service(exports::show)
        .service(exports::download)
        .service(web::redirect("/admin", "/admin/").see_other());
}

/// A page for a signed-in person.
fn agent_page(agent: &Agent, title: &str, current: Option<W>, body: Markup) -> HttpResponse {
    agent_page_status(agent, StatusCode::OK, title, current, body)
}

fn agent_page_status(
    agent: &Agent,
    status: StatusCode,
    title: &str,
    current: Option<W>,
    body: Markup,
) -> HttpResponse {
    let frame = Frame {
        lang: agent.lang,
        title,
        viewer: Some(Viewer {
            name: &agent.user.display_name,
            is_superadmin: agent.user.is_superadmin,
            csrf_token: &agent.session.csrf_token,
        }),
        current,
        refresh: None,
    };
    super::html(status, page(&frame, body))
}

/// Writes what a signed-in person did to the audit log.
async fn record(
    state: &AppState,
    agent: &Agent,
    organisation: Option<Uuid>,
    action: &'static str,
    subject: Option<String>,
    details: String,
) -> Result<(), PageError> {
    record_by(state, &agent.user, organisation, action, subject, details).await
}

/// Writes what `user` did to the audit log, signed in or about to be.
async fn record_by(
    state: &AppState,
    user: &User,
    organisation: Option<Uuid>,
    action: &'static str,
    subject: Option<String>,
    details: String,
) -> Result<(), PageError> {
    state
        .store
        .record_event(&NewEvent {
            user_id: Some(user.id),
            actor: &user.email,
            organisation_id: organisation,
            action,
            subject,
            details,
        })
        .await?;
    Ok(())
}

/// A required name or title field, parsed; its error noted against it.
fn required_name(fields: &Fields, errors: &mut Errors, field: &'static str) -> Option<Name> {
    let raw = fields.text(field);
    errors.check(field, Name::parse(raw), |_| {
        if raw.is_empty() {
            W::Required
        } else {
            W::TooLong
        }
    })
}

/// An optional tag field (the observatory's id): `Some(None)` when left empty, `None` when wrong.
fn optional_tag(fields: &Fields, errors: &mut Errors, field: &'static str) -> Option<Option<Tag>> {
    match fields.text(field) {
        "" => Some(None),
        raw => errors
            .check(field, Tag::parse(raw), |_| W::InvalidTag)
            .map(Some),
    }
}

/// The id in a path, or "not found" for anything that is not one.
fn path_id(raw: &str, agent: &Agent) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError::NotFound(agent.lang))
}

/// Where a form sends the person back to, with a one-word notice in the query.
fn back_to(path: &str, notice: &str) -> HttpResponse {
    super::see_other(&format!("{path}?done={notice}"))
}

/// The page number of `?page=`, from 1.
fn page_number(query: &web::Query<Vec<(String, String)>>) -> i64 {
    query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|n| *n >= 1 && *n <= 1_000_000)
        .unwrap_or(1)
}

/// `?q=` of a list, trimmed.
fn search_of(query: &web::Query<Vec<(String, String)>>) -> String {
    query
        .iter()
        .find(|(k, _)| k == "q")
        .map_or(String::new(), |(_, v)| v.trim().to_owned())
}

/// `?done=` of a page shown after a form.
fn done(query: &web::Query<Vec<(String, String)>>) -> Option<&str> {
    query
        .iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.as_str())
}
