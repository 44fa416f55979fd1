//! Proof of work: a button under attack takes new reviews only with a solved ALTCHA challenge,
//! each challenge once; other buttons and the hosted questionnaire are not concerned.

use altcha::{Challenge, Payload, SolveChallengeOptions};
use avis::startup::Options;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

const ORIGIN: &str = "https://www.example.gouv.fr";

/// Cheap challenges: the tests check the protocol, not the cost.
async fn spawn() -> TestApp {
    spawn_app_with(Options {
        proof_of_work_cost: 20,
        ..Options::default()
    })
    .await
}

async fn guarded(app: &TestApp) -> avis::store::catalog::Button {
    let mut button = app.button().await;
    button.requires_proof_of_work = true;
    app.store.save_button(&button).await.unwrap();
    button
}

async fn fetch_challenge(app: &TestApp, button: uuid::Uuid) -> Challenge {
    let response = app
        .client
        .get(format!("{}/api/v1/buttons/{button}/challenge", app.address))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

fn solved(challenge: &Challenge) -> String {
    let solution = altcha::solve_challenge(SolveChallengeOptions::new(challenge))
        .unwrap()
        .expect("solved within the timeout");
    let payload = Payload {
        challenge: challenge.clone(),
        solution,
    };
    STANDARD.encode(serde_json::to_vec(&payload).unwrap())
}

fn review(button: uuid::Uuid, proof: Option<&str>) -> Value {
    let mut body = json!({"button_id": button, "answers": {"satisfaction": "good"}});
    if let Some(proof) = proof {
        body["altcha"] = proof.into();
    }
    body
}

#[tokio::test]
async fn a_guarded_button_takes_a_review_only_with_a_fresh_solved_challenge() {
    let app = spawn().await;
    let button = guarded(&app).await;

    let bare = app.post_review(&review(button.id, None)).await;
    assert_problem(bare, StatusCode::FORBIDDEN, "proof_of_work_required").await;
    for junk in [json!("not base64"), json!(42), json!({"counter": 1})] {
        let mut body = review(button.id, None);
        body["altcha"] = junk;
        let refused = app.post_review(&body).await;
        assert_problem(refused, StatusCode::FORBIDDEN, "proof_of_work_refused").await;
    }

    let issued = fetch_challenge(&app, button.id).await;
    assert_eq!(issued.parameters.algorithm, "PBKDF2/SHA-256");
    assert_eq!(issued.parameters.cost, 20);
    let proof = solved(&issued);
    let created = app.post_review(&review(button.id, Some(&proof))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let replayed = app.post_review(&review(button.id, Some(&proof))).await;
    let problem = assert_problem(replayed, StatusCode::FORBIDDEN, "proof_of_work_refused").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{problem}"
    );

    // A challenge solved for another button, or made easier, does not pass.
    let other = guarded(&app).await;
    let elsewhere = solved(&fetch_challenge(&app, other.id).await);
    let moved = app.post_review(&review(button.id, Some(&elsewhere))).await;
    assert_problem(moved, StatusCode::FORBIDDEN, "proof_of_work_refused").await;
    let mut easier = fetch_challenge(&app, button.id).await;
    easier.parameters.key_prefix = String::new();
    let tampered = app
        .post_review(&review(button.id, Some(&solved(&easier))))
        .await;
    let problem = assert_problem(tampered, StatusCode::FORBIDDEN, "proof_of_work_refused").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("not signed"),
        "{problem}"
    );

    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("satisfaction=good", 1)]),
        "only the review with a fresh proof counts"
    );

    // Amending the review needs its edit token, not another proof.
    let token = created.json::<Value>().await.unwrap();
    let amended = app
        .patch_review(
            token["id"].as_str().unwrap(),
            token["edit_token"].as_str(),
            &json!({"answers": {"comprehension": 4}}),
        )
        .await;
    assert_eq!(amended.status(), StatusCode::OK);
}

#[tokio::test]
async fn buttons_switch_proof_of_work_on_and_off_through_the_administration_api() {
    let app = spawn().await;
    let button = app.button().await;
    let key = app.key(avis::domain::catalog::Scope::Admin, None).await;
    assert_eq!(
        app.post_review(&review(button.id, None)).await.status(),
        StatusCode::CREATED,
        "off by default"
    );
    let switch = |on: bool| {
        app.client
            .patch(format!("{}/api/v1/buttons/{}", app.address, button.id))
            .bearer_auth(&key)
            .json(&json!({"requires_proof_of_work": on}))
            .send()
    };
    let changed: Value = switch(true).await.unwrap().json().await.unwrap();
    assert_eq!(changed["requires_proof_of_work"], true);
    let refused = app.post_review(&review(button.id, None)).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "proof_of_work_required").await;
    switch(false).await.unwrap();
    assert_eq!(
        app.post_review(&review(button.id, None)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn challenges_follow_the_buttons_rules() {
    let app = spawn().await;
    let button = guarded(&app).await;
    let from = |origin: &'static str, id: String| {
        app.client
            .get(format!("{}/api/v1/buttons/{id}/challenge", app.address))
            .header("Origin", origin)
            .send()
    };
    let foreign = from("https://evil.example", button.id.to_string())
        .await
        .unwrap();
    assert_problem(foreign, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let unknown = from(ORIGIN, uuid::Uuid::now_v7().to_string())
        .await
        .unwrap();
    assert_problem(unknown, StatusCode::NOT_FOUND, "button_not_found").await;
    let garbage = from(ORIGIN, "not-an-id".into()).await.unwrap();
    assert_problem(garbage, StatusCode::NOT_FOUND, "button_not_found").await;
    app.store.close_button(button.id).await.unwrap();
    let closed = from(ORIGIN, button.id.to_string()).await.unwrap();
    assert_problem(closed, StatusCode::GONE, "button_closed").await;
}

#[tokio::test]
async fn the_hosted_questionnaire_keeps_working_on_a_guarded_button() {
    // Its forms carry a signed token and work without JavaScript, so they cannot solve a
    // challenge; the per-address limit still applies to them.
    let app = spawn().await;
    let button = guarded(&app).await;
    let html = app
        .get(&format!("/f/{}", button.id))
        .await
        .text()
        .await
        .unwrap();
    let token = html
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let client = crate::helpers::http_client()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let posted = client
        .post(format!("{}/f/{}", app.address, button.id))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("form_token={token}&satisfaction=bad&lang=fr"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("satisfaction=bad", 1)])
    );
}
