//! `/api/v1/buttons`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Check;
use crate::domain::catalog::{Name, Origin, Tag};
use crate::domain::embed::snippets;
use crate::error::{ApiError, Problem};
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::assets::widget_integrity;
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::routes::client::base_url;
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::catalog::{Button, NewButton};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewButtonInput {
    procedure_id: Uuid,
    label: String,
    /// Where the button sits: footer, email, qr… (default `web`).
    source: Option<String>,
    /// Origins allowed to embed the widget, e.g. `https://www.example.gouv.fr`.
    #[serde(default)]
    allowed_origins: Vec<String>,
    /// Reviews through a test button never count.
    #[serde(default)]
    is_test: bool,
    /// Offer citizens to leave an address to be contacted back (with consent).
    #[serde(default)]
    asks_contact_email: bool,
    /// Require a solved proof of work with each new review: for a button under attack.
    #[serde(default)]
    requires_proof_of_work: bool,
}

/// Members to change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ButtonChanges {
    label: Option<String>,
    source: Option<String>,
    allowed_origins: Option<Vec<String>>,
    is_test: Option<bool>,
    asks_contact_email: Option<bool>,
    requires_proof_of_work: Option<bool>,
    /// `true` stops the button from taking reviews; `false` reopens it.
    closed: Option<bool>,
}

/// The three ways to offer a button's questionnaire, ready to paste.
#[derive(Serialize, ToSchema)]
pub struct Embed {
    /// The inline widget: one tag where the questionnaire should appear.
    script: String,
    /// Its Subresource Integrity value, for pages that pin the current widget version.
    integrity: String,
    /// The « Je donne mon avis » image linking to the hosted questionnaire.
    button: String,
    /// The hosted questionnaire's address, for emails and QR codes.
    link: String,
}

/// A button with its embed snippets.
#[derive(Serialize, ToSchema)]
pub struct ButtonView {
    #[serde(flatten)]
    button: Button,
    embed: Embed,
}

fn view(req: &HttpRequest, state: &AppState, button: Button) -> ButtonView {
    let base = base_url(req, state);
    let snippets = snippets(&base, button.id, widget_integrity());
    ButtonView {
        embed: Embed {
            script: snippets.script,
            integrity: widget_integrity().to_owned(),
            button: snippets.image,
            link: snippets.link,
        },
        button,
    }
}

fn origins(check: &mut Check, raw: &[String]) -> Vec<Origin> {
    let mut origins: Vec<Origin> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, o)| check.take(&format!("allowed_origins[{i}]"), Origin::parse(o)))
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// The button behind `id` if this key may see its procedure.
async fn visible(state: &AppState, key: &AdminKey, id: &str) -> Result<Button, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ButtonNotFound)?;
    let button = state
        .store
        .find_button(id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    let procedure = state.store.find_procedure(button.procedure_id).await?;
    match procedure {
        Some(p) if key.0.sees(p.organisation_id) => Ok(button),
        _ => Err(ApiError::ButtonNotFound),
    }
}

#[utoipa::path(
    operation_id = "create_buttons",
    tag = "administration", request_body = NewButtonInput,
    responses((status = 201, description = "Created", body = ButtonView), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Procedure not visible", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[post("/buttons")]
pub async fn create(
    key: AdminKey,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input: NewButtonInput = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    super::procedures::visible(&state, &key, &input.procedure_id.to_string()).await?;
    let mut check = Check::default();
    let label = check.take("label", Name::parse(&input.label));
    let source = check.take(
        "source",
        Tag::parse(input.source.as_deref().unwrap_or("web")),
    );
    let allowed_origins = origins(&mut check, &input.allowed_origins);
    check.finish()?;
    let (Some(label), Some(source)) = (label, source) else {
        return Err(ApiError::InvalidRequest(Vec::new()));
    };
    let new = NewButton {
        procedure_id: input.procedure_id,
        label,
        source,
        allowed_origins,
        is_test: input.is_test,
    };
    let mut button = state.store.create_button(&new).await?;
    if input.asks_contact_email || input.requires_proof_of_work {
        button.asks_contact_email = input.asks_contact_email;
        button.requires_proof_of_work = input.requires_proof_of_work;
        state.store.save_button(&button).await?;
    }
    Ok(HttpResponse::Created().json(view(&req, &state, button)))
}

#[utoipa::path(
    operation_id = "list_buttons",
    tag = "administration", params(("procedure" = Option<Uuid>, Query, description = "Only this procedure's buttons")),
    responses((status = 200, description = "OK", body = Vec<ButtonView>), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[get("/buttons")]
pub async fn list(
    key: AdminKey,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let procedure = Params::of(&req).uuid("procedure")?;
    let visible_procedures: Vec<Uuid> = state
        .store
        .list_procedures(key.0.organisation())
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut buttons = state.store.list_buttons(procedure).await?;
    buttons.retain(|b| visible_procedures.contains(&b.procedure_id));
    let views: Vec<ButtonView> = buttons.into_iter().map(|b| view(&req, &state, b)).collect();
    Ok(HttpResponse::Ok().json(views))
}

#[utoipa::path(
    operation_id = "show_buttons",
    tag = "administration", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = ButtonView), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem)),
    security(("api_key" = [])))]
#[get("/buttons/{id}")]
pub async fn show(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let button = visible(&state, &key, &path).await?;
    Ok(HttpResponse::Ok().json(view(&req, &state, button)))
}

#[utoipa::path(
    operation_id = "update_buttons",
    tag = "administration", params(("id" = Uuid, Path)), request_body = ButtonChanges,
    responses((status = 200, description = "OK", body = ButtonView), (status = 401, description = "No API key, or an unknown or revoked one", body = Problem), (status = 403, description = "This key may not do this", body = Problem), (status = 404, description = "Not found, or not visible to this key", body = Problem), (status = 422, description = "Invalid members, each named in `errors`", body = Problem)),
    security(("api_key" = [])))]
#[patch("/buttons/{id}")]
pub async fn update(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut button = visible(&state, &key, &path).await?;
    let input: ButtonChanges = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let mut check = Check::default();
    if let Some(label) = input
        .label
        .as_deref()
        .and_then(|l| check.take("label", Name::parse(l)))
    {
        button.label = label.as_str().to_owned();
    }
    if let Some(source) = input
        .source
        .as_deref()
        .and_then(|s| check.take("source", Tag::parse(s)))
    {
        button.source = source.as_str().to_owned();
    }
    if let Some(raw) = &input.allowed_origins {
        button.allowed_origins = origins(&mut check, raw);
    }
    check.finish()?;
    button.is_test = input.is_test.unwrap_or(button.is_test);
    button.asks_contact_email = input
        .asks_contact_email
        .unwrap_or(button.asks_contact_email);
    button.requires_proof_of_work = input
        .requires_proof_of_work
        .unwrap_or(button.requires_proof_of_work);
    match input.closed {
        Some(true) if button.closed_at.is_none() => button.closed_at = Some(Timestamp::now()),
        Some(false) => button.closed_at = None,
        _ => {}
    }
    state.store.save_button(&button).await?;
    let saved = state
        .store
        .find_button(button.id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    Ok(HttpResponse::Ok().json(view(&req, &state, saved)))
}
