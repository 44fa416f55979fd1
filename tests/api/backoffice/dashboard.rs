//! Dashboards over real HTTP. A procedure's tiles and chart tables show the observatory API's
//! figures to the last digit (for one button, those of a naive count over its reviews), for
//! random reviews, windows, buttons and groupings, and its CSV files say the same; an
//! organisation's table sorts on every column; who may read what; a query that cannot be read
//! is a 400 page, never a 500; a public procedure's page shows no comment.

use std::collections::BTreeMap;

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction};
use avis::domain::catalog::{Name, Origin, Scope, Tag};
use avis::domain::time::paris_day;
use avis::store::catalog::{Button, NewButton, NewProcedure, Procedure};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regex::Regex;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use super::{Browser, World, location, page_text};
use crate::helpers::{TestApp, rated, spawn_app};
use crate::properties::{Expected, Generated, answers, generated, naive};

/// Markup as text: tags dropped, entities read, spaces collapsed.
fn text(markup: &str) -> String {
    let plain = Regex::new(r"<[^>]*>").unwrap().replace_all(markup, " ");
    let decoded = plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `page` from `start` to the next `end`.
fn part<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the page"));
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The numbers a figure is written with, in the reader's notation: shares as percentages (and
/// changes of shares in points) are read back as shares.
fn numbers(written: &str) -> Vec<f64> {
    let shares = written.contains('%') || written.contains("points");
    Regex::new(r"[−+-]?\d+(?:,\d+)?")
        .unwrap()
        .find_iter(written)
        .map(|m| {
            let v: f64 = m
                .as_str()
                .replace('−', "-")
                .replace(',', ".")
                .parse()
                .unwrap();
            if shares { round4(v / 100.0) } else { v }
        })
        .collect()
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn first(written: &str) -> Option<f64> {
    numbers(written).first().copied()
}

/// One tile as a page shows it.
#[derive(Debug)]
struct Tile {
    value: Option<f64>,
    n: i64,
    ci: Vec<f64>,
    level: Option<String>,
    publishable: bool,
    change: Option<f64>,
}

fn tile(page: &str, name: &str) -> Tile {
    let markup = part(page, &format!(r#"id="tile-{name}""#), "</li>");
    let field = |class: &str| {
        let from = part(markup, &format!(r#"class="{class}""#), "</");
        text(&from[from.find('>').unwrap() + 1..])
    };
    let big = field("big");
    Tile {
        value: first(&big),
        n: field("n").parse().unwrap(),
        ci: numbers(&field("ci")),
        level: Regex::new(r#"class="level (\w+)""#)
            .unwrap()
            .captures(markup)
            .map(|c| c[1].to_owned()),
        publishable: field("publishable") == "Publiable",
        change: first(&text(part(markup, r#"class="change""#, "</dd>"))),
    }
}

/// The rows of data table `id`: each row's opening tag and its cells' texts.
fn rows(page: &str, id: &str) -> Vec<(String, Vec<String>)> {
    let table = part(page, &format!(r#"<table id="data-{id}">"#), "</table>");
    let body = &table[table.find("</thead>").unwrap()..];
    let cell = Regex::new(r"(?s)<t[hd][^>]*>(.*?)</t[hd]>").unwrap();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let open = row[..row.find('>').unwrap()].to_owned();
            let cells = cell.captures_iter(row).map(|c| text(&c[1])).collect();
            (open, cells)
        })
        .collect()
}

fn attribute(open: &str, name: &str) -> String {
    Regex::new(&format!(r#"{name}="([^"]*)""#))
        .unwrap()
        .captures(open)
        .map(|c| c[1].to_owned())
        .unwrap_or_default()
}

/// A CSV download: UTF-8 with a byte-order mark, read as records under its header.
async fn csv(browser: &Browser, path: &str) -> Vec<BTreeMap<String, String>> {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.bytes().await.unwrap();
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "{path} has no byte-order mark"
    );
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .map(str::to_owned)
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn cell_number(record: &BTreeMap<String, String>, column: &str) -> Option<f64> {
    let raw = &record[column];
    (!raw.is_empty()).then(|| raw.parse().unwrap())
}

/// A procedure of `organisation` with two counting buttons and a test button.
async fn procedure_with_buttons(
    app: &TestApp,
    organisation: Uuid,
    title: &str,
) -> (Procedure, Vec<Button>) {
    let procedure = app
        .store
        .create_procedure(&NewProcedure {
            organisation_id: organisation,
            title: Name::parse(title).unwrap(),
            external_id: None,
            is_essential: false,
            is_public: false,
            yearly_volume: None,
        })
        .await
        .unwrap();
    let mut buttons = Vec::new();
    for (label, source, is_test) in [
        ("Fin de démarche", "web", false),
        ("Courriel", "email", false),
        ("Essai", "test", true),
    ] {
        let button = app
            .store
            .create_button(&NewButton {
                procedure_id: procedure.id,
                label: Name::parse(label).unwrap(),
                source: Tag::parse(source).unwrap(),
                allowed_origins: vec![Origin::parse("https://www.example.gouv.fr").unwrap()],
                is_test,
            })
            .await
            .unwrap();
        buttons.push(button);
    }
    (procedure, buttons)
}

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

/// A procedure of a new organisation whose satisfaction answers are `ratings`, given yesterday.
async fn rated_procedure(
    app: &TestApp,
    organisation: Uuid,
    title: &str,
    ratings: &[Satisfaction],
) -> Procedure {
    let (procedure, buttons) = procedure_with_buttons(app, organisation, title).await;
    let yesterday = Timestamp::now()
        .checked_sub(24.hours())
        .unwrap()
        .to_string();
    for rating in ratings {
        app.review_at(&buttons[0], &yesterday, &rated(*rating))
            .await;
    }
    procedure
}

/// The procedures' titles of a table, in order.
fn titles(page: &str) -> Vec<String> {
    let table = part(page, r#"<table class="scoreboard""#, "</table>");
    Regex::new(r#"<th scope="row"><a href="/admin/procedures/[^"]+">([^<]+)</a>"#)
        .unwrap()
        .captures_iter(table)
        .map(|c| c[1].to_owned())
        .collect()
}

#[tokio::test]
async fn an_organisation_s_table_sorts_by_each_column_and_its_csv_follows() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let organisation = world.organisation.id;
    use Satisfaction::{Bad, Good, Medium};
    rated_procedure(
        &app,
        organisation,
        "Allocation logement",
        &[Good, Good, Good],
    )
    .await;
    rated_procedure(&app, organisation, "Bourse scolaire", &[Medium, Medium]).await;
    rated_procedure(&app, organisation, "Carte grise", &[Bad]).await;
    let member = world.browser(&app, Some(&world.member)).await;
    let path = format!("/admin/organisations/{organisation}");
    let table = |query: &'static str| {
        let member = &member;
        let path = path.clone();
        async move { page_text(member.get(&format!("{path}?{query}")).await).await }
    };
    // "Prime d'activité" (the world's) has no reviews: last whatever the order.
    for (query, expected) in [
        (
            "",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=satisfaction&dir=desc",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=satisfaction&dir=asc",
            [
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
                "Prime d'activité",
            ],
        ),
        (
            "sort=n&dir=asc",
            [
                "Prime d'activité",
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
            ],
        ),
        (
            "sort=level",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=title&dir=desc",
            [
                "Prime d'activité",
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
            ],
        ),
    ] {
        let page = table(query).await;
        assert_eq!(
            titles(&page)
                .iter()
                .map(|t| t.replace("&#39;", "'"))
                .collect::<Vec<_>>(),
            expected,
            "{query}"
        );
    }
    let page = table("sort=satisfaction&dir=desc").await;
    assert!(
        page.contains(&format!(r#"<th scope="col" aria-sort="descending"><a href="{path}?sort=satisfaction&amp;dir=asc">Satisfaction</a>"#)),
        "the sorted column says so and its link turns the order round"
    );
    assert_eq!(page.matches("aria-sort=").count(), 1);
    assert!(
        page.contains("10,00 / 10") && page.contains("5,00 / 10") && page.contains("0,00 / 10")
    );
    assert!(page.contains(&format!(
        r#"href="{path}/indicators.csv?sort=satisfaction&amp;dir=desc""#
    )));

    let records = csv(
        &member,
        &format!("{path}/indicators.csv?sort=satisfaction&dir=desc"),
    )
    .await;
    let listed: Vec<(&str, Option<f64>, &str)> = records
        .iter()
        .map(|r| {
            (
                r["title"].as_str(),
                cell_number(r, "satisfaction"),
                r["satisfaction_n"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Allocation logement", Some(10.0), "3"),
            ("Bourse scolaire", Some(5.0), "2"),
            ("Carte grise", Some(0.0), "1"),
            ("Prime d'activité", None, "0"),
        ]
    );
    assert_eq!(records[0]["level"], "good");
    // Filtered, the table and its CSV keep only what matches.
    let page = table("q=carte").await;
    assert_eq!(titles(&page), ["Carte grise"]);
    let records = csv(&member, &format!("{path}/indicators.csv?q=carte")).await;
    assert_eq!(records.len(), 1);
}

#[tokio::test]
async fn the_observatory_lists_every_essential_procedure_for_superadmins_only() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    rated_procedure(
        &app,
        world.organisation.id,
        "Carte grise",
        &[Satisfaction::Good],
    )
    .await;
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let page = page_text(root.get("/admin/observatory?sort=organisation").await).await;
    assert_eq!(
        titles(&page)
            .iter()
            .map(|t| t.replace("&#39;", "'"))
            .collect::<Vec<_>>(),
        ["Prime d'activité"],
        "essential ones only"
    );
    assert!(page.contains("Caisse d"), "with their organisation");
    assert!(page.contains(r#"<a href="/admin/observatory" aria-current="page">Observatoire</a>"#));
    let records = csv(&root, "/admin/observatory.csv").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["external_id"], "1617");
    assert!(records[0]["organisation"].starts_with("Caisse d"));
    for user in [&world.member, &world.admin, &world.other_admin] {
        let browser = world.browser(&app, Some(user)).await;
        for path in ["/admin/observatory", "/admin/observatory.csv"] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let home = page_text(browser.get("/admin/").await).await;
        assert!(!home.contains("/admin/observatory"));
    }
}

#[tokio::test]
async fn dashboards_answer_each_person_as_their_role_allows() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let ok = StatusCode::OK;
    let missing = StatusCode::NOT_FOUND;
    // (path, member, admin of another organisation, admin, superadmin)
    let pages = [
        (format!("{procedure}?window=3m"), ok, missing, ok, ok),
        (
            format!("{procedure}/charts/satisfaction.csv"),
            ok,
            missing,
            ok,
            ok,
        ),
        (
            format!("{procedure}/charts/buttons.csv?window=3m"),
            ok,
            missing,
            ok,
            ok,
        ),
        (
            format!("{procedure}/charts/nothing.csv"),
            missing,
            missing,
            missing,
            missing,
        ),
        (format!("{org}?sort=n"), ok, missing, ok, ok),
        (format!("{org}/indicators.csv"), ok, missing, ok, ok),
        (
            format!(
                "/admin/procedures/{}/charts/satisfaction.csv",
                Uuid::now_v7()
            ),
            missing,
            missing,
            missing,
            missing,
        ),
    ];
    let signed_out = world.browser(&app, None).await;
    let people = [
        &world.member,
        &world.other_admin,
        &world.admin,
        &world.superadmin,
    ];
    for (path, member, other, admin, superadmin) in pages {
        let response = signed_out.get(&path).await;
        assert!(
            location(&response).starts_with("/admin/login?next="),
            "{path}"
        );
        for (user, expected) in people.iter().zip([member, other, admin, superadmin]) {
            let browser = world.browser(&app, Some(user)).await;
            let response = browser.get(&path).await;
            assert_eq!(response.status(), expected, "{path} for {}", user.email);
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn a_query_that_cannot_be_read_is_a_page_that_says_why() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let (other, other_buttons) =
        procedure_with_buttons(&app, world.organisation.id, "Autre démarche").await;
    let test_button = other_buttons.iter().find(|b| b.is_test).unwrap().id;
    let member = world.browser(&app, Some(&world.member)).await;
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let window = "Cette période n'est pas valable";
    let cases = [
        (format!("{procedure}?window=5x"), window),
        (format!("{procedure}?window=0m"), window),
        (format!("{procedure}?from=2026-02-30&to=2026-03-01"), window),
        (format!("{procedure}?from=2026-03-01&to=2026-02-01"), window),
        (format!("{procedure}?from=2026-03-01"), window),
        (format!("{procedure}?window=custom"), window),
        (format!("{procedure}?from=1990-01-01&to=2026-01-01"), window),
        (format!("{procedure}?at=hier"), window),
        (
            format!("{procedure}?button=nope"),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("{procedure}?button={}", other_buttons[0].id),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("/admin/procedures/{}?button={test_button}", other.id),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("{procedure}?interval=year"),
            "Ce regroupement n'est pas valable",
        ),
        (
            format!("{procedure}?interval=day&from=2016-01-01&to=2025-12-31"),
            "Trop de périodes",
        ),
        (
            format!("{procedure}/charts/satisfaction.csv?window=5x"),
            window,
        ),
        (format!("{org}?sort=verbatim"), "Ce tri n'est pas valable"),
        (format!("{org}?sort=n&dir=up"), "Ce tri n'est pas valable"),
        (format!("{org}?from=2026-13-01&to=2026-12-31"), window),
        (
            format!("{org}/indicators.csv?sort=nothing"),
            "Ce tri n'est pas valable",
        ),
    ];
    for (path, message) in cases {
        let response = member.get(&path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let page = page_text(response).await.replace("&#39;", "'");
        assert!(page.contains(message), "{path}: {page}");
        assert!(page.contains(r#"role="alert""#), "{path}");
    }
    // The form keeps what was asked, to be put right.
    let page = page_text(
        member
            .get(&format!(
                "{procedure}?window=custom&from=2026-03-01&to=2026-02-01"
            ))
            .await,
    )
    .await;
    assert!(
        page.contains(r#"value="2026-03-01""#)
            && page.contains(r#"<option value="custom" selected>"#)
    );
    let root = world.browser(&app, Some(&world.superadmin)).await;
    assert_eq!(
        root.get("/admin/observatory?window=99m").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        root.get("/admin/observatory.csv?dir=sideways")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_public_procedure_has_a_public_dashboard_without_comments() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let comment = "Mon dossier 12 est bloqué depuis des mois";
    let yesterday = Timestamp::now()
        .checked_sub(24.hours())
        .unwrap()
        .to_string();
    let mut review = rated(Satisfaction::Medium);
    review.verbatim = Some(comment.to_owned());
    app.review_at(&world.button, &yesterday, &review).await;
    let public = format!("/p/{}", world.procedure.id);
    let anyone = Browser::new(&app);
    for path in [
        public.clone(),
        format!("{public}/charts/questions.csv"),
        format!("/p/{}", Uuid::now_v7()),
        "/p/not-an-id".to_owned(),
    ] {
        let response = anyone.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        page_text(response).await;
    }
    let mut procedure = world.procedure.clone();
    procedure.is_public = true;
    app.store.save_procedure(&procedure).await.unwrap();

    let response = anyone.get(&format!("{public}?window=3m")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("style-src 'self'") && !policy.contains("unsafe"),
        "{policy}"
    );
    let page = page_text(response).await;
    assert!(
        !page.contains(comment) && !page.contains("bloqué"),
        "no comment"
    );
    assert!(
        !page.contains("Menu principal")
            && !page.contains("Se déconnecter")
            && !page.contains("csrf_token")
    );
    assert!(
        !page.contains("/admin/procedures/"),
        "no link into the back-office"
    );
    assert!(
        !page.contains(" style="),
        "no inline style under the policy"
    );
    let satisfaction = tile(&page, "satisfaction");
    assert_eq!((satisfaction.value, satisfaction.n), (Some(5.0), 1));
    assert!(page.contains(r#"role="img""#) && page.contains("<table id=\"data-satisfaction\">"));
    assert!(page.contains(&format!(
        r#"href="{public}/charts/satisfaction.csv?window=3m""#
    )));
    let records = csv(&anyone, &format!("{public}/charts/questions.csv?window=3m")).await;
    let medium = records
        .iter()
        .find(|r| r["question"] == "satisfaction" && r["value"] == "medium")
        .unwrap();
    assert_eq!(medium["count"], "1");
    assert!(records.iter().all(|r| r["question"] != "verbatim"));
    // In English when asked.
    let english = page_text(anyone.get(&format!("{public}?lang=en&window=3m")).await).await;
    assert!(english.contains("Satisfaction over time"));
    assert!(
        english.contains(r#"<input type="hidden" name="lang" value="en">"#),
        "the form keeps the language"
    );
    assert!(english.contains(&format!(
        r#"href="{public}/charts/questions.csv?window=3m&amp;lang=en""#
    )));
    // Its dashboard in the back-office links to it.
    let member = world.browser(&app, Some(&world.member)).await;
    let page = page_text(
        member
            .get(&format!("/admin/procedures/{}", world.procedure.id))
            .await,
    )
    .await;
    assert!(page.contains(&format!(r#"<a href="{public}">"#)));
}
