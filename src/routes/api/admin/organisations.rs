//! `/api/v1/organisations`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Check;
use crate::domain::catalog::Name;
use crate::error::{ApiError, Problem};
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::startup::AppState;
use crate::store::catalog::Organisation;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// Unique name, 1 to 200 characters.
    name: String,
}

/// The organisation behind `id`, if this key may see it.
pub(super) async fn visible(
    state: &AppState,
    key: &AdminKey,
    id: &str,
) -> Result<Organisation, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::OrganisationNotFound)?;
    match state.store.find_organisation(id).await? {
        Some(found) if key.0.sees(found.id) => Ok(found),
        _ => Err(ApiError::OrganisationNotFound),
    }
}

fn parse_name(raw: &str) -> Result<Name, ApiError> {
    let mut check = Check::default();
    let name = check.take("name", Name::parse(raw));
    check.finish()?;
    name.ok_or(ApiError::InvalidRequest(Vec::new()))
}

#[utoipa::path(
    operation_id = "create_organisations",
    tag = "administration", request_body = OrganisationInput,
    responses((status = 201, description = "Created", body = Organisation), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "Not an admin key, or a key limited to one organisation", body = Problem), (status = 409, description = "Conflicts with an existing object", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[post("/organisations")]
pub async fn create(
    key: AdminKey,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if key.0.organisation().is_some() {
        return Err(ApiError::InsufficientScope);
    }
    let input: OrganisationInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let organisation = state
        .store
        .create_organisation(&parse_name(&input.name)?)
        .await?;
    Ok(HttpResponse::Created().json(organisation))
}

#[utoipa::path(
    operation_id = "list_organisations",
    tag = "administration",
    responses((status = 200, description = "OK", body = Vec<Organisation>), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem)),
    security(("api_key" = [])))]
#[get("/organisations")]
pub async fn list(key: AdminKey, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut organisations = state.store.list_organisations().await?;
    organisations.retain(|o| key.0.sees(o.id));
    Ok(HttpResponse::Ok().json(organisations))
}

#[utoipa::path(
    operation_id = "show_organisations",
    tag = "administration", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Organisation), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[get("/organisations/{id}")]
pub async fn show(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(visible(&state, &key, &path).await?))
}

#[utoipa::path(
    operation_id = "update_organisations",
    tag = "administration", params(("id" = Uuid, Path)), request_body = OrganisationInput,
    responses((status = 200, description = "OK", body = Organisation), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem), (status = 409, description = "Conflicts with an existing object", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[patch("/organisations/{id}")]
pub async fn update(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut organisation = visible(&state, &key, &path).await?;
    let input: OrganisationInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    organisation.name = parse_name(&input.name)?.as_str().to_owned();
    state.store.save_organisation(&organisation).await?;
    Ok(HttpResponse::Ok().json(organisation))
}
