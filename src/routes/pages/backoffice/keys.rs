//! An organisation's API keys, for its admins: created limited to the organisation, the secret
//! shown once; listed with their scope and last use; revoked.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::html;

use super::organisations::{tabs, visible};
use super::{agent_page_status, back_to, done, path_id, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::catalog::Scope;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::catalog::Organisation;
use crate::views::forms::select;
use crate::views::layout::{action_button, copyable, csrf_field, notice, when};
use crate::views::words::W;

fn scope_word(scope: Scope) -> W {
    match scope {
        Scope::Admin => W::ScopeAdmin,
        Scope::IndicatorsRead => W::ScopeIndicators,
    }
}

async fn keys_page(
    state: &AppState,
    agent: &Agent,
    organisation: &Organisation,
    secret: Option<&str>,
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let keys: Vec<_> = state
        .store
        .list_api_keys()
        .await?
        .into_iter()
        .filter(|k| k.organisation_id == Some(organisation.id))
        .rev()
        .collect();
    let base = format!("/admin/organisations/{}/keys", organisation.id);
    let scopes = [
        (Scope::IndicatorsRead.code(), w(W::ScopeIndicators)),
        (Scope::Admin.code(), w(W::ScopeAdmin)),
    ];
    let body = html! {
        h1 { (w(W::ApiKeys)) }
        (tabs(agent, organisation, W::ApiKeys))
        @if let Some(word) = message { (notice(w(word))) }
        @if let Some(secret) = secret {
            div class="notice" role="status" { (copyable(lang, "key-secret", w(W::KeySecret), secret)) }
        }
        @if keys.is_empty() {
            p { (w(W::NoKeys)) }
        } @else {
            div class="table" role="region" aria-label=(w(W::ApiKeys)) tabindex="0" {
                table {
                    caption class="visually-hidden" { (w(W::ApiKeys)) }
                    thead { tr {
                        th scope="col" { (w(W::Prefix)) }
                        th scope="col" { (w(W::Scope)) }
                        th scope="col" { (w(W::CreatedAt)) }
                        th scope="col" { (w(W::LastUsed)) }
                        th scope="col" { (w(W::Status)) }
                    } }
                    tbody {
                        @for key in &keys {
                            tr {
                                th scope="row" { code { (key.prefix) "…" } }
                                td { (w(scope_word(key.scope))) }
                                td { (when(key.created_at)) }
                                td { (key.last_used_at.map_or_else(|| w(W::Never).to_owned(), when)) }
                                td {
                                    @if key.revoked_at.is_some() {
                                        (w(W::Revoked))
                                    } @else {
                                        (action_button(&format!("{base}/{}/revoke", key.id), &agent.session.csrf_token, w(W::Revoke), &key.prefix, true))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (w(W::NewKey)) }
        form method="post" action=(base) {
            (csrf_field(&agent.session.csrf_token))
            (select("scope", "scope", w(W::Scope), &scopes, Scope::IndicatorsRead.code()))
            div class="actions" { button type="submit" { (w(W::Create)) } }
        }
    };
    Ok(agent_page_status(
        agent,
        StatusCode::OK,
        w(W::ApiKeys),
        None,
        body,
    ))
}

#[get("/admin/organisations/{id}/keys")]
pub async fn list(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (organisation, _) = visible(&state, &agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let message = (done(&query) == Some("saved")).then_some(W::Saved);
    keys_page(&state, &agent, &organisation, None, message).await
}

#[post("/admin/organisations/{id}/keys")]
pub async fn create(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let scope =
        Scope::parse(form.fields.text("scope")).map_err(|_| PageError::Forbidden(agent.lang))?;
    let created = state
        .store
        .create_api_key(scope, Some(organisation.id))
        .await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "key_created",
        Some(created.key.id.to_string()),
        format!("{} ({})", created.key.prefix, scope.code()),
    )
    .await?;
    keys_page(&state, agent, &organisation, Some(&created.secret), None).await
}

#[post("/admin/organisations/{id}/keys/{key}/revoke")]
pub async fn revoke(
    form: Submitted,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path.0).await?;
    agent.require_admin(organisation.id)?;
    let key_id = path_id(&path.1, agent)?;
    let key = state
        .store
        .list_api_keys()
        .await?
        .into_iter()
        .find(|k| {
            k.id == key_id && k.organisation_id == Some(organisation.id) && k.revoked_at.is_none()
        })
        .ok_or(PageError::NotFound(agent.lang))?;
    state.store.revoke_api_key(key.id).await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "key_revoked",
        Some(key.id.to_string()),
        key.prefix.clone(),
    )
    .await?;
    Ok(back_to(
        &format!("/admin/organisations/{}/keys", organisation.id),
        "saved",
    ))
}
