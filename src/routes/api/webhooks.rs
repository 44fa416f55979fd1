//! `/api/v1/webhooks`: an organisation's endpoints (admin keys), their secret shown once, their
//! deliveries, and replaying one.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::webhooks::Event;
use crate::error::{ApiError, Problem};
use crate::notify::endpoints::resolve_checked;
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::startup::AppState;
use crate::store::webhook_deliveries::Delivery;
use crate::store::webhooks::{Webhook, WebhookChange};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookInput {
    /// Where messages are posted: `https://…`.
    url: String,
    /// At least one of `review.created`, `review.updated`, `review.excluded`, `review.restored`.
    events: Vec<Event>,
    /// May be left out when the key is limited to one organisation.
    organisation: Option<Uuid>,
    /// Only this procedure's reviews (it must belong to the organisation).
    procedure: Option<Uuid>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    url: Option<String>,
    events: Option<Vec<Event>>,
    /// `true` enables a disabled endpoint again; `false` stops its deliveries.
    enabled: Option<bool>,
}

/// A new endpoint and its secret (`whsec_…`), which is never shown again.
#[derive(Serialize, ToSchema)]
pub struct CreatedWebhookView {
    #[serde(flatten)]
    webhook: Webhook,
    secret: String,
}

/// The endpoint's address, refused with the reason as a field error.
async fn checked_url(raw: &str, state: &AppState) -> Result<String, ApiError> {
    match resolve_checked(raw, state.webhooks.allow_private).await {
        Ok((url, _)) => Ok(url.to_string()),
        Err(refused) => Err(ApiError::InvalidRequest(vec![FieldError::new(
            "url",
            refused.to_string(),
        )])),
    }
}

fn checked_events(events: &[Event]) -> Result<(), ApiError> {
    if events.is_empty() {
        return Err(ApiError::InvalidRequest(vec![FieldError::new(
            "events",
            "name at least one event",
        )]));
    }
    Ok(())
}

/// The endpoint `id`, if this key sees it.
async fn visible(key: &AdminKey, id: &str, state: &AppState) -> Result<Webhook, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::WebhookNotFound)?;
    match state.store.find_webhook(id).await? {
        Some(webhook) if key.0.sees(webhook.organisation_id) => Ok(webhook),
        _ => Err(ApiError::WebhookNotFound),
    }
}

#[utoipa::path(
    operation_id = "create_webhooks",
    tag = "webhooks", request_body = NewWebhookInput,
    responses((status = 201, description = "Created", body = CreatedWebhookView), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Organisation or procedure not visible", body = Problem), (status = 422, description = "Invalid members, each named in `errors` (an address that resolves to a private one, for instance)", body = Problem)),
    security(("api_key" = [])))]
#[post("/webhooks")]
pub async fn create(
    key: AdminKey,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input: NewWebhookInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let organisation = input.organisation.or(key.0.organisation()).ok_or_else(|| {
        ApiError::InvalidRequest(vec![FieldError::new(
            "organisation",
            "name the organisation whose reviews this endpoint hears about",
        )])
    })?;
    if !key.0.sees(organisation) || state.store.find_organisation(organisation).await?.is_none() {
        return Err(ApiError::OrganisationNotFound);
    }
    if let Some(procedure) = input.procedure {
        match state.store.find_procedure(procedure).await? {
            Some(p) if p.organisation_id == organisation => {}
            _ => return Err(ApiError::ProcedureNotFound),
        }
    }
    checked_events(&input.events)?;
    let url = checked_url(&input.url, &state).await?;
    let (webhook, secret) = state
        .store
        .create_webhook(organisation, input.procedure, &url, &input.events)
        .await?;
    tracing::info!(webhook = %webhook.id, organisation = %organisation, "webhook created");
    Ok(HttpResponse::Created().json(CreatedWebhookView { webhook, secret }))
}

#[utoipa::path(
    operation_id = "list_webhooks",
    tag = "webhooks",
    responses((status = 200, description = "OK", body = Vec<Webhook>), (status = 403, description = "This key may not do this", body = Problem)),
    security(("api_key" = [])))]
#[get("/webhooks")]
pub async fn list(key: AdminKey, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let webhooks = state.store.list_webhooks(key.0.organisation()).await?;
    Ok(HttpResponse::Ok().json(webhooks))
}

#[utoipa::path(
    operation_id = "show_webhooks",
    tag = "webhooks", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Webhook), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[get("/webhooks/{id}")]
pub async fn show(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(visible(&key, &path, &state).await?))
}

#[utoipa::path(
    operation_id = "update_webhooks",
    tag = "webhooks", params(("id" = Uuid, Path)), request_body = WebhookPatch,
    responses((status = 200, description = "Updated", body = Webhook), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[patch("/webhooks/{id}")]
pub async fn update(
    key: AdminKey,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let webhook = visible(&key, &path, &state).await?;
    let input: WebhookPatch = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    if let Some(events) = &input.events {
        checked_events(events)?;
    }
    let url = match &input.url {
        Some(raw) => Some(checked_url(raw, &state).await?),
        None => None,
    };
    let change = WebhookChange {
        url,
        events: input.events,
        enabled: input.enabled,
    };
    state.store.update_webhook(webhook.id, &change).await?;
    let updated = state
        .store
        .find_webhook(webhook.id)
        .await?
        .ok_or(ApiError::WebhookNotFound)?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(
    operation_id = "delete_webhooks",
    tag = "webhooks", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted, with its deliveries"), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[delete("/webhooks/{id}")]
pub async fn remove(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let webhook = visible(&key, &path, &state).await?;
    state.store.delete_webhook(webhook.id).await?;
    tracing::info!(webhook = %webhook.id, "webhook deleted");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "webhooks", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The latest 100 messages, newest first, with every attempt", body = Vec<Delivery>), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let webhook = visible(&key, &path, &state).await?;
    Ok(HttpResponse::Ok().json(state.store.list_deliveries(webhook.id, 100).await?))
}

#[utoipa::path(
    operation_id = "replay_webhook_deliveries",
    tag = "webhooks", params(("id" = Uuid, Path), ("delivery_id" = Uuid, Path)),
    responses((status = 202, description = "To be sent again, with the same id and body"), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem), (status = 409, description = "The endpoint is disabled: enable it first", body = Problem)),
    security(("api_key" = [])))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/replay")]
pub async fn replay(
    key: AdminKey,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let webhook = visible(&key, &id, &state).await?;
    let delivery = Uuid::parse_str(&delivery).map_err(|_| ApiError::DeliveryNotFound)?;
    if !webhook.enabled {
        return Err(ApiError::Conflict(
            "this webhook is disabled: enable it first".to_owned(),
        ));
    }
    if !state.store.replay_delivery(webhook.id, delivery).await? {
        return Err(ApiError::DeliveryNotFound);
    }
    Ok(HttpResponse::Accepted().finish())
}
