//! A CSV export of many reviews keeps the server's memory flat and starts at once: the real
//! binary, seeded with `avis seed`, its resident size read from `/proc` while the file streams.
//! `AVIS_EXPORT_MEMORY_REVIEWS` sets how many reviews (one million by default).

use std::time::{Duration, Instant};

use crate::crash::{cli, serve};
use crate::helpers::{fresh_database, http_client};

/// The resident size of a process, in kibibytes.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_of_a_million_reviews_streams_at_once_in_flat_memory() {
    let reviews: u64 = std::env::var("AVIS_EXPORT_MEMORY_REVIEWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let (url, _dir) = fresh_database().await;
    let seeding = Instant::now();
    cli(
        &url,
        &[
            "seed",
            "--reviews",
            &reviews.to_string(),
            "--procedures",
            "3",
            "--days",
            "90",
        ],
    );
    let seeded = seeding.elapsed();
    let key = cli(&url, &["keys", "create", "--scope", "admin"]);
    let (mut child, base) = serve(&url);
    let pid = child.id();
    let client = http_client().build().unwrap();
    let export = format!("{base}/api/v1/reviews/export?format=csv");
    // A first small export warms the pools and the allocator up.
    let warm = client
        .get(format!("{export}&from=2000-01-01&to=2000-01-02"))
        .bearer_auth(key.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 200);
    warm.bytes().await.unwrap();
    let baseline = resident_kib(pid);

    let started = Instant::now();
    let mut response = client
        .get(&export)
        .bearer_auth(key.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut first_byte = None;
    let (mut lines, mut bytes, mut peak) = (0u64, 0u64, baseline);
    let mut sampled = Instant::now();
    while let Some(chunk) = response.chunk().await.unwrap() {
        first_byte.get_or_insert_with(|| started.elapsed());
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bytes += chunk.len() as u64;
        if sampled.elapsed() >= Duration::from_millis(50) {
            peak = peak.max(resident_kib(pid));
            sampled = Instant::now();
        }
    }
    let streamed = started.elapsed();
    peak = peak.max(resident_kib(pid));
    child.kill().unwrap();
    child.wait().unwrap();

    let first_byte = first_byte.unwrap();
    let grown_mib = peak.saturating_sub(baseline) / 1024;
    eprintln!(
        "{reviews} reviews seeded in {:.1} s; exported {} MB in {:.1} s ({:.0} rows/s), first byte \
         after {} ms; resident {} MiB before, {} MiB at most while streaming (+{grown_mib} MiB)",
        seeded.as_secs_f64(),
        bytes / 1_000_000,
        streamed.as_secs_f64(),
        reviews as f64 / streamed.as_secs_f64(),
        first_byte.as_millis(),
        baseline / 1024,
        peak / 1024,
    );
    assert_eq!(lines, reviews + 1, "a header and one line per review");
    assert!(
        first_byte < Duration::from_secs(1),
        "first byte after {first_byte:?}"
    );
    // One batch is about a megabyte of rows; the bound leaves room for the allocator and the
    // database's caches, far below what a whole export held in memory would take.
    assert!(
        grown_mib < 96,
        "resident size grew by {grown_mib} MiB while streaming {} MB",
        bytes / 1_000_000
    );
}
