//! The one error contract of the HTTP API: RFC 9457 problem+json with a stable `code`.
//!
//! Each variant maps to exactly one code and status. A 500 says nothing about its cause to the
//! client; the cause chain goes to the log under the request's id.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::FieldError;
use crate::store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("some answers are invalid")]
    InvalidAnswers(Vec<FieldError>),
    #[error("some fields of the request are invalid")]
    InvalidRequest(Vec<FieldError>),
    #[error("the request body must be JSON (application/json or text/plain)")]
    UnsupportedMediaType,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("no button has this id")]
    UnknownButton,
    #[error("no button has this id")]
    ButtonNotFound,
    #[error("this button no longer accepts reviews")]
    ButtonClosed,
    #[error("no review has this id")]
    ReviewNotFound,
    #[error("this request needs the review's edit token as `Authorization: Bearer <token>`")]
    MissingEditToken,
    #[error("the edit token does not match this review")]
    InvalidEditToken,
    #[error("the edit token of this review has expired")]
    EditTokenExpired,
    #[error("this endpoint needs an API key as `Authorization: Bearer <key>`")]
    MissingApiKey,
    #[error("this API key is unknown or revoked")]
    InvalidApiKey,
    #[error("this API key's scope does not allow this request")]
    InsufficientScope,
    #[error("no organisation with this id is visible to this key")]
    OrganisationNotFound,
    #[error("no procedure with this id is visible to this key")]
    ProcedureNotFound,
    #[error("this review left no address to be contacted back, or it was deleted")]
    ContactNotFound,
    #[error("no API key with this id is visible to this key")]
    KeyNotFound,
    #[error("no export with this id is visible to this key, or it has expired")]
    ExportNotFound,
    #[error("no webhook with this id is visible to this key")]
    WebhookNotFound,
    #[error("this webhook has no delivery with this id")]
    DeliveryNotFound,
    #[error("this export is not finished: poll its status until it is done")]
    ExportNotReady,
    #[error("{0}")]
    Conflict(String),
    #[error("this origin may not send reviews through this button")]
    OriginNotAllowed,
    #[error("this button needs a solved proof of work: get one from its `challenge` endpoint")]
    ProofOfWorkRequired,
    #[error("{0}")]
    ProofOfWorkRefused(crate::proof::Refusal),
    #[error("too many requests: try again in {} s", .0.retry_after)]
    RateLimited(crate::limits::Denied),
    #[error("the service is busy: try again in a second")]
    Overloaded,
    #[error("the database is not reachable")]
    NotReady,
    #[error("an unexpected error occurred; it has been logged")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidAnswers(_) => "invalid_answer",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnknownButton => "unknown_button",
            ApiError::ButtonNotFound => "button_not_found",
            ApiError::ButtonClosed => "button_closed",
            ApiError::ReviewNotFound => "review_not_found",
            ApiError::MissingEditToken => "missing_edit_token",
            ApiError::InvalidEditToken => "invalid_edit_token",
            ApiError::EditTokenExpired => "edit_token_expired",
            ApiError::MissingApiKey => "missing_api_key",
            ApiError::InvalidApiKey => "invalid_api_key",
            ApiError::InsufficientScope => "insufficient_scope",
            ApiError::OrganisationNotFound => "organisation_not_found",
            ApiError::ProcedureNotFound => "procedure_not_found",
            ApiError::KeyNotFound => "key_not_found",
            ApiError::ExportNotFound => "export_not_found",
            ApiError::WebhookNotFound => "webhook_not_found",
            ApiError::DeliveryNotFound => "delivery_not_found",
            ApiError::ExportNotReady => "export_not_ready",
            ApiError::ContactNotFound => "contact_not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::OriginNotAllowed => "origin_not_allowed",
            ApiError::ProofOfWorkRequired => "proof_of_work_required",
            ApiError::ProofOfWorkRefused(_) => "proof_of_work_refused",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Overloaded => "overloaded",
            ApiError::NotReady => "not_ready",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn errors(&self) -> &[FieldError] {
        match self {
            ApiError::InvalidAnswers(errors) | ApiError::InvalidRequest(errors) => errors,
            _ => &[],
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            StoreError::NotFound("organisation") => ApiError::OrganisationNotFound,
            StoreError::NotFound("procedure") => ApiError::ProcedureNotFound,
            StoreError::NotFound("button") => ApiError::ButtonNotFound,
            StoreError::NotFound(_) => ApiError::KeyNotFound,
            // Every connection stayed busy past the pool's wait: the server is overloaded, and
            // the client may try again.
            StoreError::Database(sqlx::Error::PoolTimedOut) => ApiError::Overloaded,
            StoreError::Database(err) => ApiError::Internal(err.into()),
        }
    }
}

/// The body of every error response.
/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem<'a> {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'a str,
    pub status: u16,
    pub code: &'a str,
    pub detail: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [FieldError],
}

impl Problem<'_> {
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .json(self)
    }
}

fn problem_type(code: &str) -> String {
    format!("urn:avis:problem:{code}")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidAnswers(_) | ApiError::InvalidRequest(_) | ApiError::UnknownButton => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::ButtonNotFound
            | ApiError::ReviewNotFound
            | ApiError::OrganisationNotFound
            | ApiError::ProcedureNotFound
            | ApiError::KeyNotFound
            | ApiError::ExportNotFound
            | ApiError::WebhookNotFound
            | ApiError::DeliveryNotFound
            | ApiError::ContactNotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::ExportNotReady => StatusCode::CONFLICT,
            ApiError::ButtonClosed => StatusCode::GONE,
            ApiError::MissingEditToken | ApiError::MissingApiKey | ApiError::InvalidApiKey => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::InvalidEditToken
            | ApiError::EditTokenExpired
            | ApiError::InsufficientScope
            | ApiError::OriginNotAllowed
            | ApiError::ProofOfWorkRequired => StatusCode::FORBIDDEN,
            ApiError::ProofOfWorkRefused(crate::proof::Refusal::Saturated) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::ProofOfWorkRefused(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotReady | ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let status = self.status_code();
        let mut response = Problem {
            kind: problem_type(self.code()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code: self.code(),
            detail: self.to_string(),
            errors: self.errors(),
        }
        .response();
        metrics::counter!("avis_errors_total", "code" => self.code()).increment(1);
        if matches!(
            self,
            ApiError::Overloaded | ApiError::ProofOfWorkRefused(crate::proof::Refusal::Saturated)
        ) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let ApiError::RateLimited(denied) = self {
            let headers = response.headers_mut();
            for (name, value) in [
                ("retry-after", denied.retry_after.to_string()),
                ("ratelimit-limit", denied.limit.to_string()),
                ("ratelimit-remaining", "0".to_owned()),
                ("ratelimit-reset", denied.retry_after.to_string()),
                (
                    "ratelimit-policy",
                    format!("{};w={}", denied.limit, denied.period),
                ),
            ] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(header::HeaderName::from_static(name), value);
                }
            }
        }
        if matches!(
            self,
            ApiError::MissingEditToken | ApiError::MissingApiKey | ApiError::InvalidApiKey
        ) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Gives a problem+json body to error responses produced outside our handlers (unknown route,
/// wrong method, framework limits), so every error a client sees has the same shape.
pub fn problem_for_bare_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Our handlers always say what they send (a problem document, or an HTML page for the
    // hosted questionnaire); only the framework's own bare errors come without a media type.
    if res.headers().contains_key(header::CONTENT_TYPE) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    };
    metrics::counter!("avis_errors_total", "code" => code).increment(1);
    let title = status.canonical_reason().unwrap_or("Error");
    let mut problem = Problem {
        kind: problem_type(code),
        title,
        status: status.as_u16(),
        code,
        detail: title.to_owned(),
        errors: &[],
    }
    .response();
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    let (req, _) = res.into_parts();
    let res = ServiceResponse::new(req, problem.map_body(|_, body| BoxBody::new(body)));
    Ok(ErrorHandlerResponse::Response(res.map_into_right_body()))
}
