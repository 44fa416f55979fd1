//! `/api/v1/keys`: API keys, shown once at creation, listed with their last use, revocable.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::catalog::Scope;
use crate::error::{ApiError, Problem};
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::startup::AppState;
use crate::store::keys::ApiKey;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyInput {
    scope: Scope,
    /// Limit the key to one organisation (a limited admin key can only make keys for its own).
    organisation_id: Option<Uuid>,
}

/// A new key and its secret, which is never shown again.
#[derive(Serialize, ToSchema)]
pub struct CreatedKeyView {
    #[serde(flatten)]
    key: ApiKey,
    secret: String,
}

#[utoipa::path(
    operation_id = "create_keys",
    tag = "administration", request_body = NewKeyInput,
    responses((status = 201, description = "Created", body = CreatedKeyView), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Organisation not visible", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[post("/keys")]
pub async fn create(
    key: AdminKey,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input: NewKeyInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let organisation = input.organisation_id.or(key.0.organisation());
    if organisation.is_some_and(|o| !key.0.sees(o)) {
        return Err(ApiError::OrganisationNotFound);
    }
    let created = state
        .store
        .create_api_key(input.scope, organisation)
        .await?;
    tracing::info!(key = %created.key.id, scope = input.scope.code(), "API key created");
    Ok(HttpResponse::Created().json(CreatedKeyView {
        key: created.key,
        secret: created.secret,
    }))
}

#[utoipa::path(
    operation_id = "list_keys",
    tag = "administration",
    responses((status = 200, description = "OK", body = Vec<ApiKey>), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem)),
    security(("api_key" = [])))]
#[get("/keys")]
pub async fn list(key: AdminKey, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut keys = state.store.list_api_keys().await?;
    if let Some(own) = key.0.organisation() {
        keys.retain(|k| k.organisation_id == Some(own));
    }
    Ok(HttpResponse::Ok().json(keys))
}

#[utoipa::path(
    operation_id = "revoke_keys",
    tag = "administration", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Revoked"), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[delete("/keys/{id}")]
pub async fn revoke(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path).map_err(|_| ApiError::KeyNotFound)?;
    let target = state
        .store
        .list_api_keys()
        .await?
        .into_iter()
        .find(|k| k.id == id && k.revoked_at.is_none());
    match target {
        Some(target)
            if key.0.organisation().is_none() || target.organisation_id == key.0.organisation() =>
        {
            state.store.revoke_api_key(id).await?;
            tracing::info!(key = %id, "API key revoked");
            Ok(HttpResponse::NoContent().finish())
        }
        _ => Err(ApiError::KeyNotFound),
    }
}
