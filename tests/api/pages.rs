//! What browsers fetch outside the JSON API: the widget files, cross-origin rules, the hosted
//! questionnaire and the button image.

use avis::domain::catalog::Scope;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

const ALLOWED: &str = "https://www.example.gouv.fr";

#[tokio::test]
async fn the_widget_is_served_with_a_validator_and_revalidates() {
    let app = spawn_app().await;
    for path in ["/widget.js", "/widget-steps.js", "/widget-proof.js"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert!(response.text().await.unwrap().contains("JeDonneMonAvis"));
        let again = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
}

#[tokio::test]
async fn only_a_button_s_allowed_origins_may_use_it_from_a_browser() {
    let app = spawn_app().await;
    let button = app.button().await;
    let body = json!({"button_id": button.id, "answers": {"satisfaction": "good"}});
    let post = |origin: &'static str| {
        app.client
            .post(format!("{}/api/v1/reviews", app.address))
            .header("Origin", origin)
            .header("Content-Type", "text/plain")
            .body(body.to_string())
            .send()
    };
    let refused = post("https://evil.example.com").await.unwrap();
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "https://evil.example.com"
    );
    assert_problem(refused, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    assert!(app.counters(&button).await.is_empty());

    let accepted = post(ALLOWED).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert_eq!(accepted.headers()["access-control-allow-origin"], ALLOWED);
    assert_eq!(accepted.headers()["vary"], "Origin");
    let created: Value = accepted.json().await.unwrap();
    let id = created["id"].as_str().unwrap();

    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/reviews/{id}", app.address),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PATCH")
            .send()
    };
    let allowed = preflight(ALLOWED).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()["access-control-allow-origin"], ALLOWED);
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    assert_problem(
        preflight("https://evil.example.com").await.unwrap(),
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
    )
    .await;

    let patch = |origin: &'static str| {
        app.client
            .patch(format!("{}/api/v1/reviews/{id}", app.address))
            .header("Origin", origin)
            .bearer_auth(created["edit_token"].as_str().unwrap())
            .body(json!({"answers": {"comprehension": 5}}).to_string())
            .send()
    };
    assert_problem(
        patch("https://evil.example.com").await.unwrap(),
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
    )
    .await;
    let amended = patch(ALLOWED).await.unwrap();
    assert_eq!(amended.status(), StatusCode::OK);
    assert_eq!(amended.headers()["access-control-allow-origin"], ALLOWED);
}

#[tokio::test]
async fn the_admin_api_gives_the_three_embed_snippets() {
    let app = spawn_app().await;
    let button = app.button().await;
    let key = app.key(Scope::Admin, None).await;
    let view: Value = app
        .get_with(&format!("/api/v1/buttons/{}", button.id), &key)
        .await
        .json()
        .await
        .unwrap();
    let embed = &view["embed"];
    let id = button.id.to_string();
    assert_eq!(embed["link"], format!("{}/f/{id}", app.address));
    assert!(
        embed["script"]
            .as_str()
            .unwrap()
            .contains(&format!("{}/widget.js\" data-button=\"{id}\"", app.address))
    );
    assert!(
        embed["button"]
            .as_str()
            .unwrap()
            .contains(&format!("/buttons/{id}.svg"))
    );
    assert!(embed["integrity"].as_str().unwrap().starts_with("sha384-"));
    let image = app.get(&format!("/buttons/{id}.svg?theme=dark")).await;
    assert_eq!(
        image.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(image.text().await.unwrap().contains("Je donne mon avis"));
    assert_problem(
        app.get(&format!("/buttons/{}.svg", uuid::Uuid::now_v7()))
            .await,
        StatusCode::NOT_FOUND,
        "button_not_found",
    )
    .await;
}

#[tokio::test]
async fn the_hosted_questionnaire_checks_its_tokens() {
    let app = spawn_app().await;
    let button = app.button().await;
    let client = crate::helpers::http_client()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = app.get(&format!("/f/{}", button.id)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"));
    let token = html
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let post = |body: String| {
        client
            .post(format!("{}/f/{}", app.address, button.id))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(
        post("satisfaction=good".into()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(format!("form_token={token}")).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let created = post(format!("form_token={token}&satisfaction=good&lang=fr"))
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let next = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(next.contains("step=2"), "{next}");
    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("satisfaction=good", 1)])
    );
    assert_eq!(app.get(&next).await.status(), StatusCode::OK);
    let forged = next.split("&t=").next().unwrap().to_owned() + "&t=wrong";
    assert_eq!(app.get(&forged).await.status(), StatusCode::FORBIDDEN);

    app.store.close_button(button.id).await.unwrap();
    assert_eq!(
        app.get(&format!("/f/{}", button.id)).await.status(),
        StatusCode::GONE
    );
}
