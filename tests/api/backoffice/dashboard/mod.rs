//! Dashboards over real HTTP, and how the tests read them: figures as a person reads them on a
//! page (tiles, data tables) and as a spreadsheet reads them (CSV).

mod figures;
mod pages;
mod tables;

use std::collections::BTreeMap;

use avis::domain::answers::Satisfaction;
use avis::domain::catalog::{Name, Origin, Tag};
use avis::store::catalog::{Button, NewButton, NewProcedure, Procedure};
use jiff::{Timestamp, ToSpan};
use regex::Regex;
use reqwest::StatusCode;
use uuid::Uuid;

use super::{Browser, page_text};
use crate::helpers::{TestApp, rated};

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
