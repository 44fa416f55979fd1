//! HTTP routes: parse the request into domain types, call the store, shape the response.
//!
//! Every route is registered through `utoipa_actix_web`, so the OpenAPI document is built from
//! the very list of services the application serves and cannot drift from it.

mod admin;
mod assets;
mod auth;
mod badge;
mod body;
mod challenge;
mod client;
mod cors;
mod csv;
mod health;
mod hosted;
mod indicators;
pub mod metrics;
mod moderation;
mod openapi;
mod query;
mod questionnaire;
mod reviews;

use actix_web::App;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp, scope};
use utoipa_swagger_ui::SwaggerUi;

pub use cors::expose_errors as cors_errors;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document of every route `register` adds.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let app = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi());
    services(app).split_for_parts().1
}

/// Adds every route, the OpenAPI document and its human-readable page to `app`.
pub fn register<T>(app: App<T>, document: utoipa::openapi::OpenApi) -> App<T>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
{
    // The document goes first: the `/api/v1` scope would otherwise answer 404 for its path.
    let app = app.service(SwaggerUi::new("/api/docs/{_:.*}").url(OPENAPI_PATH, document));
    services(app.into_utoipa_app()).split_for_parts().0
}

fn services<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
{
    app.service(api())
        .service(assets::widget)
        .service(assets::widget_steps)
        .service(assets::widget_proof)
        .service(assets::widget_css)
        .service(assets::pages_css)
        .service(assets::button_image)
        .service(hosted::start)
        .service(hosted::answer_first)
        .service(hosted::thanks)
        .service(hosted::show_step)
        .service(hosted::answer_step)
        .service(hosted::demo)
        .service(metrics::render)
}

fn api() -> utoipa_actix_web::scope::Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    scope("/api/v1")
        .service(health::live)
        .service(health::ready)
        .service(cors::create_preflight)
        .service(cors::update_preflight)
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
}
