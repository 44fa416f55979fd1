//! `GET /buttons/{id}/qr.svg` and `/buttons/{id}/qr.png`: the QR code of a button's hosted
//! questionnaire, for letters and posters. Public, like the button image; a closed button keeps
//! its code, since printed copies outlive it and the questionnaire's page explains the closure.

use actix_web::body::MessageBody;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::routes::client::base_url;
use crate::startup::AppState;
use crate::views::qr;

/// The hosted questionnaire's address of the button `id`, once it is known to exist.
async fn questionnaire_url(
    req: &HttpRequest,
    id: &str,
    state: &AppState,
) -> Result<String, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ButtonNotFound)?;
    state
        .store
        .find_button_recent(id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    Ok(format!("{}/f/{id}", base_url(req, state)))
}

/// An image any site may show. With a configured public URL it is kept a day by browsers and
/// shared caches (a button's address never changes); without one, the address comes from the
/// request's `Host`, which a client chooses, so no shared cache may keep it for others.
fn image(state: &AppState, content_type: &str, body: impl MessageBody + 'static) -> HttpResponse {
    let cache = if state.public_url.is_some() {
        "public, max-age=86400"
    } else {
        "private, max-age=300"
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(body)
}

#[utoipa::path(
    operation_id = "button_qr_svg",
    tag = "pages",
    params(("id" = Uuid, Path, description = "Button id")),
    responses((status = 200, description = "The QR code of the button's hosted questionnaire", content_type = "image/svg+xml", body = String), (status = 404, description = "No such button", body = Problem))
)]
#[get("/buttons/{id}/qr.svg")]
#[tracing::instrument(skip_all, fields(button = %path))]
pub async fn qr_svg(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let url = questionnaire_url(&req, &path, &state).await?;
    let svg = qr::svg(&url).map_err(ApiError::Internal)?;
    Ok(image(&state, "image/svg+xml; charset=utf-8", svg))
}

#[utoipa::path(
    operation_id = "button_qr_png",
    tag = "pages",
    params(("id" = Uuid, Path, description = "Button id")),
    responses((status = 200, description = "The QR code of the button's hosted questionnaire, 8 pixels a module", content(("image/png"))), (status = 404, description = "No such button", body = Problem))
)]
#[get("/buttons/{id}/qr.png")]
#[tracing::instrument(skip_all, fields(button = %path))]
pub async fn qr_png(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let url = questionnaire_url(&req, &path, &state).await?;
    let png = qr::png(&url).map_err(ApiError::Internal)?;
    Ok(image(&state, "image/png", png))
}
