//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::error::{ApiError, Problem};
use crate::startup::AppState;

/// The process answers.
#[utoipa::path(
    operation_id = "health_live",
    tag = "operations", responses((status = 200, description = "Alive")))]
#[get("/health")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// The process answers and its database too.
#[utoipa::path(
    operation_id = "health_ready",
    tag = "operations", responses((status = 200, description = "Ready"), (status = 503, description = "The database does not answer", body = Problem)))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({"status": "ready"}))),
        Err(err) => {
            tracing::warn!(error = ?err, "readiness check failed");
            Err(ApiError::NotReady)
        }
    }
}
