//! Whatever arrives at the public endpoints — random bytes, deep or huge JSON, wrong encodings,
//! odd media types and query strings — the answer is never a server error.

use avis::domain::catalog::Scope;
use avis::domain::network::Networks;
use avis::startup::Options;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "good", "bad", "medium", "none", "phone", "yes", "no", "other"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "satisfaction",
                    "comprehension",
                    "contact_tried",
                    "contact_tried_other",
                    "contact_reached",
                    "contact_satisfaction",
                    "verbatim",
                    "contact_email",
                    "answers",
                    "button_id",
                    "website",
                    "x",
                ])
                .prop_map(str::to_owned),
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies for `button`, and for `guarded`, a button that requires a proof of work.
fn body(button: String, guarded: String) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2_000),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        json_value().prop_map(move |answers| {
            json!({"button_id": button.clone(), "answers": answers})
                .to_string()
                .into_bytes()
        }),
        (json_value(), json_value(), ".{0,300}").prop_map(move |(answers, proof, text)| {
            let proof = match text.len() % 3 {
                0 => proof,
                1 => Value::String(text),
                _ => Value::String(STANDARD.encode(proof.to_string())),
            };
            json!({"button_id": guarded.clone(), "answers": answers, "altcha": proof})
                .to_string()
                .into_bytes()
        }),
        (1..20_000usize)
            .prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()),
        (1..200_000usize).prop_map(|n| json!({"answers": {"verbatim": "é".repeat(n)}})
            .to_string()
            .into_bytes()),
        ".{0,200}".prop_map(|s| s.chars().map(|c| c as u32 as u8).collect()),
    ]
}

fn media_type() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "application/json",
        "text/plain",
        "text/plain;charset=ISO-8859-1",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "",
        "garbage/\u{7f}",
    ])
}

async fn exchange(
    app: &TestApp,
    key: &str,
    review: &str,
    button: &str,
    case: (Vec<u8>, &'static str, String),
) -> Result<(), TestCaseError> {
    let (payload, media, query) = case;
    let base = &app.address;
    let requests = [
        app.client
            .post(format!("{base}/api/v1/reviews"))
            .body(payload.clone()),
        app.client
            .patch(format!("{base}/api/v1/reviews/{review}"))
            .bearer_auth(&query)
            .body(payload.clone()),
        app.client
            .post(format!("{base}/f/{button}"))
            .body(payload.clone()),
        app.client
            .post(format!("{base}/f/{button}/{review}"))
            .body(payload.clone()),
        app.client.get(format!(
            "{base}/api/v1/buttons/{button}/questionnaire?{query}"
        )),
        app.client
            .get(format!("{base}/api/v1/buttons/{button}/challenge?{query}")),
        app.client
            .get(format!("{base}/api/v1/indicators?{query}"))
            .bearer_auth(key),
        app.client
            .get(format!("{base}/f/{button}/{review}?{query}")),
    ];
    for request in requests {
        let request = if media.is_empty() {
            request
        } else {
            request.header("Content-Type", media)
        };
        // What no HTTP client can send (say, a control character in a header) is not a case.
        let Ok(request) = request.build() else {
            continue;
        };
        let path = request.url().path().to_owned();
        let response = app
            .client
            .execute(request)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(
            !response.status().is_server_error(),
            "{} for {}",
            response.status(),
            path
        );
    }
    Ok(())
}

#[test]
fn public_endpoints_never_answer_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app_with(Options {
        exempt_networks: Networks::parse("127.0.0.0/8").unwrap(),
        ..Options::default()
    }));
    let (button, guarded, key, review) = runtime.block_on(async {
        let button = app.button().await;
        let mut guarded = app.button().await;
        guarded.requires_proof_of_work = true;
        app.store.save_button(&guarded).await.unwrap();
        let key = app.key(Scope::IndicatorsRead, None).await;
        let (review, _) = app.rate(&button, "good").await;
        (button.id.to_string(), guarded.id.to_string(), key, review)
    });
    let query = prop_oneof![
        ".{0,80}",
        "[a-z_]{1,10}=[a-z0-9:%-]{0,20}(&[a-z_]{1,10}=[a-z0-9:%-]{0,20}){0,3}"
    ];
    let strategy = (body(button.clone(), guarded), media_type(), query);
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |case| {
            runtime.block_on(exchange(&app, &key, &review, &button, case))
        })
        .unwrap();
    let alive = runtime.block_on(app.get("/api/v1/health/ready"));
    assert!(alive.status().is_success());
}
