//! Health, readiness and the shape of errors outside the API's own routes.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn liveness_and_readiness_answer() {
    let app = spawn_app().await;
    let live = app.get("/api/v1/health").await;
    assert_eq!(live.status(), StatusCode::OK);
    assert!(live.headers().contains_key("x-request-id"));
    let timing = live.headers()["server-timing"].to_str().unwrap();
    let millis: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    assert!(millis >= 0.0, "{timing}");
    let ready = app.get("/api/v1/health/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.store.close().await;
    assert_problem(
        app.get("/api/v1/health/ready").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
    )
    .await;
}

#[tokio::test]
async fn unknown_paths_and_methods_get_problem_documents() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/nothing/here").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let response = app
        .client
        .delete(format!("{}/api/v1/health", app.address))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.get("/nothing").await.headers()["x-request-id"].clone();
    let second = app.get("/nothing").await.headers()["x-request-id"].clone();
    assert_ne!(first, second);
}

#[tokio::test]
async fn metrics_count_requests_reviews_batches_and_connections() {
    let app = spawn_app().await;
    let button = app.button().await;
    app.rate(&button, "good").await;
    app.get("/nowhere").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for expected in [
        "avis_reviews_accepted_total 1",
        "avis_http_requests_total{route=\"/api/v1/reviews\",method=\"POST\",status=\"201\"} 1",
        "avis_http_request_duration_seconds_bucket",
        "avis_batch_size_count 1",
        "avis_batch_commit_seconds_bucket",
        "avis_errors_total{code=\"not_found\"} 1",
        "avis_db_connections{pool=",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // On SQLite a batch is acknowledged once its log is synced (PostgreSQL commits durably).
    let synced = text.contains("avis_log_sync_seconds_count 1");
    assert_eq!(
        synced,
        app.store.backend() == avis::store::Backend::Sqlite,
        "{text}"
    );
}
