//! Indicators served from the aggregates equal a naive computation over the raw reviews, for
//! random reviews over random days and buttons, updated, excluded and restored at random. The
//! generators and the naive computation serve the dashboards' test too.

use std::collections::BTreeMap;

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use avis::domain::time::paris_day;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

#[derive(Debug, Clone)]
pub struct Raw {
    satisfaction: usize,
    comprehension: Option<u8>,
    tried: u16,
    reached: [u8; 4],
    quality: [u8; 4],
    verbatim: bool,
}

#[derive(Debug, Clone)]
pub struct Generated {
    pub button: usize,
    pub minutes: i64,
    pub first: Raw,
    pub update: Option<Raw>,
    pub excluded: bool,
    pub restored: bool,
}

const ADMIN: [Channel; 4] = [
    Channel::Counter,
    Channel::Phone,
    Channel::Email,
    Channel::Chat,
];

/// Turns random material into answers that obey the questionnaire's rules.
pub fn answers(raw: &Raw) -> Answers {
    let tried: Vec<Channel> = if raw.tried & 0x100 != 0 {
        vec![Channel::None]
    } else {
        Channel::ALL[..8]
            .iter()
            .enumerate()
            .filter(|(i, _)| raw.tried & (1 << i) != 0)
            .map(|(_, c)| *c)
            .collect()
    };
    let reached: BTreeMap<Channel, Reached> = ADMIN
        .iter()
        .zip(raw.reached)
        .filter(|(c, r)| tried.contains(c) && *r != 0)
        .map(|(c, r)| (*c, if r == 1 { Reached::Yes } else { Reached::No }))
        .collect();
    let quality: BTreeMap<Channel, Score> = ADMIN
        .iter()
        .zip(raw.quality)
        .filter(|(c, q)| reached.get(c) == Some(&Reached::Yes) && *q != 0)
        .map(|(c, q)| (*c, Score::try_from(q).unwrap()))
        .collect();
    Answers {
        satisfaction: Some(
            [Satisfaction::Bad, Satisfaction::Medium, Satisfaction::Good][raw.satisfaction],
        ),
        comprehension: raw.comprehension.map(|v| Score::try_from(v).unwrap()),
        contact_tried_other: None,
        contact_tried: (!tried.is_empty()).then(|| tried.into_iter().collect()),
        contact_reached: (!reached.is_empty()).then_some(reached),
        contact_satisfaction: (!quality.is_empty()).then_some(quality),
        verbatim: raw.verbatim.then(|| "avis".to_owned()),
    }
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0..3usize,
        prop::option::of(1..=5u8),
        0..0x200u16,
        [0..3u8, 0..3u8, 0..3u8, 0..3u8],
        [0..6u8, 0..6u8, 0..6u8, 0..6u8],
        any::<bool>(),
    )
        .prop_map(
            |(satisfaction, comprehension, tried, reached, quality, verbatim)| Raw {
                satisfaction,
                comprehension,
                tried,
                reached,
                quality,
                verbatim,
            },
        )
}

pub fn generated() -> impl Strategy<Value = Generated> {
    // Minutes over 70 days around the start of summer time, so some reviews fall at the edges of
    // days and months, and reviews arrive out of order (moving the running totals of later days).
    (
        0..3usize,
        0..70 * 24 * 60i64,
        raw(),
        prop::option::of(raw()),
        prop::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(
            |(button, minutes, first, update, excluded, restored)| Generated {
                button,
                minutes,
                first,
                update,
                excluded,
                restored,
            },
        )
}

/// An indicator's value, n and distribution.
pub type Expected = (Option<f64>, i64, BTreeMap<String, i64>);

/// The reference: each indicator's value, n and distribution, straight from the reviews.
pub fn naive(
    reviews: &[(Date, Answers)],
    from: Date,
    to: Date,
) -> BTreeMap<&'static str, Expected> {
    let kept: Vec<&Answers> = reviews
        .iter()
        .filter(|(d, _)| *d >= from && *d <= to)
        .map(|(_, a)| a)
        .collect();
    let round = |v: f64, d: i32| (v * 10f64.powi(d)).round() / 10f64.powi(d);
    let mean = |points: &[f64]| {
        (!points.is_empty()).then(|| round(points.iter().sum::<f64>() / points.len() as f64, 2))
    };
    let share = |hits: usize, n: usize| (n > 0).then(|| round(hits as f64 / n as f64, 4));
    let mut out = BTreeMap::new();

    let sat: Vec<Satisfaction> = kept.iter().filter_map(|a| a.satisfaction).collect();
    let points: Vec<f64> = sat
        .iter()
        .map(|s| match s {
            Satisfaction::Good => 10.0,
            Satisfaction::Medium => 5.0,
            Satisfaction::Bad => 0.0,
        })
        .collect();
    let mut dist = BTreeMap::new();
    if !sat.is_empty() {
        for (name, value) in [
            ("good", Satisfaction::Good),
            ("medium", Satisfaction::Medium),
            ("bad", Satisfaction::Bad),
        ] {
            dist.insert(
                name.to_owned(),
                sat.iter().filter(|s| **s == value).count() as i64,
            );
        }
    }
    out.insert("satisfaction", (mean(&points), sat.len() as i64, dist));

    let scale = |scores: Vec<u8>| {
        let points: Vec<f64> = scores.iter().map(|v| f64::from(v - 1) * 2.5).collect();
        let mut dist = BTreeMap::new();
        if !scores.is_empty() {
            for v in 1..=5u8 {
                dist.insert(
                    v.to_string(),
                    scores.iter().filter(|s| **s == v).count() as i64,
                );
            }
        }
        (mean(&points), scores.len() as i64, dist)
    };
    out.insert(
        "comprehension",
        scale(
            kept.iter()
                .filter_map(|a| a.comprehension.map(Score::get))
                .collect(),
        ),
    );
    out.insert(
        "help_quality",
        scale(
            kept.iter()
                .flat_map(|a| {
                    a.contact_satisfaction
                        .iter()
                        .flatten()
                        .map(|(_, s)| s.get())
                })
                .collect(),
        ),
    );

    let reached: Vec<Reached> = kept
        .iter()
        .flat_map(|a| a.contact_reached.iter().flatten().map(|(_, r)| *r))
        .collect();
    let yes = reached.iter().filter(|r| **r == Reached::Yes).count();
    let dist = if reached.is_empty() {
        BTreeMap::new()
    } else {
        BTreeMap::from([
            ("yes".to_owned(), yes as i64),
            ("no".to_owned(), (reached.len() - yes) as i64),
        ])
    };
    out.insert(
        "help_reachable",
        (share(yes, reached.len()), reached.len() as i64, dist),
    );

    let tried: Vec<_> = kept
        .iter()
        .filter_map(|a| a.contact_tried.as_ref())
        .collect();
    let alone = tried
        .iter()
        .filter(|t| t.len() == 1 && t.contains(&Channel::None))
        .count();
    let mut dist = BTreeMap::new();
    if !tried.is_empty() {
        for channel in Channel::ALL {
            dist.insert(
                channel.code().to_owned(),
                tried.iter().filter(|t| t.contains(&channel)).count() as i64,
            );
        }
    }
    out.insert(
        "autonomy",
        (share(alone, tried.len()), tried.len() as i64, dist),
    );
    out
}

/// Cases run so far: each starts a year after the one before, so that its days come after those
/// closed by the cases before (the database is shared), around the start of summer time still.
static CASES: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Writes `reviews` in order, closing the days up to offset `close.1` before review `close.0`
/// (modulo their number plus one: after the last), so that reviews of earlier days then move
/// running totals and those of later days day counters only; then compares the indicators of
/// `window` with a naive computation.
async fn check(
    app: &TestApp,
    key: &str,
    reviews: Vec<Generated>,
    window: (i64, i64),
    close: (usize, i64),
) -> Result<(), TestCaseError> {
    let first = app.button().await;
    let buttons = [
        first.clone(),
        app.sibling(&first, false).await,
        app.sibling(&first, true).await,
    ];
    let case = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let origin = jiff::civil::date(2026, 2, 20)
        .checked_add(case.years())
        .unwrap();
    let day = |offset: i64| origin.checked_add(offset.days()).unwrap();
    let start = origin
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    let mut counted = Vec::new();
    let close_before = close.0 % (reviews.len() + 1);
    for (n, review) in reviews.iter().enumerate() {
        if n == close_before {
            app.store.close_days(day(close.1)).await.unwrap();
        }
        let at = start.checked_add(review.minutes.minutes()).unwrap();
        let id = app
            .review_at(
                &buttons[review.button],
                &at.to_string(),
                &answers(&review.first),
            )
            .await;
        if review.excluded {
            app.store.exclude_review(id, "burst", None).await.unwrap();
        }
        let mut last = answers(&review.first);
        if let Some(update) = &review.update {
            last = answers(update);
            let next = last.clone();
            app.store
                .update_review(id, Timestamp::now(), 0, move |_| Ok::<_, ()>(next))
                .await
                .unwrap();
        }
        if review.excluded && review.restored {
            app.store
                .restore_review(id, "false alarm", None)
                .await
                .unwrap();
        }
        if review.button != 2 && (!review.excluded || review.restored) {
            counted.push((paris_day(at), last));
        }
    }
    if close_before == reviews.len() {
        app.store.close_days(day(close.1)).await.unwrap();
    }
    let (from, to) = (day(window.0.min(window.1)), day(window.0.max(window.1)));
    let path = format!(
        "/api/v1/procedures/{}/indicators?from={from}&to={to}",
        first.procedure_id
    );
    let body: Value = app.get_with(&path, key).await.json().await.unwrap();
    for (name, (value, n, distribution)) in naive(&counted, from, to) {
        let served = &body["indicators"][name];
        prop_assert_eq!(served["value"].as_f64(), value, "{} value", name);
        prop_assert_eq!(served["n"].as_i64(), Some(n), "{} n", name);
        let served_distribution: BTreeMap<String, i64> =
            serde_json::from_value(served["distribution"].clone()).unwrap();
        prop_assert_eq!(served_distribution, distribution, "{} distribution", name);
    }
    let drift = app.store.check_counters(false).await.unwrap();
    prop_assert!(drift.differences.is_empty(), "{:?}", drift.differences);
    Ok(())
}

#[test]
fn indicators_from_aggregates_equal_a_naive_computation_over_reviews() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let key = runtime.block_on(app.key(Scope::Admin, None));
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(generated(), 0..40),
        (0..70i64, 0..70i64),
        (0..40usize, -1..70i64),
    );
    runner
        .run(&strategy, |(reviews, window, close)| {
            runtime.block_on(check(&app, &key, reviews, window, close))
        })
        .unwrap();
}

#[tokio::test]
async fn seeded_reviews_keep_counters_consistent_across_batches() {
    let app = spawn_app().await;
    // Batches of 250 over 20 days: most batches end in the middle of a day the next one
    // continues, the case where running totals written from memory must replace, not add.
    let rate = avis::seed::seed(&app.store, 3_000, 4, 20, 250)
        .await
        .unwrap();
    assert!(rate > 0.0);
    let drift = app.store.check_counters(false).await.unwrap();
    assert_eq!(drift.reviews, 3_000);
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
    let today = paris_day(Timestamp::now());
    let sums = app
        .store
        .sum_counters(today.checked_sub(30.days()).unwrap(), today, None)
        .await
        .unwrap();
    let answered: i64 = sums
        .values()
        .map(|c| {
            ["good", "medium", "bad"]
                .map(|v| c.get("satisfaction", v))
                .iter()
                .sum::<i64>()
        })
        .sum();
    assert_eq!((sums.len(), answered), (4, 3_000));
}
