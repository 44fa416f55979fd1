//! The OpenAPI document: well-formed, complete, and naming only routes that are served.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app;

/// Every route the application serves.
const ROUTES: &[&str] = &[
    "GET /api/v1/health",
    "GET /api/v1/health/ready",
    "OPTIONS /api/v1/reviews",
    "POST /api/v1/reviews",
    "OPTIONS /api/v1/reviews/{id}",
    "PATCH /api/v1/reviews/{id}",
    "GET /api/v1/reviews/{id}",
    "GET /api/v1/reviews",
    "GET /api/v1/reviews/export",
    "GET /api/v1/exports/{id}",
    "GET /api/v1/exports/{id}/download",
    "POST /api/v1/reviews/{id}/exclude",
    "POST /api/v1/reviews/{id}/restore",
    "GET /api/v1/reviews/{id}/audit",
    "GET /api/v1/reviews/{id}/contact",
    "GET /api/v1/buttons/{id}/questionnaire",
    "GET /api/v1/buttons/{id}/challenge",
    "GET /api/v1/indicators",
    "GET /api/v1/public/indicators",
    "GET /api/v1/procedures/{id}/indicators",
    "GET /api/v1/procedures/{id}/indicators/series",
    "GET /api/v1/procedures/{id}/badge.svg",
    "GET /api/v1/organisations",
    "POST /api/v1/organisations",
    "GET /api/v1/organisations/{id}",
    "PATCH /api/v1/organisations/{id}",
    "GET /api/v1/procedures",
    "POST /api/v1/procedures",
    "GET /api/v1/procedures/{id}",
    "PATCH /api/v1/procedures/{id}",
    "GET /api/v1/buttons",
    "POST /api/v1/buttons",
    "GET /api/v1/buttons/{id}",
    "PATCH /api/v1/buttons/{id}",
    "GET /api/v1/keys",
    "POST /api/v1/keys",
    "DELETE /api/v1/keys/{id}",
    "GET /api/v1/webhooks",
    "POST /api/v1/webhooks",
    "GET /api/v1/webhooks/{id}",
    "PATCH /api/v1/webhooks/{id}",
    "DELETE /api/v1/webhooks/{id}",
    "GET /api/v1/webhooks/{id}/deliveries",
    "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
    "GET /widget.js",
    "GET /widget-steps.js",
    "GET /widget-proof.js",
    "GET /widget.css",
    "GET /assets/avis.css",
    "GET /assets/admin.css",
    "GET /assets/admin.js",
    "GET /",
    "GET /buttons/{id}.svg",
    "GET /buttons/{id}/qr.svg",
    "GET /buttons/{id}/qr.png",
    "GET /f/{id}",
    "POST /f/{id}",
    "GET /f/{button}/{review}",
    "POST /f/{button}/{review}",
    "GET /f/{button}/merci",
    "GET /demo",
    "GET /metrics",
];

fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_lists_every_route_and_each_is_served() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "avis");

    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
            assert!(
                !operation["responses"].as_object().unwrap().is_empty(),
                "{method} {path}"
            );
            assert!(operation["tags"].is_array(), "{method} {path}");
        }
    }
    assert_eq!(
        documented,
        ROUTES
            .iter()
            .map(|r| (*r).to_owned())
            .collect::<BTreeSet<_>>()
    );

    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut targets = Vec::new();
    refs(&document, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {target}"));
        assert!(schemas.contains_key(name), "dangling $ref {target}");
    }
    for scheme in ["api_key", "edit_token"] {
        assert_eq!(
            document["components"]["securitySchemes"][scheme]["scheme"],
            "bearer"
        );
    }

    // Each documented route is answered by its own handler, not by the fallback for unknown routes.
    for route in ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let path = ["{id}", "{button}", "{review}"]
            .iter()
            .fold(path.to_owned(), |path, name| {
                path.replace(name, &uuid::Uuid::now_v7().to_string())
            });
        let response = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", app.address),
            )
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{route}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(body["code"], "not_found", "{route} is not served");
    }
}

#[tokio::test]
async fn the_api_page_is_served_without_any_outside_resource() {
    let app = spawn_app().await;
    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let response = app.get(&format!("/api/docs/{asset}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
    let initializer = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("/api/v1/openapi.json"),
        "{initializer}"
    );
}

/// What every operation shares is in the document: problems under their own media type, the
/// answers to a bad body, and those to a bad or overused key.
#[tokio::test]
async fn every_operation_documents_the_framework_answers_it_can_give() {
    let app = spawn_app().await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let problem = "#/components/schemas/Problem";
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let route = format!("{} {path}", method.to_uppercase());
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                for (media_type, content) in response["content"].as_object().into_iter().flatten() {
                    if content["schema"]["$ref"] == problem {
                        assert_eq!(media_type, "application/problem+json", "{route} {status}");
                    }
                }
            }
            let has = |status: &str| responses.contains_key(status);
            let body = operation["requestBody"]["content"].as_object();
            if body.is_some_and(|types| types.keys().any(|t| t == "application/json")) {
                for status in ["400", "413", "415"] {
                    assert!(has(status), "{route} does not document {status}");
                }
            }
            let keyed = operation["security"]
                .as_array()
                .is_some_and(|all| all.iter().any(|r| r.get("api_key").is_some()));
            if keyed {
                for status in ["401", "429"] {
                    assert!(has(status), "{route} does not document {status}");
                }
            }
        }
    }
    let reviews = &document["paths"]["/api/v1/reviews"]["post"]["responses"];
    for status in ["429", "503"] {
        assert_eq!(
            reviews[status]["content"]["application/problem+json"]["schema"]["$ref"],
            problem
        );
    }
}
