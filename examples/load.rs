//! Load generator: drives a running avis over keep-alive connections and reports throughput and
//! latency, first for a trivial endpoint (the ceiling of this machine and server), then for
//! review creation with realistic bodies spread over buttons and client addresses (sent through
//! `X-Forwarded-For`, so run avis with `--trusted-proxies 127.0.0.1/32`).
//!
//! cargo run --release --example load -- --url http://127.0.0.1:8080 --buttons ID,ID… \
//!     [--connections 64] [--seconds 20] [--ceiling-seconds N]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Drives a running avis and reports throughput and latency against its liveness endpoint.
#[derive(clap::Parser)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The buttons to rate, comma-separated ids.
    #[arg(long, required = true, value_delimiter = ',')]
    buttons: Vec<String>,
    /// Keep-alive connections, each sending its next request when the last is answered.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Length of the review phase, and of the liveness phase unless --ceiling-seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Length of the liveness phase.
    #[arg(long)]
    ceiling_seconds: Option<u64>,
}

/// What one phase measured.
struct Phase {
    requests: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(index).copied().unwrap_or_default()
    }

    fn report(&self, name: &str) {
        println!(
            "{name}: {} requests in {:.1} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {}",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
            self.latencies
                .last()
                .copied()
                .unwrap_or_default()
                .as_secs_f64()
                * 1e3,
            self.errors
        );
    }
}

const COMMENTS: &[&str] = &[
    "Démarche claire, merci.",
    "Le formulaire a planté deux fois sur mon téléphone avant de fonctionner.",
    "Trop de pièces justificatives demandées, et aucune explication sur le délai.",
    "",
];

/// The body of the `n`th review: the answers a citizen could give, with a comment now and then.
/// Written straight into `body` (reused from one request to the next) rather than built as a JSON
/// tree: the generator's own CPU counts against the server's on a shared machine.
fn review_body(body: &mut String, button: &str, n: usize) {
    use std::fmt::Write;
    body.clear();
    let satisfaction = ["good", "good", "medium", "bad"][n % 4];
    let _ = write!(
        body,
        r#"{{"button_id":"{button}","answers":{{"satisfaction":"{satisfaction}","comprehension":{}"#,
        1 + n % 5
    );
    if n.is_multiple_of(3) {
        let _ = write!(
            body,
            r#","contact_tried":["phone","internet"],"contact_reached":{{"phone":"yes"}},"contact_satisfaction":{{"phone":{}}}"#,
            1 + n % 5
        );
    }
    let comment = COMMENTS[n % COMMENTS.len()];
    if n.is_multiple_of(5) && !comment.is_empty() {
        let _ = write!(body, r#","verbatim":{}"#, serde_json::Value::from(comment));
    }
    body.push_str("}}");
}

async fn phase(args: &Args, reviews: bool, seconds: u64) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = Vec::new();
    let (reviews_url, health_url) = (
        format!("{}/api/v1/reviews", args.url),
        format!("{}/api/v1/health", args.url),
    );
    for worker in 0..args.connections {
        let (reviews_url, health_url, buttons, stop, connections) = (
            reviews_url.clone(),
            health_url.clone(),
            args.buttons.clone(),
            stop.clone(),
            args.connections,
        );
        workers.push(tokio::spawn(async move {
            avis::accounts::oidc::install_tls_provider();
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let (mut latencies, mut errors) = (Vec::new(), 0);
            let stride = connections;
            let mut n = worker;
            let mut body = String::new();
            while !stop.load(Ordering::Relaxed) {
                // Each request is a different citizen: its own address and user agent.
                n += stride;
                let sent = Instant::now();
                let response = if reviews {
                    review_body(&mut body, &buttons[n % buttons.len()], n);
                    client
                        .post(&reviews_url)
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .header(
                            "X-Forwarded-For",
                            format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
                        )
                        .header("User-Agent", format!("Mozilla/5.0 load/{n}"))
                        .body(body.clone())
                        .send()
                        .await
                } else {
                    client.get(&health_url).send().await
                };
                let ok = match response {
                    Ok(r) => {
                        let good = r.status().is_success();
                        let _ = r.bytes().await;
                        good
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Phase {
        requests: 0,
        errors: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        let (latencies, errors) = worker.await.unwrap();
        all.errors += errors;
        all.latencies.extend(latencies);
    }
    all.elapsed = started.elapsed();
    all.requests = all.latencies.len();
    all.latencies.sort();
    all
}

#[tokio::main]
async fn main() {
    let args = <Args as clap::Parser>::parse();
    println!(
        "{} connections, {} s per phase, {} buttons",
        args.connections,
        args.seconds,
        args.buttons.len()
    );
    let ceiling = phase(&args, false, args.ceiling_seconds.unwrap_or(args.seconds)).await;
    ceiling.report("liveness (ceiling)");
    let ingest = phase(&args, true, args.seconds).await;
    ingest.report("review creation");
    println!(
        "ratio to the ceiling: {:.1} %",
        100.0 * ingest.per_second() / ceiling.per_second()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_review_body_is_the_json_it_means() {
        let mut body = String::new();
        for n in 0..60 {
            review_body(&mut body, "b-1", n);
            let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(parsed["button_id"], "b-1");
            let answers = &parsed["answers"];
            assert_eq!(answers["comprehension"], 1 + n % 5);
            assert_eq!(answers["contact_tried"].is_array(), n.is_multiple_of(3));
            let comment = COMMENTS[n % COMMENTS.len()];
            let expected = (n.is_multiple_of(5) && !comment.is_empty()).then_some(comment);
            assert_eq!(answers["verbatim"].as_str(), expected);
        }
    }
}
