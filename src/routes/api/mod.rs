//! The JSON API under `/api/v1`: reviews, indicators, moderation and the administration's
//! catalog and keys, for the widget, the observatory and administrations' scripts.

pub mod admin;
pub mod auth;
mod badge;
mod challenge;
pub mod cors;
pub(crate) mod csv;
pub mod exports;
mod health;
mod indicators;
mod moderation;
pub mod openapi;
mod questionnaire;
pub mod reviews;
mod webhooks;

use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};

pub(super) fn scope() -> utoipa_actix_web::scope::Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope("/api/v1")
        .service(health::live)
        .service(health::ready)
        .service(cors::create_preflight)
        .service(cors::update_preflight)
        // Before `/reviews/{id}`, which would take `export` for an id.
        .service(exports::start)
        .service(exports::show)
        .service(exports::download)
        .service(reviews::create)
        .service(reviews::update)
        .service(reviews::show)
        .service(moderation::list)
        .service(moderation::exclude)
        .service(moderation::restore)
        .service(moderation::audit)
        .service(moderation::contact)
        .service(questionnaire::show)
        .service(challenge::show)
        .service(indicators::list)
        .service(indicators::public_list)
        .service(indicators::series)
        .service(indicators::one)
        .service(badge::badge)
        .service(admin::organisations::create)
        .service(admin::organisations::list)
        .service(admin::organisations::show)
        .service(admin::organisations::update)
        .service(admin::procedures::create)
        .service(admin::procedures::list)
        .service(admin::procedures::show)
        .service(admin::procedures::update)
        .service(admin::buttons::create)
        .service(admin::buttons::list)
        .service(admin::buttons::show)
        .service(admin::buttons::update)
        .service(admin::keys::create)
        .service(admin::keys::list)
        .service(admin::keys::revoke)
        .service(webhooks::create)
        .service(webhooks::list)
        .service(webhooks::show)
        .service(webhooks::update)
        .service(webhooks::remove)
        .service(webhooks::deliveries)
        .service(webhooks::replay)
}
