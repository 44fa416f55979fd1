//! Moderation for administrations: list and search reviews, exclude or restore one with a
//! reason, and read who did what.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{AdminKey, Visibility};
use crate::domain::FieldError;
use crate::domain::text::clean_text;
use crate::error::{ApiError, Problem};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::contact::ContactEmail;
use crate::store::moderation::AuditEntry;
use crate::store::review_list::ReviewFilter;
use crate::store::reviews::StoredReview;

/// The most reviews one page lists.
const MAX_PAGE: i64 = 500;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why, in a few words; recorded in the audit log.
    reason: String,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::InvalidRequest(vec![FieldError::new(field, message)])
}

fn number(params: &Params, name: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| invalid(name, &format!("must be an integer from 0 to {max}"))),
    }
}

/// The filters of a list of reviews, as the API documents them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReviewFilterParams {
    /// Only this procedure's reviews.
    procedure: Option<Uuid>,
    /// Only this button's reviews.
    button: Option<Uuid>,
    /// First day (Europe/Paris).
    #[param(format = Date)]
    from: Option<String>,
    /// Last day (Europe/Paris).
    #[param(format = Date)]
    to: Option<String>,
    /// Only this answer to « comment ça s'est passé ? ».
    #[param(pattern = "^(bad|medium|good)$")]
    satisfaction: Option<String>,
    /// Only this answer, 1 to 5, about the information given.
    #[param(minimum = 1, maximum = 5)]
    comprehension: Option<u8>,
    /// Only reviews that looked for some help (`any`), for none (`none`), or tried this channel.
    #[param(pattern = "^(any|none|counter|phone|email|chat|relative|association|internet|other)$")]
    help: Option<String>,
    /// Only reviews with a comment (`true`) or without (`false`).
    comment: Option<bool>,
    /// Only reviews whose author left an address to be contacted (`true`) or not (`false`).
    contact: Option<bool>,
    /// Words the comment contains, each as the start of a word, case and accents aside.
    q: Option<String>,
}

/// The filters of `params`, a cursor resolved, for a key limited to its organisation.
pub async fn review_filter(
    state: &AppState,
    params: &Params,
    key: &AdminKey,
) -> Result<ReviewFilter, ApiError> {
    let query = params.reviews()?;
    let mut filter = query.filter;
    filter.organisation = key.0.organisation();
    if let Some(after) = query.after {
        let review = state
            .store
            .find_review(after)
            .await?
            .ok_or_else(|| invalid("after", "names no review"))?;
        filter.after = Some((&review).into());
    }
    Ok(filter)
}

#[utoipa::path(
    operation_id = "reviews_list",
    tag = "administration",
    params(
        ReviewFilterParams,
        ("excluded" = Option<bool>, Query, description = "Only excluded (`true`) or only counted (`false`) reviews"),
        ("after" = Option<Uuid>, Query, description = "The last review of the previous page: the reviews after it"),
        ("limit" = Option<i64>, Query, description = "At most this many (default 100, at most 500)"),
        ("offset" = Option<i64>, Query, description = "Skip this many; `after` is faster"),
    ),
    responses(
        (status = 200, description = "Reviews, newest first", body = Vec<StoredReview>),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 422, description = "Invalid filter", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/reviews")]
pub async fn list(
    key: AdminKey,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::of(&req);
    let mut filter = review_filter(&state, &params, &key).await?;
    filter.limit = number(&params, "limit", 100, MAX_PAGE)?;
    filter.offset = number(&params, "offset", 0, i64::MAX)?;
    Ok(HttpResponse::Ok().json(state.store.list_reviews(&filter).await?))
}

/// The review behind `id`, if this key may see its procedure.
async fn visible(state: &AppState, key: &AdminKey, id: &str) -> Result<StoredReview, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ReviewNotFound)?;
    let review = state
        .store
        .find_review(id)
        .await?
        .ok_or(ApiError::ReviewNotFound)?;
    match state.store.find_procedure(review.procedure_id).await? {
        Some(p) if key.0.sees(p.organisation_id) => Ok(review),
        _ => Err(ApiError::ReviewNotFound),
    }
}

async fn reason(req: &HttpRequest, payload: web::Payload) -> Result<String, ApiError> {
    let input: Reason = json_body(req, payload, ADMIN_BODY_LIMIT).await?;
    let reason = clean_text(&input.reason);
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid("reason", "must be 1 to 500 characters"));
    }
    Ok(reason)
}

/// Excludes (`true`) or restores a review visible to the key, with the reason in the body.
async fn moderate(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
    excluding: bool,
) -> Result<HttpResponse, ApiError> {
    let review = visible(&state, &key, &path).await?;
    let reason = reason(&req, payload).await?;
    let actor = Some(key.0.id);
    if excluding {
        state
            .store
            .exclude_review(review.id, &reason, actor)
            .await?;
    } else {
        state
            .store
            .restore_review(review.id, &reason, actor)
            .await?;
    }
    let review = state
        .store
        .find_review(review.id)
        .await?
        .ok_or(ApiError::ReviewNotFound)?;
    Ok(HttpResponse::Ok().json(review))
}

#[utoipa::path(
    operation_id = "reviews_exclude",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = Reason,
    responses(
        (status = 200, description = "Excluded: kept, no longer counted", body = StoredReview),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "Not found, or not visible to this key", body = Problem),
        (status = 422, description = "No reason given", body = Problem),
    ),
    security(("api_key" = []))
)]
#[post("/reviews/{id}/exclude")]
pub async fn exclude(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    moderate(key, req, path, payload, state, true).await
}

#[utoipa::path(
    operation_id = "reviews_restore",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = Reason,
    responses(
        (status = 200, description = "Restored: counted again", body = StoredReview),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "Not found, or not visible to this key", body = Problem),
        (status = 422, description = "No reason given", body = Problem),
    ),
    security(("api_key" = []))
)]
#[post("/reviews/{id}/restore")]
pub async fn restore(
    key: AdminKey,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    moderate(key, req, path, payload, state, false).await
}

#[utoipa::path(
    operation_id = "reviews_audit",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 200, description = "Who excluded or restored the review, when and why", body = Vec<AuditEntry>),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "Not found, or not visible to this key", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/reviews/{id}/audit")]
pub async fn audit(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let review = visible(&state, &key, &path).await?;
    Ok(HttpResponse::Ok().json(state.store.audit_of(review.id).await?))
}

#[utoipa::path(
    operation_id = "reviews_contact",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 200, description = "The address the citizen left, with consent, to be contacted back", body = ContactEmail),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "No such review visible to this key, or no address", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/reviews/{id}/contact")]
pub async fn contact(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let review = visible(&state, &key, &path).await?;
    let contact = state
        .store
        .find_contact_email(review.id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(contact))
}
