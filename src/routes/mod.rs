//! HTTP routes: parse the request into domain types, call the store, shape the response.
//!
//! Every route is registered through `utoipa_actix_web`, so the OpenAPI document is built from
//! the very list of services the application serves and cannot drift from it.

pub(crate) mod api;
mod assets;
pub(crate) mod body;
mod client;
mod exporting;
pub mod metrics;
pub(crate) mod pages;
mod qr;
pub(crate) mod query;

use actix_web::App;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

pub use api::cors::expose_errors as cors_errors;
use pages::hosted;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document of every route `register` adds.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let app = App::new()
        .into_utoipa_app()
        .openapi(api::openapi::ApiDoc::openapi());
    let mut document = services(app).split_for_parts().1;
    api::openapi::add_framework_answers(&mut document);
    document
}

/// Adds every route, the OpenAPI document and its human-readable page to `app`, and the
/// incumbent's public URLs when `jdma_compat` is on (they stay out of the OpenAPI document: they
/// answer another product's contract, see [`crate::compat`]).
pub fn register<T>(app: App<T>, document: utoipa::openapi::OpenApi, jdma_compat: bool) -> App<T>
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
    services(app.into_utoipa_app())
        .split_for_parts()
        .0
        .configure(pages::backoffice::configure)
        .configure(|config| {
            if jdma_compat {
                crate::compat::configure(config);
            }
        })
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
    app.service(api::scope())
        .service(assets::widget)
        .service(assets::widget_steps)
        .service(assets::widget_proof)
        .service(assets::widget_css)
        .service(assets::pages_css)
        .service(assets::admin_css)
        .service(assets::admin_script)
        .service(pages::landing::show)
        .service(assets::button_image)
        .service(qr::qr_svg)
        .service(qr::qr_png)
        .service(hosted::start)
        .service(hosted::answer_first)
        .service(hosted::thanks)
        .service(hosted::show_step)
        .service(hosted::answer_step)
        .service(hosted::demo)
        .service(metrics::render)
}
