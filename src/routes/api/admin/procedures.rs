//! `/api/v1/procedures`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Check, nullable};
use crate::domain::catalog::{Name, Tag};
use crate::error::{ApiError, Problem};
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::catalog::{NewProcedure, Procedure};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProcedureInput {
    organisation_id: Uuid,
    title: String,
    /// The observatory's id of this procedure; unique.
    external_id: Option<String>,
    #[serde(default)]
    is_essential: bool,
    /// Whether its indicators may be read without a key.
    #[serde(default)]
    is_public: bool,
    /// Yearly number of users, to compute a response rate.
    yearly_volume: Option<i64>,
}

/// Members to change; `null` clears the nullable ones.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureChanges {
    title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    external_id: Option<Option<String>>,
    is_essential: Option<bool>,
    is_public: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    yearly_volume: Option<Option<i64>>,
    /// `true` stops every button of the procedure from taking reviews; `false` reopens it.
    closed: Option<bool>,
}

fn volume(value: i64) -> Result<i64, String> {
    if value >= 0 {
        Ok(value)
    } else {
        Err("must not be negative".to_owned())
    }
}

/// The procedure behind `id`, if this key may see it.
pub(super) async fn visible(
    state: &AppState,
    key: &AdminKey,
    id: &str,
) -> Result<Procedure, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ProcedureNotFound)?;
    match state.store.find_procedure(id).await? {
        Some(found) if key.0.sees(found.organisation_id) => Ok(found),
        _ => Err(ApiError::ProcedureNotFound),
    }
}

#[utoipa::path(
    operation_id = "create_procedures",
    tag = "administration", request_body = NewProcedureInput,
    responses((status = 201, description = "Created", body = Procedure), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Organisation not visible", body = Problem), (status = 409, description = "Conflicts with an existing object", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[post("/procedures")]
pub async fn create(
    key: AdminKey,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input: NewProcedureInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    if !key.0.sees(input.organisation_id) {
        return Err(ApiError::OrganisationNotFound);
    }
    let mut check = Check::default();
    let title = check.take("title", Name::parse(&input.title));
    let external_id = match input.external_id.as_deref() {
        Some(raw) => check.take("external_id", Tag::parse(raw)).map(Some),
        None => Some(None),
    };
    let yearly_volume = match input.yearly_volume {
        Some(v) => check.take("yearly_volume", volume(v)).map(Some),
        None => Some(None),
    };
    check.finish()?;
    let (Some(title), Some(external_id), Some(yearly_volume)) = (title, external_id, yearly_volume)
    else {
        return Err(ApiError::InvalidRequest(Vec::new()));
    };
    let new = NewProcedure {
        organisation_id: input.organisation_id,
        title,
        external_id,
        is_essential: input.is_essential,
        is_public: input.is_public,
        yearly_volume,
    };
    Ok(HttpResponse::Created().json(state.store.create_procedure(&new).await?))
}

#[utoipa::path(
    operation_id = "list_procedures",
    tag = "administration", params(("organisation" = Option<Uuid>, Query, description = "Only this organisation's procedures")),
    responses((status = 200, description = "OK", body = Vec<Procedure>), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[get("/procedures")]
pub async fn list(
    key: AdminKey,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let organisation = Params::of(&req).uuid("organisation")?;
    let mut procedures = state
        .store
        .list_procedures(organisation.or(key.0.organisation()))
        .await?;
    procedures.retain(|p| key.0.sees(p.organisation_id));
    Ok(HttpResponse::Ok().json(procedures))
}

#[utoipa::path(
    operation_id = "show_procedures",
    tag = "administration", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Procedure), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[get("/procedures/{id}")]
pub async fn show(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(visible(&state, &key, &path).await?))
}

#[utoipa::path(
    operation_id = "update_procedures",
    tag = "administration", params(("id" = Uuid, Path)), request_body = ProcedureChanges,
    responses((status = 200, description = "OK", body = Procedure), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem), (status = 409, description = "Conflicts with an existing object", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[patch("/procedures/{id}")]
pub async fn update(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut procedure = visible(&state, &key, &path).await?;
    let input: ProcedureChanges = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let mut check = Check::default();
    if let Some(title) = input
        .title
        .as_deref()
        .and_then(|t| check.take("title", Name::parse(t)))
    {
        procedure.title = title.as_str().to_owned();
    }
    match input.external_id {
        Some(Some(raw)) => {
            if let Some(tag) = check.take("external_id", Tag::parse(&raw)) {
                procedure.external_id = Some(tag.as_str().to_owned());
            }
        }
        Some(None) => procedure.external_id = None,
        None => {}
    }
    match input.yearly_volume {
        Some(Some(v)) => {
            procedure.yearly_volume = check
                .take("yearly_volume", volume(v))
                .or(procedure.yearly_volume)
        }
        Some(None) => procedure.yearly_volume = None,
        None => {}
    }
    check.finish()?;
    procedure.is_essential = input.is_essential.unwrap_or(procedure.is_essential);
    procedure.is_public = input.is_public.unwrap_or(procedure.is_public);
    match input.closed {
        Some(true) if procedure.closed_at.is_none() => procedure.closed_at = Some(Timestamp::now()),
        Some(false) => procedure.closed_at = None,
        _ => {}
    }
    state.store.save_procedure(&procedure).await?;
    Ok(HttpResponse::Ok().json(procedure))
}
