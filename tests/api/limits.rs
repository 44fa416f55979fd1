//! Rate limits: per client address (behind trusted proxies only), per button, per API key.

use avis::domain::catalog::Scope;
use avis::domain::network::Networks;
use avis::limits::LimitSettings;
use avis::startup::Options;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

fn limits(
    per_address_per_minute: u32,
    per_button_per_second: u32,
    per_key_per_minute: u32,
) -> LimitSettings {
    LimitSettings {
        per_address_per_minute,
        per_button_per_second,
        per_key_per_minute,
    }
}

async fn rate(app: &TestApp, button: uuid::Uuid, forwarded_for: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/reviews", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"button_id": button, "answers": {"satisfaction": "good"}}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_flooding_address_is_refused_while_another_is_served() {
    let app = spawn_app_with(Options {
        limits: limits(20, 10_000, 600),
        trusted_proxies: Networks::parse("127.0.0.1/32").unwrap(),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let mut refused = 0;
    for _ in 0..400 {
        let response = rate(&app, button.id, "198.51.100.1").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    // 20 are allowed at once and one more every 3 s; at least 99 % of the rest are refused.
    assert!(refused >= 377, "{refused} of 380 excess requests refused");
    let last = rate(&app, button.id, "198.51.100.1").await;
    for header in [
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
    ] {
        assert!(last.headers().contains_key(header), "{header}");
    }
    let retry: u64 = last.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    assert_problem(last, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        rate(&app, button.id, "198.51.100.2").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        rate(&app, button.id, "203.0.113.7, 198.51.100.3")
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_change_nothing() {
    let app = spawn_app_with(Options {
        limits: limits(5, 10_000, 600),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let mut statuses = Vec::new();
    for n in 0..10 {
        statuses.push(
            rate(&app, button.id, &format!("198.51.100.{n}"))
                .await
                .status(),
        );
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        5,
        "{statuses:?}"
    );
    let forwarded = app
        .client
        .post(format!("{}/api/v1/reviews", app.address))
        .header("Forwarded", "for=192.0.2.60")
        .json(&json!({"button_id": button.id, "answers": {"satisfaction": "good"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn exempt_networks_are_not_limited_by_address() {
    let app = spawn_app_with(Options {
        limits: limits(2, 10_000, 600),
        exempt_networks: Networks::parse("127.0.0.0/8").unwrap(),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    for _ in 0..10 {
        assert_eq!(
            rate(&app, button.id, "").await.status(),
            StatusCode::CREATED
        );
    }
}

#[tokio::test]
async fn a_button_and_a_key_have_their_own_allowance() {
    let app = spawn_app_with(Options {
        limits: limits(1_000, 3, 4),
        trusted_proxies: Networks::parse("127.0.0.1/32").unwrap(),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let mut created = 0;
    for n in 0..10 {
        if rate(&app, button.id, &format!("198.51.100.{n}"))
            .await
            .status()
            == StatusCode::CREATED
        {
            created += 1;
        }
    }
    assert!((3..=4).contains(&created), "{created}");
    let other = app.button().await;
    assert_eq!(
        rate(&app, other.id, "198.51.100.99").await.status(),
        StatusCode::CREATED
    );

    let key = app.key(Scope::IndicatorsRead, None).await;
    for _ in 0..4 {
        assert_eq!(
            app.get_with("/api/v1/indicators", &key).await.status(),
            StatusCode::OK
        );
    }
    assert_problem(
        app.get_with("/api/v1/indicators", &key).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    let another = app.key(Scope::IndicatorsRead, None).await;
    assert_eq!(
        app.get_with("/api/v1/indicators", &another).await.status(),
        StatusCode::OK
    );
}
