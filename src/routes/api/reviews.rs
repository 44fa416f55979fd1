//! The public review API: create a review with its first answer, then amend it with its token.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{AdminKey, Visibility};
use super::{challenge, cors};
use crate::domain::answers::Answers;
use crate::domain::answers_patch::AnswersPatch;
use crate::domain::questionnaire::CURRENT_VERSION;
use crate::domain::secret;
use crate::domain::time::after_seconds;
use crate::domain::{Change, FieldError};
use crate::error::{ApiError, Problem};
use crate::routes::body::{REVIEW_BODY_LIMIT, json_body};
use crate::routes::client;
use crate::startup::AppState;
use crate::store::catalog::Button;
use crate::store::reviews::{NewReview, StoredReview, Update};

/// A request body: a JSON object whose known members are read one by one.
type Body = Map<String, Value>;

/// A review just created: its id and the token that amends it.
#[derive(Serialize, ToSchema)]
struct Created {
    id: Uuid,
    edit_token: String,
    edit_token_expires_at: Timestamp,
}

/// A review's answers as stored, once amended.
#[derive(Serialize, ToSchema)]
struct Amended {
    id: Uuid,
    questionnaire_version: i64,
    answers: Answers,
}

/// What `POST /api/v1/reviews` takes (documentation of the wire format).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct NewReviewBody {
    button_id: Uuid,
    /// At least `satisfaction`; any other answer of the questionnaire may come along.
    answers: Answers,
    /// For a button that requires a proof of work: its solved challenge, as ALTCHA clients send
    /// it (base64 of the JSON `{challenge, solution}`). See `GET /api/v1/buttons/{id}/challenge`.
    altcha: Option<String>,
}

/// What `PATCH /api/v1/reviews/{id}` takes (documentation of the wire format).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct ReviewChanges {
    /// Answers to add or replace; `null` (or an empty text, list or object) removes an optional one.
    answers: Answers,
}

/// Creates a review from its first answer, `satisfaction`.
#[utoipa::path(
    operation_id = "reviews_create",
    tag = "reviews",
    request_body(content = NewReviewBody, description = "JSON, sent as `application/json` or `text/plain`"),
    responses(
        (status = 201, description = "Created", body = Created),
        (status = 400, description = "Not JSON", body = Problem),
        (status = 403, description = "Origin not allowed, or a proof of work missing or refused", body = Problem),
        (status = 410, description = "The button is closed", body = Problem),
        (status = 413, description = "Body over 64 KiB", body = Problem),
        (status = 415, description = "Not a JSON media type", body = Problem),
        (status = 422, description = "Invalid or missing answers, or an unknown button", body = Problem),
        (status = 429, description = "Too many requests from this address, or reviews on this button", body = Problem),
        (status = 503, description = "Too many reviews waiting to be written, or proofs of work being checked; try again shortly", body = Problem),
    )
)]
#[post("/reviews")]
#[tracing::instrument(skip_all)]
pub async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let address = client::check_address(&req, &state)?;
    let body: Body = json_body(&req, payload, REVIEW_BODY_LIMIT).await?;
    let button_id = parse_button_id(body.get("button_id"))?;
    let patch = parse_answers(body.get("answers"))?;
    if !patch.has_satisfaction() {
        let missing = FieldError::new("answers.satisfaction", "is required to create a review");
        return Err(ApiError::InvalidAnswers(vec![missing]));
    }
    let answers = patch
        .apply_to(&Answers::default())
        .map_err(ApiError::InvalidAnswers)?;

    let button = state
        .store
        .find_button_recent(button_id)
        .await?
        .ok_or(ApiError::UnknownButton)?;
    if !button.is_open {
        return Err(ApiError::ButtonClosed);
    }
    let origin = cors::check(&req, &button.allowed_origins)?;
    if button.requires_proof_of_work {
        challenge::check(&state, &button, body.get(challenge::PROOF_OF_WORK)).await?;
    }
    state
        .limits
        .button(button.id)
        .map_err(client::limited("button"))?;
    check_contact(&patch, &button)?;
    let honeypot_value = body.get(HONEYPOT);
    let (review, token) = store_new(
        &req,
        &state,
        address,
        &button,
        answers,
        patch.redactions(),
        honeypot_value,
        "api",
    )
    .await?;
    apply_contact(&state, review.id, &patch).await?;
    let mut response = HttpResponse::Created();
    cors::allow(&mut response, origin.as_ref());
    Ok(response
        .insert_header((header::LOCATION, format!("/api/v1/reviews/{}", review.id)))
        .json(Created {
            id: review.id,
            edit_token: token,
            edit_token_expires_at: review.edit_token_expires_at,
        }))
}

/// Adds, replaces or removes answers of a review, with the edit token returned at its creation.
#[utoipa::path(
    operation_id = "reviews_update",
    tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = ReviewChanges,
    responses(
        (status = 200, description = "The review's answers as stored", body = Amended),
        (status = 400, description = "Not JSON", body = Problem),
        (status = 401, description = "No edit token", body = Problem),
        (status = 403, description = "Wrong or expired edit token", body = Problem),
        (status = 404, description = "No such review", body = Problem),
        (status = 422, description = "Invalid answers", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
        (status = 503, description = "Too many reviews waiting to be written; try again shortly", body = Problem),
    ),
    security(("edit_token" = []))
)]
#[patch("/reviews/{id}")]
#[tracing::instrument(skip_all, fields(review = %path))]
pub async fn update(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer_token(&req).ok_or(ApiError::MissingEditToken)?;
    client::check_address(&req, &state)?;
    let review_id = Uuid::parse_str(&path).map_err(|_| ApiError::ReviewNotFound)?;
    let body: Body = json_body(&req, payload, REVIEW_BODY_LIMIT).await?;
    let patch = parse_answers(body.get("answers"))?;
    let origin = if req.headers().contains_key(header::ORIGIN) || patch.contact_email().is_some() {
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
        check_contact(&patch, &button)?;
        cors::check(&req, &button.allowed_origins)?
    } else {
        None
    };
    let now = Timestamp::now();
    let token_hash = secret::hash(&token);
    let patch = Arc::new(patch);
    let decided = patch.clone();
    let outcome = state
        .writer
        .amend(review_id, now, patch.redactions(), move |review| {
            if review.edit_token_hash != token_hash {
                return Err(ApiError::InvalidEditToken);
            }
            if now > review.edit_token_expires_at {
                return Err(ApiError::EditTokenExpired);
            }
            decided
                .apply_to(&review.answers)
                .map_err(ApiError::InvalidAnswers)
        })
        .await?;
    match outcome {
        Update::NotFound => Err(ApiError::ReviewNotFound),
        Update::Refused(refusal) => Err(refusal),
        Update::Done(answers) => {
            apply_contact(&state, review_id, &patch).await?;
            let mut response = HttpResponse::Ok();
            cors::allow(&mut response, origin.as_ref());
            Ok(response.json(Amended {
                id: review_id,
                questionnaire_version: CURRENT_VERSION,
                answers,
            }))
        }
    }
}

/// A review as stored, for an administration that may see its procedure.
#[utoipa::path(
    operation_id = "reviews_show",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 200, description = "The review", body = StoredReview),
        (status = 401, description = "No API key, or an unknown or revoked one", body = Problem),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "Not found, or not visible to this key", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/reviews/{id}")]
pub async fn show(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path).map_err(|_| ApiError::ReviewNotFound)?;
    let review = state
        .store
        .find_review(id)
        .await?
        .ok_or(ApiError::ReviewNotFound)?;
    let procedure = state.store.find_procedure(review.procedure_id).await?;
    match procedure {
        Some(p) if key.0.sees(p.organisation_id) => Ok(HttpResponse::Ok().json(review)),
        _ => Err(ApiError::ReviewNotFound),
    }
}

/// Writes a new review for `button` from the client at `address`, with its screening, and
/// returns it with its edit token. Shared by the API and the hosted questionnaire.
#[allow(clippy::too_many_arguments)]
pub async fn store_new(
    req: &HttpRequest,
    state: &AppState,
    address: std::net::IpAddr,
    button: &Button,
    answers: Answers,
    redactions: u32,
    honeypot_value: Option<&Value>,
    through: &'static str,
) -> Result<(NewReview, String), ApiError> {
    let now = Timestamp::now();
    let token = secret::random_token();
    let review = NewReview {
        id: Uuid::now_v7(),
        button_id: button.id,
        procedure_id: button.procedure_id,
        answers,
        edit_token_hash: secret::hash(&token),
        edit_token_expires_at: after_seconds(now, state.edit_token_ttl_seconds),
        created_at: now,
        redactions,
        fingerprint: Some(client::fingerprint(req, state, address, button.procedure_id).await?),
        excluded_reason: honeypot(honeypot_value),
        legacy_id: None,
    };
    let excluded = state.writer.create(review.clone()).await?;
    count_created(excluded);
    tracing::info!(review = %review.id, button = %button.id, through, excluded = excluded.unwrap_or("no"), "review created");
    Ok((review, token))
}

/// A contact address may be left only where the button asks for one, and only with consent.
pub fn check_contact(patch: &AnswersPatch, button: &Button) -> Result<(), ApiError> {
    let refuse = |field: &str, message: &str| {
        Err(ApiError::InvalidAnswers(vec![FieldError::new(
            field, message,
        )]))
    };
    match patch.contact_email() {
        Some(Change::Set(_)) if !button.asks_contact_email => {
            refuse("answers.contact_email", "is not offered by this button")
        }
        Some(Change::Set(_)) if !patch.contact_consent() => refuse(
            "answers.contact_consent",
            "must be true to leave an address to be contacted back",
        ),
        _ => Ok(()),
    }
}

/// Stores, replaces or forgets the review's contact address as the patch says.
pub async fn apply_contact(
    state: &AppState,
    review_id: Uuid,
    patch: &AnswersPatch,
) -> Result<(), ApiError> {
    match patch.contact_email() {
        Some(Change::Set(email)) => {
            state
                .store
                .save_contact_email(
                    review_id,
                    email,
                    Timestamp::now(),
                    state.contact_retention_days,
                )
                .await?
        }
        Some(Change::Clear) => state.store.delete_contact_email(review_id).await?,
        None => {}
    }
    Ok(())
}

/// Counts a stored review as accepted, or as excluded with its reason.
pub fn count_created(excluded: Option<&'static str>) {
    match excluded {
        None => metrics::counter!("avis_reviews_accepted_total").increment(1),
        Some(reason) => {
            metrics::counter!("avis_reviews_excluded_total", "reason" => reason).increment(1)
        }
    }
}

/// The member a person never fills (it is hidden from people, not from robots).
pub const HONEYPOT: &str = "website";

/// Why a review does not count if its honeypot member was filled.
pub fn honeypot(value: Option<&Value>) -> Option<&'static str> {
    let filled = match value {
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    filled.then_some("honeypot")
}

fn parse_button_id(value: Option<&Value>) -> Result<Uuid, ApiError> {
    let invalid =
        |message: &str| ApiError::InvalidRequest(vec![FieldError::new("button_id", message)]);
    match value {
        None | Some(Value::Null) => Err(invalid("is required")),
        Some(Value::String(text)) => {
            Uuid::parse_str(text).map_err(|_| invalid("must be a button id (a UUID)"))
        }
        Some(_) => Err(invalid("must be a button id (a UUID) in a string")),
    }
}

fn parse_answers(answers: Option<&Value>) -> Result<AnswersPatch, ApiError> {
    let invalid =
        |message: &str| ApiError::InvalidRequest(vec![FieldError::new("answers", message)]);
    match answers {
        None | Some(Value::Null) => Err(invalid("is required")),
        Some(Value::Object(answers)) => {
            AnswersPatch::parse(answers).map_err(ApiError::InvalidAnswers)
        }
        Some(_) => Err(invalid(
            "must be an object of answers keyed by question code",
        )),
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one.
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}
