//! Webhook messages outlive a killed server, and are sent once however many nodes send them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use avis::config::DatabaseUrl;
use avis::notify::webhooks::Sender;
use avis::store::Store;
use serde_json::{Value, json};

use super::{Received, app_allowing_loopback, organisation_key, receiver_taking, subscribe};
use crate::crash::{cli, serve_with};
use crate::helpers::fresh_database;

/// The reviews each message was about, with the 2xx answers it got.
fn delivered(got: &[Received]) -> BTreeMap<String, usize> {
    let mut delivered = BTreeMap::new();
    for received in got {
        let body: Value = serde_json::from_str(&received.body).unwrap();
        let review = body["data"]["id"].as_str().unwrap().to_owned();
        let count = delivered.entry(review).or_insert(0);
        if (200..300).contains(&received.status) {
            *count += 1;
        }
    }
    delivered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_messages_wait_sends_them_all_once_started_again() {
    let (url, _dir) = fresh_database().await;
    let organisation = cli(&url, &["organisations", "create", "--name", "Crochets"]);
    let procedure = cli(
        &url,
        &[
            "procedures",
            "create",
            "--organisation",
            organisation.trim(),
            "--title",
            "Envois",
        ],
    );
    let button = cli(
        &url,
        &[
            "buttons",
            "create",
            "--procedure",
            procedure.trim(),
            "--label",
            "B",
        ],
    )
    .trim()
    .to_owned();
    let key = cli(&url, &["keys", "create", "--scope", "admin"])
        .trim()
        .to_owned();
    // Each answer takes a while, so that messages are on their way when the server dies.
    let hooks = receiver_taking(&[], Duration::from_millis(300)).await;
    let allow = [("AVIS_WEBHOOK_ALLOW_PRIVATE", "true")];
    let (mut child, base) = serve_with(&url, &allow);
    let client = crate::helpers::http_client().build().unwrap();
    let subscribed = client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": hooks.url, "events": ["review.created"], "organisation": organisation.trim()}))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), 201);
    let mut reviews = Vec::new();
    for n in 0..20 {
        let created: Value = client
            .post(format!("{base}/api/v1/reviews"))
            .header("User-Agent", format!("citizen-{n}"))
            .json(&json!({"button_id": button, "answers": {"satisfaction": "good"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reviews.push(created["id"].as_str().unwrap().to_owned());
    }
    hooks.wait_for(1, 10).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let before = hooks.got.lock().unwrap().len();
    assert!(
        before < reviews.len(),
        "the server died before it sent them all"
    );

    let (mut child, _) = serve_with(&url, &allow);
    // The message the dead server had taken up, and the endpoint's later ones behind it, wait
    // for its hold to end (30 s).
    let started = Instant::now();
    let mut got = Vec::new();
    while started.elapsed() < Duration::from_secs(90) {
        got = hooks.got.lock().unwrap().clone();
        if delivered(&got).values().filter(|n| **n > 0).count() == reviews.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let delivered = delivered(&got);
    for review in &reviews {
        assert!(
            delivered.get(review).is_some_and(|n| *n >= 1),
            "{review} never delivered: {delivered:?}"
        );
    }
    assert_eq!(delivered.len(), reviews.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_sending_side_by_side_send_each_message_once() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    let hooks = receiver_taking(&[], Duration::from_millis(20)).await;
    subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    // Two more nodes, each with its own connections to the same database, beside the server's.
    let settings = avis::notify::Settings {
        allow_private: true,
    };
    let mut others = Vec::new();
    for _ in 0..2 {
        let store = Store::connect(&DatabaseUrl::parse(&app.database_url).unwrap())
            .await
            .unwrap();
        others.push(Sender::new(store, settings, None).unwrap());
    }
    let mut posted = Vec::new();
    for n in 0..60 {
        let response = app
            .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good", "comprehension": 1 + n % 5}}))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        posted.push(body["id"].as_str().unwrap().to_owned());
        if n % 10 == 9 {
            let (a, b) = tokio::join!(others[0].send_due(), others[1].send_due());
            a.unwrap();
            b.unwrap();
        }
    }
    let got = hooks.wait_for(posted.len(), 20).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got_after = hooks.got.lock().unwrap().clone();
    assert_eq!(got_after.len(), got.len(), "more came after all were sent");
    let delivered = delivered(&got_after);
    assert_eq!(delivered.len(), posted.len());
    assert!(delivered.values().all(|n| *n == 1), "{delivered:?}");
    // Three nodes, and the endpoint still got its messages in the order they were written.
    assert_eq!(delivered_in_order(&got_after), posted);
}

/// The reviews of the 2xx answers, in the order the receiver got them.
fn delivered_in_order(got: &[Received]) -> Vec<String> {
    got.iter()
        .filter(|r| (200..300).contains(&r.status))
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap();
            body["data"]["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_messages_reaches_its_endpoint_once_each_in_the_order_written() {
    let app = app_allowing_loopback().await;
    let button = app.button().await;
    let key = organisation_key(&app, &button).await;
    // The third request fails: the messages after it in its batch wait for the next look,
    // and it comes again after its retry.
    let hooks = receiver_taking(&[200, 200, 500], Duration::ZERO).await;
    subscribe(&app, &key, &hooks.url, &["review.created"]).await;
    let mut reviews = Vec::new();
    for n in 0..50 {
        let response = app
            .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good", "comprehension": 1 + n % 5}}))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        reviews.push(body["id"].as_str().unwrap().to_owned());
    }
    hooks.wait_for(reviews.len() + 1, 30).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = hooks.got.lock().unwrap().clone();
    assert_eq!(got.len(), reviews.len() + 1, "one failure, then each once");
    let failed = &got[2];
    assert_eq!(failed.status, 500);
    let again = got
        .iter()
        .position(|r| r.id == failed.id && r.status == 200)
        .expect("the failed message came again");
    assert!(again > 2);
    let order = delivered_in_order(&got);
    assert_eq!(
        order[again - 1],
        reviews[2],
        "the failed one is the third review's"
    );
    let mut rest = order;
    rest.remove(again - 1);
    let mut expected = reviews;
    expected.remove(2);
    assert_eq!(rest, expected, "the others in the order written");
}
