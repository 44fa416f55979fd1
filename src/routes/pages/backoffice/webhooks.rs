//! An organisation's webhooks, for its admins: created with the events they want, the secret
//! shown once; disabled, enabled again, deleted; each one's deliveries with their attempts, and
//! a delivery sent again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};

use super::organisations::{tabs, visible};
use super::{agent_page_status, back_to, done, path_id, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::webhooks::Event;
use crate::notify::endpoints::resolve_checked;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::catalog::Organisation;
use crate::store::webhook_deliveries::{Delivery, DeliveryStatus};
use crate::store::webhooks::{Webhook, WebhookChange};
use crate::views::forms::{Errors, Input, checkbox};
use crate::views::layout::{action_button, copyable, csrf_field, notice, when};
use crate::views::words::W;

fn event_word(event: Event) -> W {
    match event {
        Event::ReviewCreated => W::EventReviewCreated,
        Event::ReviewUpdated => W::EventReviewUpdated,
        Event::ReviewExcluded => W::EventReviewExcluded,
        Event::ReviewRestored => W::EventReviewRestored,
        Event::IndicatorThresholdCrossed => W::EventIndicatorThresholdCrossed,
    }
}

/// What the creation form was sent with, to show it again with its errors.
#[derive(Default)]
struct Draft {
    url: String,
    events: Vec<Event>,
    errors: Errors,
}

async fn webhooks_page(
    state: &AppState,
    agent: &Agent,
    organisation: &Organisation,
    secret: Option<&str>,
    draft: Draft,
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let webhooks = state.store.list_webhooks(Some(organisation.id)).await?;
    let base = format!("/admin/organisations/{}/webhooks", organisation.id);
    let status = if draft.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let csrf = &agent.session.csrf_token;
    let body = html! {
        h1 { (w(W::Webhooks)) }
        (tabs(agent, organisation, W::Webhooks))
        p { (w(W::WebhooksIntro)) }
        @if let Some(word) = message { (notice(w(word))) }
        @if let Some(secret) = secret {
            div class="notice" role="status" { (copyable(lang, "webhook-secret", w(W::WebhookSecret), secret)) }
        }
        @if webhooks.is_empty() {
            p { (w(W::NoWebhooks)) }
        } @else {
            div class="table" role="region" aria-label=(w(W::Webhooks)) tabindex="0" {
                table {
                    caption class="visually-hidden" { (w(W::Webhooks)) }
                    thead { tr {
                        th scope="col" { (w(W::WebhookUrl)) }
                        th scope="col" { (w(W::WebhookEvents)) }
                        th scope="col" { (w(W::Status)) }
                        th scope="col" { (w(W::CreatedAt)) }
                        th scope="col" { (w(W::Actions)) }
                    } }
                    tbody {
                        @for webhook in &webhooks {
                            (webhook_row(agent, &base, webhook, csrf))
                        }
                    }
                }
            }
        }
        h2 { (w(W::NewWebhook)) }
        (draft.errors.summary(lang))
        form method="post" action=(base) novalidate {
            (csrf_field(csrf))
            (Input::text("url", w(W::WebhookUrl), &draft.url).kind("url", "off").hint(w(W::WebhookUrlHint)).required().render(lang, &draft.errors))
            fieldset id="events" {
                legend { (w(W::WebhookEvents)) }
                @if let Some(word) = draft.errors.of("events") { p class="error" { (w(word)) } }
                @for event in Event::ALL {
                    (checkbox(event.code(), w(event_word(event)), draft.events.contains(&event)))
                }
            }
            div class="actions" { button type="submit" { (w(W::Create)) } }
        }
    };
    Ok(agent_page_status(agent, status, w(W::Webhooks), None, body))
}

fn webhook_row(agent: &Agent, base: &str, webhook: &Webhook, csrf: &str) -> Markup {
    let w = |word: W| word.text(agent.lang);
    let at = format!("{base}/{}", webhook.id);
    html! {
        tr {
            th scope="row" { a href=(at) { code { (webhook.url) } } }
            td { (webhook.events.iter().map(|e| w(event_word(*e))).collect::<Vec<_>>().join(", ")) }
            td {
                @if webhook.enabled { (w(W::Enabled)) }
                @else { (w(W::Disabled)) @if let Some(reason) = &webhook.disabled_reason { " (" (reason) ")" } }
            }
            td { (when(webhook.created_at)) }
            td {
                @if webhook.enabled {
                    (action_button(&format!("{at}/disable"), csrf, w(W::Disable), &webhook.url, false))
                } @else {
                    (action_button(&format!("{at}/enable"), csrf, w(W::Enable), &webhook.url, false))
                }
                (action_button(&format!("{at}/delete"), csrf, w(W::Delete), &webhook.url, true))
            }
        }
    }
}

#[get("/admin/organisations/{id}/webhooks")]
pub async fn list(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (organisation, _) = visible(&state, &agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let message = (done(&query) == Some("saved")).then_some(W::Saved);
    webhooks_page(
        &state,
        &agent,
        &organisation,
        None,
        Draft::default(),
        message,
    )
    .await
}

#[post("/admin/organisations/{id}/webhooks")]
pub async fn create(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let mut draft = Draft {
        url: form.fields.text("url").to_owned(),
        events: Event::ALL
            .into_iter()
            .filter(|e| form.fields.ticked(e.code()))
            .collect(),
        errors: Errors::default(),
    };
    let url = match resolve_checked(&draft.url, state.webhooks.allow_private).await {
        Ok((url, _)) => Some(url.to_string()),
        Err(_) => {
            draft.errors.add("url", W::WebhookUrlRefused);
            None
        }
    };
    if draft.events.is_empty() {
        draft.errors.add("events", W::WebhookEventsMissing);
    }
    let Some(url) = url.filter(|_| draft.errors.is_empty()) else {
        return webhooks_page(&state, agent, &organisation, None, draft, None).await;
    };
    let (webhook, secret) = state
        .store
        .create_webhook(organisation.id, None, &url, &draft.events)
        .await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "webhook_created",
        Some(webhook.id.to_string()),
        url,
    )
    .await?;
    webhooks_page(
        &state,
        agent,
        &organisation,
        Some(&secret),
        Draft::default(),
        Some(W::Created),
    )
    .await
}

/// Whether `url`'s host resolves to an address webhooks may not reach (or to none at all).
/// The webhook `id` of the organisation of `path`, for one of its admins.
async fn own_webhook(
    state: &AppState,
    agent: &Agent,
    organisation: &str,
    id: &str,
) -> Result<(Organisation, Webhook), PageError> {
    let (organisation, _) = visible(state, agent, organisation).await?;
    agent.require_admin(organisation.id)?;
    let id = path_id(id, agent)?;
    match state.store.find_webhook(id).await? {
        Some(webhook) if webhook.organisation_id == organisation.id => Ok((organisation, webhook)),
        _ => Err(PageError::NotFound(agent.lang)),
    }
}

#[get("/admin/organisations/{id}/webhooks/{webhook}")]
pub async fn show(
    agent: Agent,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (organisation, webhook) = own_webhook(&state, &agent, &path.0, &path.1).await?;
    let deliveries = state.store.list_deliveries(webhook.id, 100).await?;
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let message = (done(&query) == Some("replayed")).then_some(W::ReplayQueued);
    let base = format!(
        "/admin/organisations/{}/webhooks/{}",
        organisation.id, webhook.id
    );
    let body = html! {
        h1 { (w(W::Deliveries)) " – " code { (webhook.url) } }
        (tabs(&agent, &organisation, W::Webhooks))
        @if let Some(word) = message { (notice(w(word))) }
        @if deliveries.is_empty() {
            p { (w(W::NoDeliveries)) }
        } @else {
            div class="table" role="region" aria-label=(w(W::Deliveries)) tabindex="0" {
                table {
                    caption class="visually-hidden" { (w(W::Deliveries)) }
                    thead { tr {
                        th scope="col" { (w(W::Event)) }
                        th scope="col" { (w(W::Review)) }
                        th scope="col" { (w(W::CreatedAt)) }
                        th scope="col" { (w(W::Status)) }
                        th scope="col" { (w(W::Attempts)) }
                        th scope="col" { (w(W::LastAnswer)) }
                        th scope="col" { (w(W::Actions)) }
                    } }
                    tbody {
                        @for delivery in &deliveries {
                            (delivery_row(&agent, &base, &webhook, delivery))
                        }
                    }
                }
            }
        }
    };
    Ok(agent_page_status(
        &agent,
        StatusCode::OK,
        w(W::Deliveries),
        None,
        body,
    ))
}

fn delivery_row(agent: &Agent, base: &str, webhook: &Webhook, delivery: &Delivery) -> Markup {
    let w = |word: W| word.text(agent.lang);
    let status = match delivery.status {
        DeliveryStatus::Pending => W::DeliveryPending,
        DeliveryStatus::Delivered => W::DeliveryDelivered,
        DeliveryStatus::Failed => W::DeliveryFailed,
    };
    let last = delivery.attempts.last();
    html! {
        tr {
            th scope="row" { (w(event_word(delivery.event))) }
            td {
                @if let Some(review) = delivery.review_id {
                    a href=(format!("/admin/reviews/{review}")) { code { (review.simple().to_string()[..8]) } }
                } @else if let Some(procedure) = delivery.procedure_id {
                    a href=(format!("/admin/procedures/{procedure}")) { code { (procedure.simple().to_string()[..8]) } }
                }
            }
            td { (when(delivery.occurred_at)) }
            td { (w(status)) }
            td { (delivery.attempts.len()) }
            td {
                @match last {
                    Some(attempt) => {
                        (when(attempt.at)) " – "
                        @if let Some(code) = attempt.status { (code) } @else { (w(W::NoReply)) }
                        @if let Some(error) = &attempt.error { " (" (error) ")" }
                    }
                    None => { "–" }
                }
            }
            td {
                @if webhook.enabled && delivery.status != DeliveryStatus::Pending {
                    (action_button(&format!("{base}/deliveries/{}/replay", delivery.id), &agent.session.csrf_token, w(W::Replay), &delivery.id.to_string(), false))
                }
            }
        }
    }
}

#[post("/admin/organisations/{id}/webhooks/{webhook}/{action}")]
pub async fn change(
    form: Submitted,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, webhook) = own_webhook(&state, agent, &path.0, &path.1).await?;
    let (change, action) = match path.2.as_str() {
        "enable" => (Some(true), "webhook_enabled"),
        "disable" => (Some(false), "webhook_disabled"),
        "delete" => (None, "webhook_deleted"),
        _ => return Err(PageError::NotFound(agent.lang)),
    };
    match change {
        Some(enabled) => {
            let change = WebhookChange {
                enabled: Some(enabled),
                ..WebhookChange::default()
            };
            state.store.update_webhook(webhook.id, &change).await?;
        }
        None => state.store.delete_webhook(webhook.id).await?,
    }
    record(
        &state,
        agent,
        Some(organisation.id),
        action,
        Some(webhook.id.to_string()),
        webhook.url.clone(),
    )
    .await?;
    Ok(back_to(
        &format!("/admin/organisations/{}/webhooks", organisation.id),
        "saved",
    ))
}

#[post("/admin/organisations/{id}/webhooks/{webhook}/deliveries/{delivery}/replay")]
pub async fn replay(
    form: Submitted,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, webhook) = own_webhook(&state, agent, &path.0, &path.1).await?;
    let delivery = path_id(&path.2, agent)?;
    if !webhook.enabled || !state.store.replay_delivery(webhook.id, delivery).await? {
        return Err(PageError::NotFound(agent.lang));
    }
    record(
        &state,
        agent,
        Some(organisation.id),
        "webhook_replayed",
        Some(webhook.id.to_string()),
        delivery.to_string(),
    )
    .await?;
    Ok(back_to(
        &format!(
            "/admin/organisations/{}/webhooks/{}",
            organisation.id, webhook.id
        ),
        "replayed",
    ))
}
