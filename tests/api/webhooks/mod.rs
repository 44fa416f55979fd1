//! Webhooks: endpoints through the API, messages written with the reviews' changes and
//! delivered to a real HTTP receiver on loopback, signed, retried, and stopped by a `410`.

mod delivery;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use avis::domain::catalog::Scope;
use avis::domain::webhooks::Event;
use avis::startup::Options;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

/// One request the receiver got, and the status it answered.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    status: u16,
}

/// An HTTP receiver on loopback that answers each request with the next status of its script
/// (200 once the script is spent), and keeps what it got.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(script: &[u16]) -> Receiver {
    receiver_taking(script, Duration::ZERO).await
}

/// A [`receiver`] that takes `delay` to answer each request.
async fn receiver_taking(script: &[u16], delay: Duration) -> Receiver {
    let got: Arc<Mutex<Vec<Received>>> = Default::default();
    let answers: Arc<Mutex<VecDeque<u16>>> = Arc::new(Mutex::new(script.iter().copied().collect()));
    let (kept, scripted) = (got.clone(), answers.clone());
    let server = HttpServer::new(move || {
        let (kept, scripted) = (kept.clone(), scripted.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: String| {
            let (kept, scripted) = (kept.clone(), scripted.clone());
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                tokio::time::sleep(delay).await;
                let status = scripted.lock().unwrap().pop_front().unwrap_or(200);
                kept.lock().unwrap().push(Received {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp"),
                    signature: header("webhook-signature"),
                    body,
                    status,
                });
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
            }
        }))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Receiver {
        url: format!("http://127.0.0.1:{port}/hooks/avis"),
        got,
    }
}

impl Receiver {
    /// What it got once it has `n` requests, waiting up to `seconds`.
    async fn wait_for(&self, n: usize, seconds: u64) -> Vec<Received> {
        for _ in 0..seconds * 10 {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let got = self.got.lock().unwrap().clone();
        panic!("{} requests after {seconds} s, not {n}: {got:?}", got.len());
    }
}

/// The convention's check, written apart from the service's own code: the HMAC-SHA256 of
/// `id.timestamp.body` keyed with the secret's bytes, in base64 after `v1,`.
fn verify(secret: &str, received: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    received
        .signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

/// Whether the Standard Webhooks library for Python (PyPI `standardwebhooks`, written apart from
/// avis) accepts `body` with these headers and `secret`. The test command installs it and names
/// its interpreter in `AVIS_TEST_WEBHOOKS_PYTHON`.
fn library_accepts(secret: &str, received: &Received, body: &str) -> bool {
    use std::io::Write;
    let python =
        std::env::var("AVIS_TEST_WEBHOOKS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = "import json, sys\n\
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError\n\
        given = json.load(sys.stdin)\n\
        try:\n    Webhook(given['secret']).verify(given['body'], given['headers'])\n    print('valid')\n\
        except WebhookVerificationError:\n    print('invalid')\n";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} runs (scripts/test installs it): {e}"));
    let given = json!({
        "secret": secret,
        "body": body,
        "headers": {
            "webhook-id": received.id,
            "webhook-timestamp": received.timestamp,
            "webhook-signature": received.signature,
        },
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(given.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        said == "valid" || said == "invalid",
        "the standardwebhooks library did not run (scripts/test installs it and sets \
         AVIS_TEST_WEBHOOKS_PYTHON): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    said == "valid"
}

async fn app_allowing_loopback() -> TestApp {
    spawn_app_with(Options {
        webhooks: avis::notify::Settings {
            allow_private: true,
        },
        ..Options::default()
    })
    .await
}

/// An endpoint of the button's organisation, made through the API: its JSON with its secret.
async fn subscribe(app: &TestApp, key: &str, url: &str, events: &[&str]) -> Value {
    let response = app
        .client
        .post(format!("{}/api/v1/webhooks", app.address))
        .bearer_auth(key)
        .json(&json!({"url": url, "events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn organisation_key(app: &TestApp, button: &avis::store::catalog::Button) -> String {
    let organisation = app
        .store
        .find_procedure(button.procedure_id)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    app.key(Scope::Admin, Some(organisation)).await
}

async fn deliveries(app: &TestApp, key: &str, webhook: &str) -> Vec<Value> {
    app.get_with(&format!("/api/v1/webhooks/{webhook}/deliveries"), key)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_review_reaches_the_endpoint_signed_with_what_the_api_shows() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let hooks = receiver(&[]).await;
    let webhook = subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = app
        .get_with("/api/v1/webhooks", &key)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret), "the secret is shown once only");

    let created: Value = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good", "verbatim": "Très bien, écrivez-moi à jean.dupont@example.org"}}))
        .await
        .json()
        .await
        .unwrap();
    let got = hooks.wait_for(1, 10).await;
    let message = &got[0];
    assert!(verify(&secret, message), "{message:?}");
    assert!(message.id.starts_with("msg_"), "{}", message.id);
    let body: Value = serde_json::from_str(&message.body).unwrap();
    assert_eq!(body["type"], "review.created");
    assert_eq!(body["data"]["id"], created["id"]);
    let shown: Value = app
        .get_with(
            &format!("/api/v1/reviews/{}", created["id"].as_str().unwrap()),
            &key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"], shown, "the review as the API shows it");
    assert!(!message.body.contains("jean.dupont"), "{}", message.body);
    assert!(
        !message
            .body
            .contains(created["edit_token"].as_str().unwrap())
    );

    let listed = deliveries(&app, &key, webhook["id"].as_str().unwrap()).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let delivered = |listed: &[Value]| listed[0]["status"] == "delivered";
    for _ in 0..50 {
        if delivered(&deliveries(&app, &key, webhook["id"].as_str().unwrap()).await) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = deliveries(&app, &key, webhook["id"].as_str().unwrap()).await;
    assert_eq!(listed[0]["status"], "delivered", "{listed:?}");
    assert_eq!(listed[0]["attempts"][0]["status"], 200);
    assert_eq!(
        format!("msg_{}", listed[0]["id"].as_str().unwrap().replace('-', "")),
        message.id
    );
    // Delivered messages are kept a while for this list, then deleted with their attempts.
    let hour = jiff::SignedDuration::from_hours(1);
    let now = jiff::Timestamp::now();
    assert_eq!(app.store.forget_messages(now - hour).await.unwrap(), 0);
    assert_eq!(app.store.forget_messages(now + hour).await.unwrap(), 1);
    assert!(
        deliveries(&app, &key, webhook["id"].as_str().unwrap())
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn an_endpoint_failing_then_answering_gets_the_same_message_again() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let hooks = receiver(&[500]).await;
    let webhook = subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    app.post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "bad"}}))
        .await;
    // The first retry comes after about five seconds (more under the test suite's load: once
    // more than 15 s on a busy machine).
    let got = hooks.wait_for(2, 30).await;
    assert_eq!(got[0].id, got[1].id, "one message, sent twice");
    assert_eq!(got[0].body, got[1].body);
    let secret = webhook["secret"].as_str().unwrap();
    assert!(verify(secret, &got[1]));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let listed = deliveries(&app, &key, webhook["id"].as_str().unwrap()).await;
    assert_eq!(listed[0]["status"], "delivered", "{listed:?}");
    let statuses: Vec<&Value> = listed[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(200)]);
}

#[tokio::test]
async fn an_endpoint_answering_gone_is_disabled_and_hears_no_more() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let hooks = receiver(&[410]).await;
    let webhook = subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    app.post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good"}}))
        .await;
    hooks.wait_for(1, 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shown: Value = app
        .get_with(&format!("/api/v1/webhooks/{id}"), &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["enabled"], false, "{shown}");
    assert!(shown["disabled_reason"].as_str().unwrap().contains("410"));
    app.post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "bad"}}))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(hooks.got.lock().unwrap().len(), 1);
    let replay = app
        .client
        .post(format!(
            "{}/api/v1/webhooks/{id}/deliveries/{}/replay",
            app.address,
            deliveries(&app, &key, id).await[0]["id"].as_str().unwrap()
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_problem(replay, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn the_admins_of_an_endpoint_disabled_by_a_410_are_told_once_by_mail() {
    let port = crate::mail::free_port();
    let relay = crate::mail::Relay::start(port, None);
    let app = spawn_app_with(Options {
        webhooks: avis::notify::Settings {
            allow_private: true,
        },
        public_url: Some("https://avis.example.fr".into()),
        ..crate::mail::mail_options(port)
    })
    .await;
    let world = crate::backoffice::World::new(&app).await;
    // The world's own endpoint is not on loopback: nothing is sent off this machine.
    app.store.delete_webhook(world.webhook).await.unwrap();
    let key = organisation_key(&app, &world.button).await;
    let hooks = receiver(&[410]).await;
    let webhook = subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    app.post_review(&json!({"button_id": world.button.id, "answers": {"satisfaction": "good"}}))
        .await;
    hooks.wait_for(1, 10).await;
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    // The organisation's admin only: not its member, not another organisation's admin.
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail["envelope_to"], json!([world.admin.email]));
    assert!(mail["subject"].as_str().unwrap().contains(&hooks.url));
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("410"), "{text}");
    let page = format!(
        "https://avis.example.fr/admin/organisations/{}/webhooks/{}",
        world.organisation.id,
        webhook["id"].as_str().unwrap()
    );
    assert!(text.contains(&page), "{text}");
}

#[tokio::test]
async fn deliveries_verify_with_the_convention_s_own_library_and_a_changed_body_does_not() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let hooks = receiver(&[]).await;
    let webhook = subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    let secret = webhook["secret"].as_str().unwrap();
    app.post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good", "verbatim": "Très clair, merci « équipe »"}}))
        .await;
    hooks.wait_for(1, 10).await;
    let received = hooks.got.lock().unwrap()[0].clone();
    assert!(library_accepts(secret, &received, &received.body));
    let changed = received.body.replace("good", "bad");
    assert_ne!(changed, received.body);
    assert!(!library_accepts(secret, &received, &changed));
    let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert!(!library_accepts(other, &received, &received.body));
}

#[tokio::test]
async fn an_indicator_moving_to_another_level_is_told_once_to_the_endpoints_that_want_it() {
    let app = spawn_app_with(Options {
        webhooks: avis::notify::Settings {
            allow_private: true,
        },
        publication_threshold: 10,
        look_interval: Duration::from_millis(200),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let levels = receiver(&[]).await;
    let webhook = subscribe(&app, &key, &levels.url, &["indicator.threshold_crossed"]).await;
    let secret = webhook["secret"].as_str().unwrap();
    let reviews = receiver(&[]).await;
    subscribe(&app, &key, &reviews.url, &["review.created"]).await;
    let earlier = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    let good = crate::helpers::rated(avis::domain::answers::Satisfaction::Good);
    let bad = crate::helpers::rated(avis::domain::answers::Satisfaction::Bad);
    for _ in 0..10 {
        app.review_at(&button, &earlier, &good).await;
    }
    // The first look notes satisfaction's level, good (10/10 over 10 reviews): no event.
    let satisfaction = (button.procedure_id, "satisfaction".to_owned());
    let start = std::time::Instant::now();
    while app
        .store
        .indicator_levels()
        .await
        .unwrap()
        .get(&satisfaction)
        != Some(&"good".into())
    {
        assert!(start.elapsed() < Duration::from_secs(10), "level noted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(levels.got.lock().unwrap().is_empty());
    // Twenty bad ones: 100 / 30 = 3.3, bad — by way of medium if a look falls between.
    for _ in 0..20 {
        app.review_at(&button, &earlier, &bad).await;
    }
    let start = std::time::Instant::now();
    let events: Vec<Value> = loop {
        let got = levels.got.lock().unwrap().clone();
        let events: Vec<Value> = got
            .iter()
            .map(|r| {
                assert!(verify(secret, r), "signed");
                serde_json::from_str(&r.body).unwrap()
            })
            .collect();
        if events.last().is_some_and(|e| e["data"]["level"] == "bad") {
            break events;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "{events:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(levels.got.lock().unwrap().len(), events.len(), "no more");
    // Each event takes up where the one before left off, from good to bad, once.
    let mut level = json!("good");
    for event in &events {
        assert_eq!(event["type"], "indicator.threshold_crossed");
        assert_eq!(event["data"]["indicator"], "satisfaction");
        assert_eq!(event["data"]["procedure_id"], json!(button.procedure_id));
        assert_eq!(event["data"]["previous_level"], level, "{events:?}");
        assert_ne!(event["data"]["level"], level);
        level = event["data"]["level"].clone();
    }
    let last = events.last().unwrap();
    // Bad from the 11th bad review on (100 / 21 < 5): the look may fall anywhere after it.
    let n = last["data"]["n"].as_i64().unwrap();
    assert!((21..=30).contains(&n), "{last}");
    let value = last["data"]["value"].as_f64().unwrap();
    assert!((value - 100.0 / n as f64).abs() < 0.006, "{last}");
    // The review endpoint heard of reviews only; the deliveries name the procedure.
    assert!(
        reviews
            .got
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.body.contains("\"review.created\""))
    );
    let shown = deliveries(&app, &key, webhook["id"].as_str().unwrap()).await;
    assert_eq!(shown.len(), events.len());
    assert_eq!(shown[0]["procedure_id"], json!(button.procedure_id));
    assert!(shown[0].get("review_id").is_none(), "{shown:?}");
}

#[tokio::test]
async fn moderation_is_told_to_the_endpoints_that_want_it_only() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let moderation = receiver(&[]).await;
    let creations = receiver(&[]).await;
    subscribe(
        &app,
        &key,
        &moderation.url,
        &["review.excluded", "review.restored"],
    )
    .await;
    subscribe(&app, &key, &creations.url, &["review.created"]).await;
    let created: Value = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good"}}))
        .await
        .json()
        .await
        .unwrap();
    let review = created["id"].as_str().unwrap();
    for action in ["exclude", "restore"] {
        let response = app
            .client
            .post(format!("{}/api/v1/reviews/{review}/{action}", app.address))
            .bearer_auth(&key)
            .json(&json!({"reason": "vérification"}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{action}");
    }
    let got = moderation.wait_for(2, 10).await;
    let types: Vec<String> = got
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(types, ["review.excluded", "review.restored"]);
    let got = creations.wait_for(1, 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(creations.got.lock().unwrap().len(), 1, "{got:?}");
}

#[tokio::test]
async fn private_addresses_are_refused_unless_the_operator_allows_them() {
    let app = spawn_app().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1/hooks",
        "https://10.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data",
        "ftp://hooks.example.org/",
    ] {
        let response = app
            .client
            .post(format!("{}/api/v1/webhooks", app.address))
            .bearer_auth(&key)
            .json(&json!({"url": url, "events": ["review.created"]}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    // An endpoint stored when it was allowed is still refused when a message is sent.
    let hooks = receiver(&[]).await;
    let organisation = app
        .store
        .find_procedure(button.procedure_id)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let (webhook, _) = app
        .store
        .create_webhook(organisation, None, &hooks.url, &[Event::ReviewCreated])
        .await
        .unwrap();
    app.post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good"}}))
        .await;
    let mut listed = Vec::new();
    for _ in 0..50 {
        listed = deliveries(&app, &key, &webhook.id.to_string()).await;
        if listed
            .first()
            .is_some_and(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty()))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let error = listed[0]["attempts"][0]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("address refused"), "{listed:?}");
    assert!(hooks.got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn bad_webhook_requests_get_a_problem_naming_the_field() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    for (body, field) in [
        (
            json!({"url": "http://127.0.0.1:9/", "events": []}),
            "events",
        ),
        (
            json!({"url": "not a url", "events": ["review.created"]}),
            "url",
        ),
    ] {
        let response = app
            .client
            .post(format!("{}/api/v1/webhooks", app.address))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let response = app
        .client
        .post(format!("{}/api/v1/webhooks", app.address))
        .bearer_auth(&key)
        .json(&json!({"url": "http://127.0.0.1:9/", "events": ["review.deleted"]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    )
    .await;
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("events"),
        "{problem}"
    );
    let response = app
        .client
        .get(format!("{}/api/v1/webhooks/not-an-id", app.address))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "webhook_not_found").await;
}
