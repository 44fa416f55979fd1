//! The incumbent's `GET /api/open-api/services`, which administrations' scripts call to list
//! the services (products) their key sees, as its
//! `webapp-backoffice/src/server/routers/open-api/info-services.ts` answers:
//! `{"data": [{"id", "title", "entity", "forms": [{"id", "title"}]}]}`.
//!
//! The caller is avis's: any API key; one limited to an organisation sees that organisation's
//! procedures, another every one. Only imported procedures are listed (`id` is the incumbent's
//! product id; procedures created in avis have none), each with the forms the import kept (a
//! form's title, else its template's, as there).

use actix_web::{HttpResponse, get, web};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::routes::api::auth::{ReaderKey, Visibility};
use crate::startup::AppState;

#[get("/api/open-api/services")]
#[tracing::instrument(skip_all)]
pub async fn list(key: ReaderKey, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let services = state.store.legacy_services(key.0.organisation()).await?;
    let data: Vec<Value> = services
        .into_iter()
        .map(|service| {
            json!({
                "id": service.legacy_id,
                "title": service.title,
                "entity": service.organisation,
                "forms": service.forms.iter().map(|(id, title)| json!({"id": id, "title": title})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}
