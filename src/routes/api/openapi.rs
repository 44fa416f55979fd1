//! The parts of the OpenAPI document not derived from the routes: description, security, and the
//! answers every route shares.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};

use crate::error::PROBLEM_JSON;

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
        (name = "webhooks", description = "Signed deliveries of reviews' events to an organisation's own systems; API key of scope `admin`"),
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

/// Adds the answers the framework gives on top of each route's own, written once here so that no
/// operation forgets them. It runs on the whole document, once every route is in it:
/// - every problem document is served as `application/problem+json`;
/// - a route that reads a body answers 413 when it is too large, and a JSON one 400 when it does
///   not parse and 415 for another media type;
/// - a route that reads an API key answers 401 for an unknown one and 429 past the key's allowance.
pub fn add_framework_answers(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            complete(operation);
        }
    }
}

const PROBLEM: &str = "#/components/schemas/Problem";

fn complete(operation: &mut Operation) {
    let body_types: Vec<String> = match &operation.request_body {
        Some(RefOr::T(body)) => body.content.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let takes_json = body_types.iter().any(|t| t.ends_with("json"));
    let takes_key = operation.security.iter().flatten().any(|requirement| {
        serde_json::to_value(requirement).is_ok_and(|value| value.get("api_key").is_some())
    });
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem(description)));
    };
    if !body_types.is_empty() {
        add("413", "Body too large");
    }
    if takes_json {
        add("400", "The body is not JSON");
        add("415", "Not a JSON media type");
    }
    if takes_key {
        add("401", "No API key, or an unknown or revoked one");
        add(
            "429",
            "Too many requests with this key; `Retry-After` says when to try again",
        );
    }
    for response in responses.values_mut() {
        if let RefOr::T(response) = response {
            serve_problems_as_problems(response);
        }
    }
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, Content::new(Some(Ref::new(PROBLEM))))
        .build()
}

/// utoipa names `application/json` for every `body = Problem`; the server sends the problem type.
fn serve_problems_as_problems(response: &mut Response) {
    let is_problem = |content: &RefOr<Content>| matches!(content, RefOr::T(Content { schema: Some(RefOr::Ref(r)), .. }) if r.ref_location == PROBLEM);
    if let Some(index) = response.content.get_index_of("application/json")
        && response
            .content
            .get("application/json")
            .is_some_and(is_problem)
    {
        let (_, content) = response
            .content
            .shift_remove_index(index)
            .expect("the index was just found");
        response
            .content
            .shift_insert(index, PROBLEM_JSON.to_owned(), content);
    }
}
