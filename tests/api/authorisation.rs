//! Every protected endpoint against every kind of caller that should be turned away.

use avis::domain::catalog::{Name, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

struct Endpoint {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Whether an `indicators:read` key may call it.
    readers_too: bool,
}

async fn call(app: &TestApp, endpoint: &Endpoint, key: Option<&str>) -> reqwest::Response {
    let mut request = app.client.request(
        endpoint.method.clone(),
        format!("{}{}", app.address, endpoint.path),
    );
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = &endpoint.body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// The protected endpoints, aimed at objects of organisation A (`button` is A's).
fn endpoints(
    app_button: &avis::store::catalog::Button,
    organisation: uuid::Uuid,
    key_id: uuid::Uuid,
    review: uuid::Uuid,
    webhook: uuid::Uuid,
) -> Vec<Endpoint> {
    let (procedure, button) = (app_button.procedure_id, app_button.id);
    let e = |method: Method, path: String, body: Option<Value>, readers_too: bool| Endpoint {
        method,
        path,
        body,
        readers_too,
    };
    vec![
        e(Method::GET, "/api/v1/indicators".into(), None, true),
        e(
            Method::GET,
            format!("/api/v1/procedures/{procedure}/indicators"),
            None,
            true,
        ),
        e(
            Method::GET,
            format!("/api/v1/procedures/{procedure}/indicators/series"),
            None,
            true,
        ),
        e(Method::GET, "/api/v1/organisations".into(), None, false),
        e(
            Method::POST,
            "/api/v1/organisations".into(),
            Some(json!({"name": "Nouvelle"})),
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/organisations/{organisation}"),
            None,
            false,
        ),
        e(
            Method::PATCH,
            format!("/api/v1/organisations/{organisation}"),
            Some(json!({"name": "Renommée"})),
            false,
        ),
        e(Method::GET, "/api/v1/procedures".into(), None, false),
        e(
            Method::POST,
            "/api/v1/procedures".into(),
            Some(json!({"organisation_id": organisation, "title": "T"})),
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/procedures/{procedure}"),
            None,
            false,
        ),
        e(
            Method::PATCH,
            format!("/api/v1/procedures/{procedure}"),
            Some(json!({"is_public": true})),
            false,
        ),
        e(Method::GET, "/api/v1/buttons".into(), None, false),
        e(
            Method::POST,
            "/api/v1/buttons".into(),
            Some(json!({"procedure_id": procedure, "label": "B"})),
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/buttons/{button}"),
            None,
            false,
        ),
        e(
            Method::PATCH,
            format!("/api/v1/buttons/{button}"),
            Some(json!({"closed": true})),
            false,
        ),
        e(Method::GET, "/api/v1/keys".into(), None, false),
        e(
            Method::POST,
            "/api/v1/keys".into(),
            Some(json!({"scope": "admin", "organisation_id": organisation})),
            false,
        ),
        e(
            Method::DELETE,
            format!("/api/v1/keys/{key_id}"),
            None,
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/reviews/{review}"),
            None,
            false,
        ),
        e(Method::GET, "/api/v1/reviews".into(), None, false),
        e(
            Method::POST,
            format!("/api/v1/reviews/{review}/exclude"),
            Some(json!({"reason": "spam"})),
            false,
        ),
        e(
            Method::POST,
            format!("/api/v1/reviews/{review}/restore"),
            Some(json!({"reason": "ok"})),
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/reviews/{review}/audit"),
            None,
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/reviews/{review}/contact"),
            None,
            false,
        ),
        e(Method::GET, "/api/v1/webhooks".into(), None, false),
        e(
            Method::POST,
            "/api/v1/webhooks".into(),
            Some(
                json!({"url": "https://hooks.example.org/", "events": ["review.created"], "organisation": organisation}),
            ),
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/webhooks/{webhook}"),
            None,
            false,
        ),
        e(
            Method::PATCH,
            format!("/api/v1/webhooks/{webhook}"),
            Some(json!({"enabled": false})),
            false,
        ),
        e(
            Method::DELETE,
            format!("/api/v1/webhooks/{webhook}"),
            None,
            false,
        ),
        e(
            Method::GET,
            format!("/api/v1/webhooks/{webhook}/deliveries"),
            None,
            false,
        ),
        e(
            Method::POST,
            format!("/api/v1/webhooks/{webhook}/deliveries/{review}/replay"),
            None,
            false,
        ),
    ]
}

#[tokio::test]
async fn every_protected_endpoint_turns_away_whoever_may_not_call_it() {
    let app = spawn_app().await;
    let theirs = app.button().await;
    let organisation_a = app
        .store
        .find_procedure(theirs.procedure_id)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let a_key = app
        .store
        .create_api_key(Scope::IndicatorsRead, Some(organisation_a))
        .await
        .unwrap();
    let organisation_b = app
        .store
        .create_organisation(&Name::parse("Organisation B").unwrap())
        .await
        .unwrap()
        .id;
    let revoked = app.store.create_api_key(Scope::Admin, None).await.unwrap();
    app.store.revoke_api_key(revoked.key.id).await.unwrap();
    let reader = app.key(Scope::IndicatorsRead, None).await;
    let admin_of_b = app.key(Scope::Admin, Some(organisation_b)).await;
    let reader_of_b = app.key(Scope::IndicatorsRead, Some(organisation_b)).await;

    let review = app
        .review_at(
            &theirs,
            "2026-11-01T10:00:00Z",
            &crate::helpers::rated(avis::domain::answers::Satisfaction::Good),
        )
        .await;
    let (webhook, _) = app
        .store
        .create_webhook(
            organisation_a,
            None,
            "https://hooks.example.org/avis",
            &[avis::domain::webhooks::Event::ReviewCreated],
        )
        .await
        .unwrap();
    for endpoint in endpoints(&theirs, organisation_a, a_key.key.id, review, webhook.id) {
        let label = format!("{} {}", endpoint.method, endpoint.path);
        assert_problem(
            call(&app, &endpoint, None).await,
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
        )
        .await;
        assert_problem(
            call(&app, &endpoint, Some("avis_unknown")).await,
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        )
        .await;
        assert_problem(
            call(&app, &endpoint, Some(&revoked.secret)).await,
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        )
        .await;
        if !endpoint.readers_too {
            assert_problem(
                call(&app, &endpoint, Some(&reader)).await,
                StatusCode::FORBIDDEN,
                "insufficient_scope",
            )
            .await;
        }
        let outsider = if endpoint.readers_too {
            &reader_of_b
        } else {
            &admin_of_b
        };
        let response = call(&app, &endpoint, Some(outsider)).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        let listing = [
            "indicators",
            "organisations",
            "procedures",
            "buttons",
            "keys",
            "reviews",
            "webhooks",
        ]
        .iter()
        .any(|list| endpoint.path == format!("/api/v1/{list}"));
        match (endpoint.method.as_str(), listing) {
            ("GET", true) => {
                assert_eq!(status, StatusCode::OK, "{label}");
                for hidden in [
                    organisation_a,
                    theirs.procedure_id,
                    theirs.id,
                    a_key.key.id,
                    review,
                    webhook.id,
                ] {
                    assert!(
                        !text.contains(&hidden.to_string()),
                        "{label} leaks {hidden}: {text}"
                    );
                }
            }
            ("POST", _) if endpoint.path.ends_with("/organisations") => {
                assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
            }
            _ => assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {text}"),
        }
    }
    // Nothing above changed A's objects.
    let procedure = app
        .store
        .find_procedure(theirs.procedure_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!procedure.is_public);
    assert!(
        app.store
            .find_button(theirs.id)
            .await
            .unwrap()
            .unwrap()
            .is_open
    );
    let keys = app.store.list_api_keys().await.unwrap();
    assert!(
        keys.iter()
            .find(|k| k.id == a_key.key.id)
            .unwrap()
            .revoked_at
            .is_none()
    );
    let kept = app.store.find_webhook(webhook.id).await.unwrap().unwrap();
    assert!(kept.enabled);
}

#[tokio::test]
async fn a_key_limited_to_an_organisation_works_within_it() {
    let app = spawn_app().await;
    let mine = app.button().await;
    let organisation = app
        .store
        .find_procedure(mine.procedure_id)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let admin = app.key(Scope::Admin, Some(organisation)).await;
    let reader = app.key(Scope::IndicatorsRead, Some(organisation)).await;
    let procedure = mine.procedure_id;
    for (key, path) in [
        (
            &reader,
            format!("/api/v1/procedures/{procedure}/indicators"),
        ),
        (&admin, format!("/api/v1/procedures/{procedure}")),
        (&admin, format!("/api/v1/buttons/{}", mine.id)),
        (&admin, format!("/api/v1/organisations/{organisation}")),
    ] {
        assert_eq!(
            app.get_with(&path, key).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let listed: Value = app
        .get_with("/api/v1/indicators", &reader)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["procedures"].as_array().unwrap().len(), 1);
    let created = app
        .client
        .post(format!("{}/api/v1/keys", app.address))
        .bearer_auth(&admin)
        .json(&json!({"scope": "indicators:read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["organisation_id"], organisation.to_string());
}
