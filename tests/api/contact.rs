//! Contact email addresses: offered by a button, left with consent, kept apart, deleted after
//! their retention.

use avis::domain::catalog::Scope;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, error_fields, spawn_app};

async fn offering(app: &TestApp) -> (avis::store::catalog::Button, String) {
    let mut button = app.button().await;
    let key = app.key(Scope::Admin, None).await;
    let changed = app
        .client
        .patch(format!("{}/api/v1/buttons/{}", app.address, button.id))
        .bearer_auth(&key)
        .json(&json!({"asks_contact_email": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.json::<Value>().await.unwrap()["asks_contact_email"],
        true
    );
    button.asks_contact_email = true;
    (button, key)
}

#[tokio::test]
async fn an_address_is_kept_apart_only_with_consent_and_only_where_offered() {
    let app = spawn_app().await;
    let (button, key) = offering(&app).await;
    let questionnaire: Value = app
        .get(&format!("/api/v1/buttons/{}/questionnaire", button.id))
        .await
        .json()
        .await
        .unwrap();
    let last = questionnaire["questions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["code"], "contact_email");
    assert!(last["consent"].as_str().unwrap().contains("recontacté"));

    let without = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "bad", "contact_email": "jean@exemple.fr"}}))
        .await;
    let problem = assert_problem(without, StatusCode::UNPROCESSABLE_ENTITY, "invalid_answer").await;
    assert_eq!(error_fields(&problem), ["answers.contact_consent"]);
    let invalid = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "bad", "contact_email": "jean at exemple", "contact_consent": true}}))
        .await;
    assert_problem(invalid, StatusCode::UNPROCESSABLE_ENTITY, "invalid_answer").await;

    let created = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "bad", "contact_email": "jean@exemple.fr", "contact_consent": true}}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let review = app
        .get_with(&format!("/api/v1/reviews/{id}"), &key)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !review.contains("jean@exemple.fr"),
        "the address is not among the answers: {review}"
    );
    let contact: Value = app
        .get_with(&format!("/api/v1/reviews/{id}/contact"), &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contact["email"], "jean@exemple.fr");

    let token = created["edit_token"].as_str().unwrap();
    let cleared = app
        .patch_review(
            id,
            Some(token),
            &json!({"answers": {"contact_email": null}}),
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let gone = app
        .get_with(&format!("/api/v1/reviews/{id}/contact"), &key)
        .await;
    assert_problem(gone, StatusCode::NOT_FOUND, "contact_not_found").await;
}

#[tokio::test]
async fn addresses_are_deleted_after_their_retention() {
    let app = spawn_app().await;
    let (button, key) = offering(&app).await;
    let (id, token) = app.rate(&button, "good").await;
    let left = app
        .patch_review(
            &id,
            Some(&token),
            &json!({"answers": {"contact_email": "marie@exemple.fr", "contact_consent": true}}),
        )
        .await;
    assert_eq!(left.status(), StatusCode::OK);
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * 181))
        .unwrap();
    assert_eq!(
        app.store
            .purge(jiff::Timestamp::now(), 730)
            .await
            .unwrap()
            .contacts,
        0
    );
    assert_eq!(app.store.purge(later, 730).await.unwrap().contacts, 1);
    let gone = app
        .get_with(&format!("/api/v1/reviews/{id}/contact"), &key)
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_hosted_questionnaire_keeps_an_address_only_when_the_box_is_ticked() {
    let app = spawn_app().await;
    let (button, key) = offering(&app).await;
    let client = crate::helpers::http_client()
        .redirect(Policy::none())
        .build()
        .unwrap();
    for (ticked, kept) in [(true, true), (false, false)] {
        let (id, token) = app.rate(&button, "medium").await;
        let page = app
            .get(&format!("/f/{}/{id}?step=4&t={token}", button.id))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("name=\"contact_email\"") && page.contains("name=\"contact_consent\"")
        );
        let mut form =
            format!("t={token}&step=4&lang=fr&action=send&contact_email=paul%40exemple.fr");
        if ticked {
            form.push_str("&contact_consent=yes");
        }
        let sent = client
            .post(format!("{}/f/{}/{id}", app.address, button.id))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let location = sent.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location.contains("email=skipped"), !kept);
        let thanks = app.get(&location).await.text().await.unwrap();
        assert_eq!(thanks.contains("n'a pas été enregistrée"), !kept);
        let contact = app
            .get_with(&format!("/api/v1/reviews/{id}/contact"), &key)
            .await;
        assert_eq!(contact.status() == StatusCode::OK, kept);
    }
}
