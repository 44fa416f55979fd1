//! The observatory's pull: the incumbent's figures for random reviews and windows, reviews sent
//! to avis after the cut-over, and the incumbent's errors.

use avis::domain::answers::{Answers, Channel, Satisfaction};
use avis::domain::catalog::{Name, Scope, Tag};
use avis::domain::observatory::Form;
use avis::store::catalog::NewButton;
use avis::store::legacy::LegacyButton;
use avis::store::legacy_forms::LegacyForm;
use avis::store::reviews::NewReview;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::reference::{Row, random_answers, reference};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Imported, product, spawn_compat};
use crate::helpers::{TestApp, UNSCREENED};

fn millis(raw: &str) -> i64 {
    raw.parse::<Timestamp>().unwrap().as_millisecond()
}

/// Stores `row` as a review of `button` with a legacy id (returned), kept out of the figures
/// unless it counts; one with « Je n'ai pas eu besoin d'aide » beside its channels noted as the
/// import does.
pub(super) async fn store_review(app: &TestApp, button: &Imported, row: &Row) -> i64 {
    static LEGACY: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let legacy = LEGACY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let at = Timestamp::from_millisecond(row.at).unwrap();
    let review = NewReview {
        id: Uuid::now_v7(),
        button_id: button.id,
        procedure_id: button.procedure,
        answers: row.answers.clone(),
        edit_token_hash: "unused".to_owned(),
        edit_token_expires_at: at,
        created_at: at,
        redactions: 0,
        fingerprint: None,
        excluded_reason: (!row.counts).then_some("duplicate"),
        legacy_id: Some(legacy),
    };
    app.store.create_review(&review, &UNSCREENED).await.unwrap();
    if row.beside {
        app.store.note_legacy_autonomous(&[legacy]).await.unwrap();
    }
    legacy
}

async fn pull(app: &TestApp, input: &Value) -> reqwest::Response {
    pull_raw(app, &json!({ "json": input }).to_string()).await
}

/// The pull with `input` as it is.
async fn pull_raw(app: &TestApp, input: &str) -> reqwest::Response {
    let mut url = url::Url::parse(&format!(
        "{}/api/trpc/answer.getObservatoireStats",
        app.address
    ))
    .unwrap();
    url.query_pairs_mut().append_pair("input", input);
    app.client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn the_observatory_reads_the_incumbent_s_figures_for_random_reviews_and_windows() {
    let app = spawn_compat().await;
    let (_, buttons) = product(
        &app,
        3977,
        true,
        &[
            (4400, Some("button"), false, false),
            (4401, Some("site"), true, false),
            (4402, Some("email"), false, true),
        ],
    )
    .await;
    // Another public product, whose reviews must never show.
    let (_, other) = product(&app, 5000, true, &[(6000, None, false, false)]).await;
    let mut rng = StdRng::seed_from_u64(34);
    // Ten days across the change to winter time, with many reviews near midnight in Paris and UTC.
    let start = millis("2025-10-20T00:00:00Z");
    let span = 10 * 86_400_000;
    let mut rows = Vec::new();
    for n in 0..360 {
        let at = if n % 3 == 0 {
            // Within the two hours between midnight in Paris and in UTC.
            let day = rng.random_range(0..10) * 86_400_000;
            start + day + 21 * 3_600_000 + rng.random_range(0..4 * 3_600_000)
        } else {
            start + rng.random_range(0..span)
        };
        let button = rng.random_range(0..buttons.len());
        let answers = random_answers(&mut rng);
        // As imported: « Je n'ai pas eu besoin d'aide » beside channels, left out of the review.
        let beside = answers
            .contact_tried
            .as_ref()
            .is_some_and(|t| !t.contains(&Channel::None))
            && rng.random_bool(0.2);
        let row = Row {
            button: buttons[button].legacy,
            at,
            answers,
            counts: rng.random_range(0..20) != 0,
            beside,
        };
        store_review(&app, &buttons[button], &row).await;
        rows.push(row);
        if n == 180 {
            // Half the days closed: their counts come from running totals, later ones move both.
            app.store
                .close_days("2025-10-25".parse().unwrap())
                .await
                .unwrap();
        }
    }
    for _ in 0..20 {
        let row = Row {
            button: 6000,
            at: start + rng.random_range(0..span),
            answers: random_answers(&mut rng),
            counts: true,
            beside: false,
        };
        store_review(&app, &other[0], &row).await;
    }

    let day = |n: i64| start + n * 86_400_000;
    let date = |n: i64| {
        Timestamp::from_millisecond(day(n))
            .unwrap()
            .to_string()
            .get(..10)
            .unwrap()
            .to_owned()
    };
    for round in 0..24 {
        let a = rng.random_range(-1..11);
        let b = rng.random_range(a..12);
        let button = match round % 4 {
            0 => Some(buttons[rng.random_range(0..buttons.len())].legacy),
            1 => Some(6000),
            _ => None,
        };
        // As the robot sends them (epoch milliseconds), as days, or at any millisecond.
        let (first, last, start_date, end_date) = match round % 3 {
            0 => (
                day(a),
                day(b) + 86_399_999,
                day(a).to_string(),
                (day(b) + 86_399_999).to_string(),
            ),
            1 => (day(a), day(b) + 86_399_999, date(a), date(b)),
            _ => {
                let first = day(a) + rng.random_range(0..86_400_000);
                let last = day(b) + rng.random_range(0..86_400_000);
                (first, last, first.to_string(), last.to_string())
            }
        };
        let mut input = json!({"product_id": 3977, "form_id": 3977, "start_date": start_date, "end_date": end_date});
        if let Some(button) = button {
            input["button_id"] = json!(button);
        }
        let response = pull(&app, &input).await;
        assert_eq!(response.status(), StatusCode::OK, "{input}");
        let text = response.text().await.unwrap();
        reference(&rows, first, last, button).check(&text, &input.to_string());
    }

    // The same product by its XWiki id, every date defaulted: everything so far.
    let response = pull(&app, &json!({"product_id": 13977, "isXWiki": true})).await;
    let text = response.text().await.unwrap();
    reference(&rows, 0, i64::MAX, None).check(&text, "every date defaulted");
}

#[tokio::test]
async fn only_the_reviews_that_carry_the_form_asked_for_count() {
    let app = spawn_compat().await;
    let (procedure, mut buttons) =
        product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    // A second form, not a legacy one, with its own button; and a button made in avis, whose
    // reviews carry the legacy form.
    let second = LegacyForm {
        procedure_id: procedure,
        legacy: false,
        title: "Formulaire des e-mails".to_owned(),
    };
    app.store
        .save_legacy_forms(&[(3990, second)])
        .await
        .unwrap();
    let new_button = |label: &str| NewButton {
        procedure_id: procedure,
        label: Name::parse(label).unwrap(),
        source: Tag::parse("site").unwrap(),
        allowed_origins: Vec::new(),
        is_test: false,
    };
    let now = Timestamp::now();
    let on_second = app
        .store
        .create_imported_button(
            &new_button("Bouton du second formulaire"),
            LegacyButton {
                id: 4410,
                source: None,
                form: Some(3990),
            },
            now,
            None,
        )
        .await
        .unwrap();
    buttons.push(Imported {
        id: on_second.id,
        legacy: 4410,
        procedure,
    });
    let made_here = app
        .store
        .create_button(&new_button("Bouton fait ici"))
        .await
        .unwrap();
    buttons.push(Imported {
        id: made_here.id,
        legacy: -1,
        procedure,
    });
    let button_forms = [3977, 3990, 3977];

    let mut rng = StdRng::seed_from_u64(33);
    let start = millis("2025-03-01T00:00:00Z");
    let span = 20 * 86_400_000;
    // Each row with the form its review carries.
    let mut rows: Vec<(Row, Option<i64>)> = Vec::new();
    for _ in 0..300 {
        let button = rng.random_range(0..buttons.len());
        let answers = random_answers(&mut rng);
        let beside = answers
            .contact_tried
            .as_ref()
            .is_some_and(|t| !t.contains(&Channel::None))
            && rng.random_bool(0.2);
        let row = Row {
            button: buttons[button].legacy,
            at: start + rng.random_range(0..span),
            answers,
            counts: rng.random_range(0..20) != 0,
            beside,
        };
        let legacy = store_review(&app, &buttons[button], &row).await;
        // Imported reviews noted apart: older ones (form 1, 2 or none) on the second form's
        // button, and a few carrying the other form than their button's.
        let carried = match (button, rng.random_range(0..4)) {
            (1, 0) => Some(None),
            (1, 1 | 2) => Some(Some(rng.random_range(1..=2))),
            (0, 0) => Some(Some(3990)),
            _ => None,
        };
        if let Some(form) = carried {
            app.store
                .note_legacy_review_forms(&[(legacy, form)])
                .await
                .unwrap();
        }
        rows.push((row, carried.unwrap_or(Some(button_forms[button]))));
    }
    app.store
        .close_days("2025-03-10".parse().unwrap())
        .await
        .unwrap();

    for round in 0..12 {
        let a = rng.random_range(-1..21);
        let b = rng.random_range(a..22);
        let (first, last) = (
            start + a * 86_400_000 + rng.random_range(0..86_400_000),
            start + b * 86_400_000 + rng.random_range(0..86_400_000),
        );
        let (form, legacy) = [(Some(3977), true), (Some(3990), false), (None, true)][round % 3];
        let asked = Form {
            id: form.unwrap_or(3977),
            legacy,
        };
        let button = [None, Some(4400), Some(4410)][round / 3 % 3];
        let mut input = json!({"product_id": 3977, "start_date": first.to_string(), "end_date": last.to_string()});
        if let Some(form) = form {
            input["form_id"] = json!(form);
        }
        if let Some(button) = button {
            input["button_id"] = json!(button);
        }
        let response = pull(&app, &input).await;
        assert_eq!(response.status(), StatusCode::OK, "{input}");
        let text = response.text().await.unwrap();
        let of_form: Vec<Row> = rows
            .iter()
            .filter(|(_, carried)| asked.counts(*carried))
            .map(|(row, _)| row.clone())
            .collect();
        reference(&of_form, first, last, button).check(&text, &input.to_string());
    }
}

/// The counts of the pull over everything so far.
async fn counts_so_far(app: &TestApp) -> Value {
    let response = pull(app, &json!({"product_id": 3977, "form_id": 3977})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["result"]["data"]["json"]["metadata"].clone()
}

#[tokio::test]
async fn reviews_sent_to_avis_after_the_cut_over_count_and_excluded_ones_do_not() {
    let app = spawn_compat().await;
    let (_, buttons) = product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    let imported = Row {
        button: 4400,
        at: millis("2025-06-01T10:00:00Z"),
        answers: Answers {
            satisfaction: Some(Satisfaction::Bad),
            ..Answers::default()
        },
        counts: true,
        beside: false,
    };
    store_review(&app, &buttons[0], &imported).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .post_review(&json!({"button_id": buttons[0].id, "answers": {
                "satisfaction": "good", "contact_tried": ["none"]}}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let metadata = counts_so_far(&app).await;
    assert_eq!(metadata["satisfaction_count"], 3);
    assert_eq!(metadata["autonomy_count"], 2);

    let admin = app.key(Scope::Admin, None).await;
    let excluded = app
        .client
        .post(format!("{}/api/v1/reviews/{}/exclude", app.address, ids[0]))
        .bearer_auth(&admin)
        .json(&json!({"reason": "envoyé deux fois"}))
        .send()
        .await
        .unwrap();
    assert!(excluded.status().is_success(), "{}", excluded.status());
    let metadata = counts_so_far(&app).await;
    assert_eq!(metadata["satisfaction_count"], 2);
    assert_eq!(metadata["autonomy_count"], 1);
}

/// Checks a tRPC error: its status, code and message.
async fn assert_trpc_error(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    let error = &body["error"]["json"];
    assert_eq!(error["data"]["code"], code, "{body}");
    assert_eq!(error["data"]["httpStatus"], status.as_u16(), "{body}");
    assert_eq!(error["data"]["path"], "answer.getObservatoireStats");
    assert!(
        error["code"].is_i64() && error["message"].is_string(),
        "{body}"
    );
    body
}

#[tokio::test]
async fn the_observatory_gets_the_incumbent_s_errors() {
    let app = spawn_compat().await;
    product(&app, 3977, false, &[(4400, None, false, false)]).await;
    let hidden = pull(&app, &json!({"product_id": 3977, "form_id": 3977})).await;
    let body = assert_trpc_error(
        hidden,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
    )
    .await;
    assert_eq!(body["error"]["json"]["message"], "Product is not public");
    let unknown = pull(&app, &json!({"product_id": 1, "form_id": 1})).await;
    let body = assert_trpc_error(
        unknown,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
    )
    .await;
    assert_eq!(body["error"]["json"]["message"], "Product not found");
    let (procedure, _) = product(&app, 3978, true, &[(4500, None, false, false)]).await;
    for (input, message) in [
        (
            json!({"product_id": 3978, "form_id": 3977}),
            "Form not found",
        ),
        (json!({"product_id": 3978, "form_id": 1}), "Form not found"),
    ] {
        let response = pull(&app, &input).await;
        let body = assert_trpc_error(
            response,
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
        )
        .await;
        assert_eq!(body["error"]["json"]["message"], message, "{input}");
    }
    // Without a legacy form, the robot must name one.
    let not_legacy = LegacyForm {
        procedure_id: procedure,
        legacy: false,
        title: "Formulaire 3978".to_owned(),
    };
    app.store
        .save_legacy_forms(&[(3978, not_legacy)])
        .await
        .unwrap();
    let response = pull(&app, &json!({"product_id": 3978})).await;
    let body = assert_trpc_error(
        response,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
    )
    .await;
    assert_eq!(
        body["error"]["json"]["message"],
        "Cannot read properties of undefined (reading 'id')"
    );
    let named = pull(&app, &json!({"product_id": 3978, "form_id": 3978})).await;
    assert_eq!(named.status(), StatusCode::OK);

    for bad in [
        json!({"product_id": "troisième"}),
        json!({"product_id": 39.77}),
        json!({"form_id": 1}),
        json!({"product_id": 3977, "start_date": 20250101}),
        json!({"product_id": 3977, "isXWiki": "yes"}),
        json!({"product_id": 3977, "start_date": "hier"}),
    ] {
        let response = pull(&app, &bad).await;
        let body = assert_trpc_error(response, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
        assert_eq!(body["error"]["json"]["code"], -32600, "{bad}");
    }
    let field = pull(&app, &json!({"product_id": "troisième"})).await;
    let body: Value = field.json().await.unwrap();
    assert_eq!(
        body["error"]["json"]["data"]["zodError"]["fieldErrors"]["product_id"][0],
        "Expected number, received string"
    );
    for raw in ["", "{", "{\"product_id\":3977}"] {
        let response = pull_raw(&app, raw).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{raw}");
    }
    let missing = app.get("/api/trpc/answer.getObservatoireStats").await;
    assert_trpc_error(missing, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
}
