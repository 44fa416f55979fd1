//! Proof of work over HTTP: `GET /api/v1/buttons/{id}/challenge` hands out a challenge for a
//! button under attack, and review creation checks the solved one it carries.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::cors;
use crate::error::{ApiError, Problem};
use crate::proof::Refusal;
use crate::routes::client;
use crate::startup::AppState;
use crate::store::catalog::Button;

/// An ALTCHA (v2) challenge. Find a `counter` whose PBKDF2 key from `nonce ‖ counter` (a
/// big-endian 32-bit integer) and `salt` starts with `keyPrefix`, then send
/// base64(JSON `{challenge, solution: {counter, derivedKey}}`) as the review's `altcha` member.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
struct ChallengeView {
    /// `algorithm`, `cost`, `nonce`, `salt`, `keyPrefix`, `keyLength`, `expiresAt`, `data`.
    #[schema(value_type = Object)]
    parameters: serde_json::Value,
    /// The service's HMAC over the parameters: a changed parameter is refused.
    signature: String,
}

/// A fresh challenge, bound to this button and valid for five minutes. Only buttons that require
/// a proof of work ask for one, but any open button hands one out.
#[utoipa::path(
    operation_id = "challenge_show",
    tag = "reviews",
    params(("id" = Uuid, Path, description = "Button id")),
    responses(
        (status = 200, description = "The challenge", body = ChallengeView),
        (status = 403, description = "Origin not allowed", body = Problem),
        (status = 404, description = "No such button", body = Problem),
        (status = 410, description = "The button is closed", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    )
)]
#[get("/buttons/{id}/challenge")]
#[tracing::instrument(skip_all, fields(button = %path))]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    client::check_address(&req, &state)?;
    let button = client::open_button(&state, &path).await?;
    let origin = cors::check(&req, &button.allowed_origins)?;
    let challenge = state
        .proof_of_work
        .challenge(button.id, Timestamp::now().as_second());
    let mut response = HttpResponse::Ok();
    cors::allow(&mut response, origin.as_ref());
    Ok(response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(challenge))
}

/// The member carrying a solved proof of work.
pub const PROOF_OF_WORK: &str = "altcha";

/// Accepts the proof of work a button requires, once. The key derivation runs off the async
/// workers: it takes a few milliseconds.
pub async fn check(
    state: &web::Data<AppState>,
    button: &Button,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    let encoded = match value {
        None | Some(Value::Null) => return Err(ApiError::ProofOfWorkRequired),
        Some(Value::String(encoded)) => encoded.clone(),
        Some(_) => return Err(ApiError::ProofOfWorkRefused(Refusal::Malformed)),
    };
    let state = state.clone();
    let button = button.id;
    let now = Timestamp::now().as_second();
    web::block(move || state.proof_of_work.accept(&encoded, button, now))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::ProofOfWorkRefused)
}
