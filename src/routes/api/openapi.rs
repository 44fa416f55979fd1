//! The parts of the OpenAPI document not derived from the routes: description and security.

use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "avis",
        description = "« Je donne mon avis »: satisfaction reviews of online public services, and the \
                       indicators the observatory publishes. Every error is an RFC 9457 \
                       `application/problem+json` document with a stable `code`."
    ),
    modifiers(&Security),
    tags(
        (name = "reviews", description = "What the widget and the hosted questionnaire call; no key"),
        (name = "observatory", description = "Indicators; API key of scope `indicators:read` or `admin`"),
        (name = "open data", description = "Indicators of procedures marked public; no key"),
        (name = "administration", description = "Organisations, procedures, buttons and keys; API key of scope `admin`"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "api_key",
            bearer("An API key created by `avis keys create` or the administration API"),
        );
        components.add_security_scheme(
            "edit_token",
            bearer("The edit token returned when the review was created"),
        );
    }
}
