//! The counts of `statistiques` against a plain count of the reviews sent: every answer one
//! count under its interval (Paris days, ISO weeks, months, years, the whole window), reviews at
//! both bounds of a window, around midnight in Paris and UTC, across a change of year and the
//! change to summer time, on buttons of every kind.

use std::collections::BTreeMap;

use avis::domain::answers::{Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::super::observatory::store_review;
use super::super::reference::{Row, random_answers};
use super::super::{Imported, product, spawn_compat};
use super::{millis, statistiques};

/// Count of one option in one interval of one product; children are keyed by their channel's
/// label too.
type Counts = BTreeMap<Vec<String>, i64>;

const INTERVALS: [&str; 5] = ["day", "week", "month", "year", "none"];

fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "Au guichet avec l’administration",
        Channel::Phone => "Par téléphone avec l’administration",
        Channel::Email => "Par e-mail avec l’administration",
        Channel::Chat => "Par chat avec l’administration",
        Channel::Relative => "Une personne proche",
        Channel::Association => "Une association",
        Channel::Internet => "Des sites internet",
        Channel::Other => "Autres, précisez",
        Channel::None => "Je n'ai pas eu besoin d'aide",
    }
}

fn scale(score: Score) -> &'static str {
    ["very_bad", "bad", "medium", "good", "very_good"][usize::from(score.get()) - 1]
}

fn rating(score: Score) -> &'static str {
    [
        "Très mauvaise",
        "Mauvaise",
        "Ni bonne, ni mauvaise",
        "Bonne",
        "Excellente",
    ][usize::from(score.get()) - 1]
}

/// How the incumbent's layout names the interval holding `at`, avis cutting Paris days.
fn interval_of(at: i64, interval: &str) -> String {
    let paris = TimeZone::get("Europe/Paris").unwrap();
    let day: Date = paris
        .to_datetime(Timestamp::from_millisecond(at).unwrap())
        .date();
    let start = match interval {
        "day" => day,
        "week" => day - i64::from(day.weekday().to_monday_zero_offset()).days(),
        "month" => day.first_of_month(),
        "year" => day.first_of_year(),
        _ => return "all_time".to_owned(),
    };
    let midnight = start.to_zoned(paris).unwrap();
    jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%S.000%:z", &midnight).unwrap()
}

/// The counts the incumbent's answer should hold for `rows` within `[first, last]`.
fn expected(rows: &[(i64, Row)], first: i64, last: i64, interval: &str) -> Counts {
    let mut counts = Counts::new();
    for (product, row) in rows
        .iter()
        .filter(|(_, r)| r.counts && r.at >= first && r.at <= last)
    {
        let at = vec![product.to_string(), interval_of(row.at, interval)];
        let mut count = |path: &[&str]| {
            let mut key = at.clone();
            key.extend(path.iter().map(|p| (*p).to_owned()));
            *counts.entry(key).or_default() += 1;
        };
        let a = &row.answers;
        if let Some(s) = a.satisfaction {
            let label = match s {
                Satisfaction::Bad => "Pas bien",
                Satisfaction::Medium => "Moyen",
                Satisfaction::Good => "Très bien",
            };
            count(&["satisfaction", s.code(), label]);
        }
        if let Some(score) = a.comprehension {
            count(&["comprehension", scale(score), &score.get().to_string()]);
        }
        let mut tried: Vec<Channel> = a.contact_tried.iter().flatten().copied().collect();
        if row.beside {
            tried.push(Channel::None);
        }
        for channel in tried {
            let intention = if channel == Channel::None {
                "good"
            } else {
                "neutral"
            };
            count(&["contact_tried", intention, channel_label(channel)]);
        }
        for (channel, reached) in a.contact_reached.iter().flatten() {
            let (intention, label) = match reached {
                Reached::Yes => ("good", "Oui"),
                Reached::No => ("bad", "Non"),
            };
            count(&["contact_reached", intention, label]);
            count(&[
                "contact_tried",
                channel_label(*channel),
                "contact_reached",
                intention,
                label,
            ]);
        }
        for (channel, score) in a.contact_satisfaction.iter().flatten() {
            let hit = [scale(*score), rating(*score)];
            count(&["contact_satisfaction", hit[0], hit[1]]);
            let parent = channel_label(*channel);
            count(&[
                "contact_tried",
                parent,
                "contact_satisfaction",
                hit[0],
                hit[1],
            ]);
        }
    }
    counts
}

/// The counts an answer holds, keyed as [`expected`] keys them.
fn read(body: &Value, interval: &str) -> Counts {
    let mut counts = Counts::new();
    for product in body["data"].as_array().unwrap() {
        let forms = product["forms"].as_array().unwrap();
        assert_eq!(forms.len(), 1);
        for period in forms[0]["intervals"].as_array().unwrap() {
            assert_eq!(period["length_interval"], interval);
            let at = vec![
                product["product_id"].as_str().unwrap().to_owned(),
                period["date"].as_str().unwrap().to_owned(),
            ];
            for category in period["data"].as_array().unwrap() {
                let code = category["category"].as_str().unwrap();
                for hit in category["number_hits"].as_array().unwrap() {
                    let label = hit["label"].as_str().unwrap();
                    let mut key = at.clone();
                    key.extend([code, hit["intention"].as_str().unwrap(), label].map(String::from));
                    assert!(counts.insert(key, hit["count"].as_i64().unwrap()).is_none());
                    for child in hit["children"].as_array().into_iter().flatten() {
                        for grandchild in child["number_hits"].as_array().unwrap() {
                            let mut key = at.clone();
                            key.extend(
                                [
                                    code,
                                    label,
                                    child["category"].as_str().unwrap(),
                                    grandchild["intention"].as_str().unwrap(),
                                    grandchild["label"].as_str().unwrap(),
                                ]
                                .map(String::from),
                            );
                            counts.insert(key, grandchild["count"].as_i64().unwrap());
                        }
                    }
                }
            }
        }
    }
    counts
}

#[tokio::test]
async fn the_counts_are_those_of_the_reviews_sent_in_every_interval() {
    let app = spawn_compat().await;
    let (_, first) = product(
        &app,
        3977,
        false,
        &[
            (4400, None, false, false),
            (4401, Some("site"), true, false),
            (4402, None, false, true),
        ],
    )
    .await;
    let (_, second) = product(&app, 5000, true, &[(6000, None, false, false)]).await;
    let buttons: Vec<(i64, Imported)> = first
        .iter()
        .map(|b| (3977, *b))
        .chain(second.iter().map(|b| (5000, *b)))
        .collect();
    let mut rng = StdRng::seed_from_u64(34);
    // Around the new year, and across the change to summer time (30 March 2025).
    let spans = [
        millis("2024-12-24T00:00:00Z"),
        millis("2025-03-25T00:00:00Z"),
    ];
    let mut times: Vec<i64> = Vec::new();
    for n in 0..240 {
        let start = spans[n % 2] + rng.random_range(0..12) * 86_400_000;
        times.push(if n % 3 == 0 {
            // Between 21:00 and 01:00 UTC: midnight in Paris and in UTC.
            start + 21 * 3_600_000 + rng.random_range(0..4 * 3_600_000)
        } else {
            start + rng.random_range(0..86_400_000)
        });
    }
    // At both bounds of the first window below, and just outside them.
    for bound in [
        "2024-12-27T23:59:59.999Z",
        "2024-12-28T00:00:00Z",
        "2025-01-03T23:59:59.999Z",
        "2025-01-04T00:00:00Z",
    ] {
        times.extend([millis(bound); 3]);
    }
    let mut rows: Vec<(i64, Row)> = Vec::new();
    for (n, at) in times.into_iter().enumerate() {
        let (product, button) = buttons[rng.random_range(0..buttons.len())];
        let answers = random_answers(&mut rng);
        let beside = answers
            .contact_tried
            .as_ref()
            .is_some_and(|t| !t.contains(&Channel::None))
            && rng.random_bool(0.2);
        let row = Row {
            button: button.legacy,
            at,
            answers,
            counts: rng.random_range(0..15) != 0,
            beside,
        };
        store_review(&app, &button, &row).await;
        rows.push((product, row));
        if n == 120 {
            app.store
                .close_days("2025-01-02".parse().unwrap())
                .await
                .unwrap();
        }
    }

    let key = app.key(Scope::IndicatorsRead, None).await;
    let windows = [
        (
            json!("2024-12-28"),
            json!("2025-01-03"),
            millis("2024-12-28T00:00:00Z"),
            millis("2025-01-03T23:59:59.999Z"),
        ),
        (
            json!(millis("2025-03-27T22:30:00Z").to_string()),
            json!("2025-04-02T12:00:00Z"),
            millis("2025-03-27T22:30:00Z"),
            millis("2025-04-02T12:00:00Z"),
        ),
        (
            json!("2024-12-01"),
            json!("2025-04-30"),
            millis("2024-12-01T00:00:00Z"),
            millis("2025-04-30T23:59:59.999Z"),
        ),
    ];
    for (start, end, first, last) in windows {
        for interval in INTERVALS {
            let body = json!({"start_date": start, "end_date": end, "product_ids": [3977, 5000], "interval": interval});
            let response = statistiques(&app, Some(&key), &body).await;
            assert_eq!(response.status(), StatusCode::OK);
            let answer: Value = response.json().await.unwrap();
            let want = expected(&rows, first, last, interval);
            assert!(!want.is_empty());
            assert_eq!(read(&answer, interval), want, "{body}");
        }
    }
}
