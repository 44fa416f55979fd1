//! `GET /metrics`: Prometheus text exposition of what the service counts.
//!
//! The recorder is installed once per process; the route renders it with the pools' current
//! usage. Expose it to the monitoring network only (it carries no personal data, but it is not
//! meant for the public).

use std::sync::OnceLock;

use actix_web::{HttpResponse, get, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::startup::AppState;

/// Latency buckets in seconds, from sub-millisecond to ten seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Batch-size buckets.
const SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The process's recorder, installed on first use.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("seconds".to_owned()), BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full("avis_batch_size".to_owned()), SIZES)
            })
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program): ours still renders.
        let _ = ::metrics::set_global_recorder(recorder);
        handle
    })
}

#[utoipa::path(
    operation_id = "metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn render(state: web::Data<AppState>) -> HttpResponse {
    for (pool, size, idle) in state.store.pool_usage() {
        ::metrics::gauge!("avis_db_connections", "pool" => pool, "state" => "open")
            .set(size as f64);
        ::metrics::gauge!("avis_db_connections", "pool" => pool, "state" => "idle")
            .set(idle as f64);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(recorder().render())
}
