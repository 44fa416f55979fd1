//! HTTP routes: parse the request into domain types, call the store, shape the response.

mod body;
mod health;
mod questionnaire;
mod reviews;

use actix_web::web;

/// Registers every route of the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/health", web::get().to(health::live))
            .route("/health/ready", web::get().to(health::ready))
            .route("/reviews", web::post().to(reviews::create))
            .route("/reviews/{id}", web::patch().to(reviews::update))
            .route(
                "/buttons/{id}/questionnaire",
                web::get().to(questionnaire::show),
            ),
    );
}
