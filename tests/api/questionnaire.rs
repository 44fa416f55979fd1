//! `GET /api/v1/buttons/{id}/questionnaire`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn the_questionnaire_is_french_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let button = app.button().await;
    let path = format!("/api/v1/buttons/{}/questionnaire", button.id);

    let french: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(french["lang"], "fr");
    assert_eq!(french["version"], 1);
    assert_eq!(french["questions"][0]["code"], "satisfaction");
    assert_eq!(
        french["questions"][0]["label"],
        "De façon générale, comment ça s'est passé ?"
    );
    assert_eq!(
        french["questions"][0]["options"][2],
        json!({"value": "good", "label": "Très bien"})
    );

    let english: Value = app
        .get(&format!("{path}?lang=en"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(english["lang"], "en");
    assert_eq!(english["questions"][0]["label"], "Overall, how did it go?");

    let negotiated = app
        .client
        .get(format!("{}{path}", app.address))
        .header("Accept-Language", "de-DE, en-GB;q=0.8, fr;q=0.5")
        .send()
        .await
        .unwrap();
    let negotiated: Value = negotiated.json().await.unwrap();
    assert_eq!(negotiated["lang"], "en");

    let codes: Vec<&str> = french["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "satisfaction",
            "comprehension",
            "contact_tried",
            "contact_tried_other",
            "contact_reached",
            "contact_satisfaction",
            "verbatim"
        ]
    );
}

#[tokio::test]
async fn every_option_the_questionnaire_lists_is_accepted() {
    let app = spawn_app().await;
    let button = app.button().await;
    let questionnaire: Value = app
        .get(&format!("/api/v1/buttons/{}/questionnaire", button.id))
        .await
        .json()
        .await
        .unwrap();
    for option in questionnaire["questions"][0]["options"].as_array().unwrap() {
        app.rate(&button, option["value"].as_str().unwrap()).await;
    }
    let (id, token) = app.rate(&button, "good").await;
    for option in questionnaire["questions"][1]["options"].as_array().unwrap() {
        let value: u8 = option["value"].as_str().unwrap().parse().unwrap();
        let response = app
            .patch_review(
                &id,
                Some(&token),
                &json!({"answers": {"comprehension": value}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn unknown_closed_or_unsupported_requests_are_explained() {
    let app = spawn_app().await;
    let button = app.button().await;
    let path = format!("/api/v1/buttons/{}/questionnaire", button.id);
    assert_problem(
        app.get(&format!("{path}?lang=de")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    )
    .await;
    let unknown = format!("/api/v1/buttons/{}/questionnaire", uuid::Uuid::now_v7());
    assert_problem(
        app.get(&unknown).await,
        StatusCode::NOT_FOUND,
        "button_not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/buttons/zzz/questionnaire").await,
        StatusCode::NOT_FOUND,
        "button_not_found",
    )
    .await;
    app.store.close_button(button.id).await.unwrap();
    assert_problem(app.get(&path).await, StatusCode::GONE, "button_closed").await;
}
