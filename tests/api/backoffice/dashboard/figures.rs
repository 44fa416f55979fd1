//! A procedure's tiles and chart tables show the observatory API's figures to the last digit
//! (for one button, those of a naive count over its reviews), for random reviews, windows,
//! buttons and groupings, and its CSV files say the same.

use avis::domain::answers::{Answers, Channel, Reached};
use avis::domain::catalog::Scope;
use avis::domain::time::paris_day;
use jiff::civil::Date;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use super::super::World;
use super::*;
use crate::helpers::spawn_app;
use crate::properties::{Expected, Generated, answers, generated, naive};

/// Writes `reviews` from `start` on (closing the days up to `close.1` days after it before review
/// `close.0`), excluding, updating and restoring them as generated; returns those that count,
/// with their button's index and their Paris day.
async fn write(
    app: &TestApp,
    buttons: &[Button],
    reviews: &[Generated],
    start: Timestamp,
    close: (usize, i64),
) -> Vec<(usize, Date, Answers)> {
    let mut counted = Vec::new();
    for (i, review) in reviews.iter().enumerate() {
        if i == close.0 {
            let day = paris_day(start).checked_add(close.1.days()).unwrap();
            app.store.close_days(day).await.unwrap();
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
        if !buttons[review.button].is_test && (!review.excluded || review.restored) {
            counted.push((review.button, paris_day(at), last));
        }
    }
    counted
}

/// What a case asks the dashboard for.
#[derive(Debug, Clone)]
struct Asked {
    /// `12m`, `3m`, or days before today of both ends.
    window: Result<&'static str, (i64, i64)>,
    button: Option<usize>,
    interval: Option<&'static str>,
}

fn asked() -> impl Strategy<Value = Asked> {
    let window = prop_oneof![
        Just(Ok("12m")),
        Just(Ok("3m")),
        (0..90i64, 0..90i64).prop_map(Err),
    ];
    let interval = prop::option::of(prop_oneof![Just("day"), Just("week"), Just("month")]);
    (window, prop::option::of(0..2usize), interval).prop_map(|(window, button, interval)| Asked {
        window,
        button,
        interval,
    })
}

/// The indicators' distributions for each question the dashboard charts.
const QUESTIONS: [(&str, &str); 5] = [
    ("satisfaction", "satisfaction"),
    ("comprehension", "comprehension"),
    ("contact_tried", "autonomy"),
    ("contact_reached", "help_reachable"),
    ("contact_satisfaction", "help_quality"),
];

/// Per help channel: tried, reached, not reached, help quality (value, n), straight from the
/// reviews.
fn naive_channels(
    reviews: &[&Answers],
) -> BTreeMap<&'static str, (i64, i64, i64, Option<f64>, i64)> {
    Channel::ALL
        .into_iter()
        .map(|channel| {
            let tried = reviews
                .iter()
                .filter(|a| {
                    a.contact_tried
                        .as_ref()
                        .is_some_and(|t| t.contains(&channel))
                })
                .count() as i64;
            let reached = |answer: Reached| {
                reviews
                    .iter()
                    .filter(|a| {
                        a.contact_reached.as_ref().and_then(|r| r.get(&channel)) == Some(&answer)
                    })
                    .count() as i64
            };
            let scores: Vec<f64> = reviews
                .iter()
                .filter_map(|a| a.contact_satisfaction.as_ref()?.get(&channel))
                .map(|s| f64::from(s.get() - 1) * 2.5)
                .collect();
            let quality = (!scores.is_empty()).then(|| {
                (scores.iter().sum::<f64>() / scores.len() as f64 * 100.0).round() / 100.0
            });
            (
                channel.code(),
                (
                    tried,
                    reached(Reached::Yes),
                    reached(Reached::No),
                    quality,
                    scores.len() as i64,
                ),
            )
        })
        .collect()
}

struct Case<'a> {
    app: &'a TestApp,
    key: &'a str,
    browser: &'a Browser,
    procedure: &'a Procedure,
    buttons: &'a [Button],
    counted: &'a [(usize, Date, Answers)],
}

impl Case<'_> {
    /// The reviews of the chosen button (or all) on days `from` to `to`.
    fn chosen(&self, button: Option<usize>, from: Date, to: Date) -> Vec<(Date, Answers)> {
        self.counted
            .iter()
            .filter(|(b, d, _)| button.is_none_or(|x| x == *b) && *d >= from && *d <= to)
            .map(|(_, d, a)| (*d, a.clone()))
            .collect()
    }

    async fn api(&self, path: &str) -> Value {
        let response = self.app.get_with(path, self.key).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }
}

fn date(value: &Value) -> Date {
    value.as_str().unwrap().parse().unwrap()
}

fn expected_counts(expected: &Expected) -> &BTreeMap<String, i64> {
    &expected.2
}

async fn check(case: &Case<'_>, asked: &Asked) -> Result<(), TestCaseError> {
    let today = paris_day(Timestamp::now());
    let window = match asked.window {
        Ok(months) => format!("window={months}"),
        Err((a, b)) => {
            let day = |n: i64| today.checked_sub(n.days()).unwrap();
            format!("from={}&to={}", day(a.max(b)), day(a.min(b)))
        }
    };
    let id = case.procedure.id;
    let indicators = case
        .api(&format!("/api/v1/procedures/{id}/indicators?{window}"))
        .await;
    let (from, to) = (
        date(&indicators["window"]["from"]),
        date(&indicators["window"]["to"]),
    );
    let days = (to - from).get_days() as i64 + 1;
    let interval = asked.interval.unwrap_or(match days {
        ..=45 => "day",
        46..=200 => "week",
        _ => "month",
    });
    let series = case
        .api(&format!(
            "/api/v1/procedures/{id}/indicators/series?interval={interval}&{window}"
        ))
        .await;
    let before_to = from.yesterday().unwrap();
    let before_from = before_to.checked_sub((days - 1).days()).unwrap();
    let previous = case
        .api(&format!(
            "/api/v1/procedures/{id}/indicators?from={before_from}&to={before_to}"
        ))
        .await;

    let mut query = window.clone();
    if let Some(b) = asked.button {
        query += &format!("&button={}", case.buttons[b].id);
    }
    if let Some(i) = asked.interval {
        query += &format!("&interval={i}");
    }
    let page = page_text(
        case.browser
            .get(&format!("/admin/procedures/{id}?{query}"))
            .await,
    )
    .await;
    prop_assert!(page.contains(&format!("{from} – {to}")), "the window shown");

    // The tiles: the API's figures, or for one button a naive count's.
    let reference = naive(&case.chosen(asked.button, from, to), from, to);
    let earlier = naive(
        &case.chosen(asked.button, before_from, before_to),
        before_from,
        before_to,
    );
    let indicators_csv = csv(
        case.browser,
        &format!("/admin/procedures/{id}/charts/indicators.csv?{query}"),
    )
    .await;
    for (name, (value, n, _)) in &reference {
        let shown = tile(&page, name);
        prop_assert_eq!(shown.value, *value, "{} value", name);
        prop_assert_eq!(shown.n, *n, "{} n", name);
        let change = value
            .zip(earlier[name].0)
            .map(|(now, then)| round4(now - then));
        prop_assert_eq!(shown.change, change, "{} change", name);
        let record = indicators_csv
            .iter()
            .find(|r| r["indicator"] == *name)
            .unwrap();
        prop_assert_eq!(cell_number(record, "value"), *value, "{} csv", name);
        prop_assert_eq!(record["n"].parse::<i64>().unwrap(), *n);
        if asked.button.is_none() {
            let served = &indicators["indicators"][name];
            prop_assert_eq!(shown.value, served["value"].as_f64(), "{} API value", name);
            prop_assert_eq!(Some(shown.n), served["n"].as_i64());
            let ci: Vec<f64> = served["ci95"]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_f64().unwrap()).collect())
                .unwrap_or_default();
            prop_assert_eq!(&shown.ci, &ci, "{} interval", name);
            prop_assert_eq!(
                shown.level.as_deref(),
                served["level"].as_str(),
                "{} level",
                name
            );
            prop_assert_eq!(Some(shown.publishable), served["publishable"].as_bool());
            prop_assert_eq!(cell_number(record, "ci95_low"), ci.first().copied());
            prop_assert_eq!(record["publishable"] == "true", shown.publishable);
            let then = previous["indicators"][name]["value"].as_f64();
            prop_assert_eq!(
                shown.change,
                served["value"]
                    .as_f64()
                    .zip(then)
                    .map(|(a, b)| round4(a - b))
            );
        }
    }

    // Satisfaction over time: the API's series, bucket by bucket.
    let buckets = series["series"].as_array().unwrap();
    let shown = rows(&page, "satisfaction");
    let series_csv = csv(
        case.browser,
        &format!("/admin/procedures/{id}/charts/satisfaction.csv?{query}"),
    )
    .await;
    prop_assert_eq!(shown.len(), buckets.len());
    prop_assert_eq!(series_csv.len(), buckets.len());
    for ((bucket, (_, cells)), record) in buckets.iter().zip(&shown).zip(&series_csv) {
        let (b_from, b_to) = (date(&bucket["from"]), date(&bucket["to"]));
        let (value, n) = if asked.button.is_none() {
            let s = &bucket["indicators"]["satisfaction"];
            (s["value"].as_f64(), s["n"].as_i64().unwrap())
        } else {
            let r = naive(&case.chosen(asked.button, b_from, b_to), b_from, b_to);
            (r["satisfaction"].0, r["satisfaction"].1)
        };
        prop_assert_eq!(&cells[0], &b_from.to_string());
        prop_assert_eq!(&cells[1], &b_to.to_string());
        prop_assert_eq!(first(&cells[2]), value, "bucket {}", b_from);
        prop_assert_eq!(cells[3].parse::<i64>().unwrap(), n);
        prop_assert_eq!(&record["from"], &b_from.to_string());
        prop_assert_eq!(cell_number(record, "value"), value);
        prop_assert_eq!(record["n"].parse::<i64>().unwrap(), n);
    }

    // Answers to each question: the indicators' distributions.
    let shown = rows(&page, "questions");
    let questions_csv = csv(
        case.browser,
        &format!("/admin/procedures/{id}/charts/questions.csv?{query}"),
    )
    .await;
    prop_assert!(!shown.is_empty());
    for (open, cells) in &shown {
        let (question, value) = (
            attribute(open, "data-question"),
            attribute(open, "data-value"),
        );
        let indicator = QUESTIONS.iter().find(|(q, _)| *q == question).unwrap().1;
        let expected = if asked.button.is_none() {
            indicators["indicators"][indicator]["distribution"][&value]
                .as_i64()
                .unwrap_or(0)
        } else {
            expected_counts(&reference[indicator])
                .get(&value)
                .copied()
                .unwrap_or(0)
        };
        let count = &cells[cells.len() - 2];
        prop_assert_eq!(
            count.parse::<i64>().unwrap(),
            expected,
            "{}={}",
            question,
            value
        );
        let record = questions_csv
            .iter()
            .find(|r| r["question"] == question && r["value"] == value)
            .unwrap();
        prop_assert_eq!(record["count"].parse::<i64>().unwrap(), expected);
    }

    // Help channels: each one's own counts, quality and reachable help.
    let chosen = case.chosen(asked.button, from, to);
    let expected = naive_channels(&chosen.iter().map(|(_, a)| a).collect::<Vec<_>>());
    let channels_csv = csv(
        case.browser,
        &format!("/admin/procedures/{id}/charts/channels.csv?{query}"),
    )
    .await;
    for (open, cells) in rows(&page, "channels") {
        let channel = attribute(&open, "data-channel");
        let (tried, yes, no, quality, rated) = expected[channel.as_str()];
        prop_assert_eq!(cells[1].parse::<i64>().unwrap(), tried, "{} tried", channel);
        let record = channels_csv
            .iter()
            .find(|r| r["channel"] == channel)
            .unwrap();
        prop_assert_eq!(record["tried"].parse::<i64>().unwrap(), tried);
        if Channel::parse(&channel).unwrap().is_administration() {
            prop_assert_eq!(cells[2].parse::<i64>().unwrap(), yes);
            prop_assert_eq!(cells[3].parse::<i64>().unwrap(), no);
            let share = (yes + no > 0).then(|| round4(yes as f64 / (yes + no) as f64));
            prop_assert_eq!(first(&cells[4]), share, "{} reachable", channel);
            prop_assert_eq!(first(&cells[5]), quality, "{} quality", channel);
            prop_assert_eq!(cells[6].parse::<i64>().unwrap(), rated);
            prop_assert_eq!(cell_number(record, "help_quality"), quality);
            prop_assert_eq!(record["reached_yes"].parse::<i64>().unwrap(), yes);
        } else {
            prop_assert_eq!(&cells[2], "—");
        }
    }

    // Per button: every counting button's own figures, whichever button is chosen.
    let buttons_csv = csv(
        case.browser,
        &format!("/admin/procedures/{id}/charts/buttons.csv?{query}"),
    )
    .await;
    let shown = rows(&page, "buttons");
    prop_assert_eq!(shown.len(), 2, "counting buttons only");
    for (i, button) in case.buttons.iter().enumerate().filter(|(_, b)| !b.is_test) {
        let (_, cells) = shown
            .iter()
            .find(|(open, _)| attribute(open, "data-button") == button.id.to_string())
            .unwrap();
        let expected = naive(&case.chosen(Some(i), from, to), from, to);
        prop_assert_eq!(first(&cells[2]), expected["satisfaction"].0, "button {}", i);
        prop_assert_eq!(cells[3].parse::<i64>().unwrap(), expected["satisfaction"].1);
        prop_assert_eq!(first(&cells[5]), expected["comprehension"].0);
        prop_assert_eq!(first(&cells[8]), expected["autonomy"].0);
        let record = buttons_csv
            .iter()
            .find(|r| r["button_id"] == button.id.to_string())
            .unwrap();
        prop_assert_eq!(
            cell_number(record, "satisfaction"),
            expected["satisfaction"].0
        );
        prop_assert_eq!(
            record["help_quality_n"].parse::<i64>().unwrap(),
            expected["help_quality"].1
        );
    }
    Ok(())
}

#[test]
fn a_dashboard_shows_the_observatory_api_s_figures_for_any_window_button_and_grouping() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let world = runtime.block_on(World::new(&app));
    let key = runtime.block_on(app.key(Scope::IndicatorsRead, None));
    let browser = runtime.block_on(world.browser(&app, Some(&world.member)));
    let cases = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 10,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(generated(), 0..40),
        (0..40usize, 0..70i64),
        prop::collection::vec(asked(), 3),
    );
    runner
        .run(&strategy, |(reviews, close, asks)| {
            runtime.block_on(async {
                let n = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (procedure, buttons) =
                    procedure_with_buttons(&app, world.organisation.id, &format!("Démarche {n}"))
                        .await;
                let start = paris_day(Timestamp::now())
                    .checked_sub(75.days())
                    .unwrap()
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .unwrap()
                    .timestamp();
                let counted = write(&app, &buttons, &reviews, start, close).await;
                let case = Case {
                    app: &app,
                    key: &key,
                    browser: &browser,
                    procedure: &procedure,
                    buttons: &buttons,
                    counted: &counted,
                };
                for asked in &asks {
                    check(&case, asked).await?;
                }
                Ok(())
            })
        })
        .unwrap();
}
