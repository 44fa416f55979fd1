//! The incumbent's statistics for administrations' scripts, `POST /api/open-api/statistiques`:
//! who may ask for what, refused requests, and the answer's shape; `counts` checks its figures
//! against the reviews sent.

mod counts;

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::observatory::store_review;
use super::reference::Row;
use super::{product, spawn_compat};
use crate::helpers::{TestApp, assert_problem};

pub async fn statistiques(app: &TestApp, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/open-api/statistiques", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

fn millis(raw: &str) -> i64 {
    raw.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn satisfied(at: &str) -> Row {
    Row {
        button: 0,
        at: millis(at),
        answers: Answers {
            satisfaction: Some(Satisfaction::Good),
            ..Answers::default()
        },
        counts: true,
        beside: false,
    }
}

/// The field a 422 names, and its message.
async fn refused(response: reqwest::Response) -> (String, String) {
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    )
    .await;
    let error = &problem["errors"][0];
    (
        error["field"].as_str().unwrap().to_owned(),
        error["message"].as_str().unwrap().to_owned(),
    )
}

const JANUARY: (&str, &str) = ("2025-01-01", "2025-01-31");

fn january(product_ids: &[i64]) -> Value {
    json!({"start_date": JANUARY.0, "end_date": JANUARY.1, "product_ids": product_ids})
}

fn products_of(body: &Value) -> Vec<&str> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn statistiques_needs_an_avis_key() {
    let app = spawn_compat().await;
    let body = january(&[1]);
    assert_problem(
        statistiques(&app, None, &body).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    assert_problem(
        statistiques(&app, Some("avis_not-a-key"), &body).await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
}

#[tokio::test]
async fn a_key_of_one_organisation_counts_its_own_products_only() {
    let app = spawn_compat().await;
    let (own, own_buttons) = product(&app, 1, false, &[(10, None, false, false)]).await;
    let (_, other_buttons) = product(&app, 2, true, &[(20, None, false, false)]).await;
    store_review(&app, &own_buttons[0], &satisfied("2025-01-10T10:00:00Z")).await;
    store_review(&app, &other_buttons[0], &satisfied("2025-01-10T10:00:00Z")).await;
    let organisation = app
        .store
        .find_procedure(own)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let limited = app.key(Scope::IndicatorsRead, Some(organisation)).await;
    for asked in [vec![2], vec![1, 2]] {
        let (field, message) =
            refused(statistiques(&app, Some(&limited), &january(&asked)).await).await;
        assert_eq!(field, "product_ids");
        assert!(message.ends_with("product id 2"), "{message}");
    }
    // Another organisation's product reads as one never imported.
    let (_, unknown) = refused(statistiques(&app, Some(&limited), &january(&[999])).await).await;
    assert!(unknown.ends_with("product id 999"), "{unknown}");
    for asked in [vec![], vec![1]] {
        let response = statistiques(&app, Some(&limited), &january(&asked)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(products_of(&body), vec!["1"], "{asked:?}");
    }
    let every = app.key(Scope::IndicatorsRead, None).await;
    let response = statistiques(&app, Some(&every), &january(&[2, 1])).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(products_of(&body), vec!["2", "1"]);
    let (field, _) = refused(statistiques(&app, Some(&every), &january(&[])).await).await;
    assert_eq!(
        field, "product_ids",
        "a key for everyone must name its products"
    );
}

#[tokio::test]
async fn bad_requests_are_refused_naming_the_field() {
    let app = spawn_compat().await;
    product(&app, 1, false, &[]).await;
    let key = app.key(Scope::Admin, None).await;
    let eleven: Vec<i64> = (1..=11).collect();
    let within = |more: Value| {
        let mut body =
            json!({"start_date": "2025-01-01", "end_date": "2025-01-31", "product_ids": [1]});
        for (name, value) in more.as_object().unwrap() {
            body[name] = value.clone();
        }
        body
    };
    for (body, field, words) in [
        (
            json!({"end_date": "2025-01-31", "product_ids": [1]}),
            "body",
            "start_date",
        ),
        (within(json!({"start_date": "hier"})), "start_date", "hier"),
        (
            within(json!({"end_date": "2025-02-30"})),
            "end_date",
            "2025-02-30",
        ),
        (within(json!({"interval": "hour"})), "interval", "hour"),
        (
            within(json!({"product_ids": ["1"]})),
            "product_ids[0]",
            "i64",
        ),
        (
            within(json!({"product_ids": [1.5]})),
            "product_ids[0]",
            "i64",
        ),
        (
            within(json!({"field_codes": null})),
            "field_codes",
            "sequence",
        ),
        (
            within(json!({"product_ids": eleven})),
            "product_ids",
            "at most 10",
        ),
        (within(json!({"form_ids": [4]})), "form_ids", "forms"),
    ] {
        let (named, message) = refused(statistiques(&app, Some(&key), &body).await).await;
        assert_eq!(named, field, "{body}: {message}");
        assert!(message.contains(words), "{body}: {message}");
    }
    let not_json = app
        .client
        .post(format!("{}/api/open-api/statistiques", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(not_json, StatusCode::BAD_REQUEST, "invalid_json").await;
    // Ten products at most, counted once each.
    let again = statistiques(&app, Some(&key), &january(&[1; 11])).await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_answer_has_the_incumbent_s_shape_and_labels() {
    let app = spawn_compat().await;
    let (_, buttons) = product(&app, 3977, false, &[(4400, None, false, false)]).await;
    let five = Score::try_from(5).unwrap();
    let mut helped = satisfied("2025-01-06T10:00:00Z");
    helped.answers.comprehension = Some(Score::try_from(4).unwrap());
    helped.answers.contact_tried = Some([Channel::Phone, Channel::Internet].into());
    helped.answers.contact_reached = Some([(Channel::Phone, Reached::Yes)].into());
    helped.answers.contact_satisfaction = Some([(Channel::Phone, five)].into());
    let mut alone = satisfied("2025-01-06T11:00:00Z");
    alone.answers.satisfaction = Some(Satisfaction::Bad);
    alone.answers.contact_tried = Some([Channel::None].into());
    for row in [&helped, &alone] {
        store_review(&app, &buttons[0], row).await;
    }
    let key = app.key(Scope::IndicatorsRead, None).await;
    let response = statistiques(&app, Some(&key), &january(&[3977])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let reached =
        "Quand vous avez cherché de l'aide, avez-vous réussi à joindre l'administration ?";
    let rated = "Comment évaluez-vous la qualité de l'aide que vous avez obtenue de la part de l'administration ?";
    let yes = json!({"intention": "good", "label": "Oui", "count": 1});
    let excellent = json!({"intention": "very_good", "label": "Excellente", "count": 1});
    let expected = json!({"data": [{
        "product_id": "3977",
        "product_name": "Démarche 3977",
        "forms": [{"form_id": "", "form_name": "", "intervals": [{
            "date": "all_time",
            "length_interval": "none",
            "data": [
                {"category": "contact_reached", "label": reached, "number_hits": [yes]},
                {"category": "satisfaction", "label": "De façon générale, comment ça s’est passé ?", "number_hits": [
                    {"intention": "bad", "label": "Pas bien", "count": 1},
                    {"intention": "good", "label": "Très bien", "count": 1},
                ]},
                {"category": "comprehension", "label": "Qu'avez-vous pensé des informations et des instructions fournies ?", "number_hits": [
                    {"intention": "good", "label": "4", "count": 1},
                ]},
                {"category": "contact_tried", "label": "Durant votre parcours, avez-vous tenté d’obtenir de l’aide par l’un des moyens suivants ?", "number_hits": [
                    {"intention": "neutral", "label": "Par téléphone avec l’administration", "count": 1, "children": [
                        {"category": "contact_reached", "label": reached, "number_hits": [yes]},
                        {"category": "contact_satisfaction", "label": rated, "number_hits": [excellent]},
                    ]},
                    {"intention": "neutral", "label": "Des sites internet", "count": 1},
                    {"intention": "good", "label": "Je n'ai pas eu besoin d'aide", "count": 1},
                ]},
                {"category": "contact_satisfaction", "label": rated, "number_hits": [excellent]},
            ],
        }]}],
    }]});
    assert_eq!(body, expected);

    let only = json!({"start_date": "2025-01-06", "end_date": "2025-01-06", "product_ids": [3977],
        "field_codes": ["satisfaction", "easy", "unknown"], "interval": "day"});
    let body: Value = statistiques(&app, Some(&key), &only)
        .await
        .json()
        .await
        .unwrap();
    let interval = &body["data"][0]["forms"][0]["intervals"][0];
    assert_eq!(interval["date"], "2025-01-06T00:00:00.000+01:00");
    assert_eq!(interval["length_interval"], "day");
    assert_eq!(interval["data"].as_array().unwrap().len(), 1);
    assert_eq!(interval["data"][0]["category"], "satisfaction");
    // A question avis does not count is answered as one nobody answered; so is a window
    // without reviews.
    for (field_codes, window) in [
        (json!(["easy"]), JANUARY),
        (json!([]), ("2025-02-01", "2025-02-28")),
    ] {
        let body = json!({"start_date": window.0, "end_date": window.1, "product_ids": [3977], "field_codes": field_codes});
        let answer: Value = statistiques(&app, Some(&key), &body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(answer, json!({"data": []}), "{body}");
    }
}
