//! Cross-origin access for the widget: a button's allowed origins, and nobody else, may create
//! and amend its reviews from a browser.
//!
//! Requests without an `Origin` header (servers, scripts) are not browsers' cross-origin calls
//! and are not concerned. Error documents are readable from any origin: they carry no data.

use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, options, web};
use uuid::Uuid;

use crate::domain::catalog::Origin;
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The origin of a browser's request, if it sent one.
fn origin_header(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
}

/// Checks the request's origin against a button's allowed origins.
/// `Ok(None)`: no origin (not a browser's cross-origin call); `Ok(Some)`: allowed.
pub fn check(req: &HttpRequest, allowed: &[Origin]) -> Result<Option<Origin>, ApiError> {
    let Some(raw) = origin_header(req) else {
        return Ok(None);
    };
    match Origin::parse(raw) {
        Ok(origin) if allowed.contains(&origin) => Ok(Some(origin)),
        _ => Err(ApiError::OriginNotAllowed),
    }
}

/// Lets `origin` read the response.
pub fn allow(builder: &mut HttpResponseBuilder, origin: Option<&Origin>) {
    if let Some(origin) = origin {
        builder
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
            .insert_header((
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                "Location, Retry-After",
            ))
            .insert_header((header::VARY, "Origin"));
    }
}

/// Makes error documents of the public review API readable by the page that caused them, so the
/// widget can tell "closed" from "try again".
pub fn expose_errors<B>(mut response: ServiceResponse<B>) -> ServiceResponse<B> {
    let path = response.request().path();
    let public = path.starts_with("/api/v1/reviews") || path.starts_with("/api/v1/buttons/");
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let origin = response.request().headers().get(header::ORIGIN).cloned();
    let headers = response.headers_mut();
    if let Some(origin) = origin
        && public
        && failed
        && !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

fn preflight(origin: &str, method: &'static str, headers: &'static str) -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, method))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, headers))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE))
        .insert_header((header::VARY, "Origin"))
        .finish()
}

/// Preflight of a review creation sent as `application/json`. The button, and so the origins it
/// allows, is only known from the body: the creation itself checks the origin.
#[utoipa::path(
    operation_id = "reviews_create_preflight",
    tag = "reviews",
    responses((status = 204, description = "CORS preflight answered"), (status = 403, description = "Not a valid origin", body = Problem))
)]
#[options("/reviews")]
pub async fn create_preflight(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let origin = origin_header(&req).ok_or(ApiError::OriginNotAllowed)?;
    let origin = Origin::parse(origin).map_err(|_| ApiError::OriginNotAllowed)?;
    Ok(preflight(origin.as_str(), "POST", "Content-Type"))
}

/// Preflight of an amendment: allowed for the origins the review's button allows.
#[utoipa::path(
    operation_id = "reviews_update_preflight",
    tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 204, description = "CORS preflight answered"),
        (status = 403, description = "This origin may not amend this review", body = Problem),
        (status = 404, description = "No such review", body = Problem),
    )
)]
#[options("/reviews/{id}")]
pub async fn update_preflight(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let review_id = Uuid::parse_str(&path).map_err(|_| ApiError::ReviewNotFound)?;
    let review = state
        .store
        .find_review(review_id)
        .await?
        .ok_or(ApiError::ReviewNotFound)?;
    let button = state
        .store
        .find_button_recent(review.button_id)
        .await?
        .ok_or(ApiError::ReviewNotFound)?;
    let origin = check(&req, &button.allowed_origins)?.ok_or(ApiError::OriginNotAllowed)?;
    Ok(preflight(
        origin.as_str(),
        "PATCH",
        "Authorization, Content-Type",
    ))
}
