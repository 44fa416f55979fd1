//! The observatory robot's `POST /api/open-api/setTop250`, as the incumbent's
//! `webapp-backoffice/src/server/routers/open-api/set-top250.ts` does it: the listed products
//! become essential and public, every other essential one stops being essential (its public
//! flag stays), and the answer lists which were new, already there, and dropped.
//!
//! The caller is avis's: an API key of scope `admin` that is not limited to one organisation
//! (the list speaks for every administration). Errors are avis's problem documents.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::routes::api::auth::{AdminKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::startup::AppState;

/// The robot's list: the incumbent's product ids.
#[derive(Debug, Deserialize)]
struct Listed {
    product_ids: Vec<i64>,
}

#[post("/api/open-api/setTop250")]
#[tracing::instrument(skip_all)]
pub async fn set(
    req: HttpRequest,
    payload: web::Payload,
    key: AdminKey,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if key.0.organisation().is_some() {
        return Err(ApiError::InsufficientScope);
    }
    let listed: Listed = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let top = state.store.set_top250(&listed.product_ids).await?;
    tracing::info!(
        new = top.new.len(),
        already = top.already.len(),
        down = top.down.len(),
        "essential procedures set from the observatory's list"
    );
    Ok(HttpResponse::Ok().json(json!({"result": {
        "new_top250": top.new,
        "already_top250": top.already,
        "down_top250": top.down,
    }})))
}
