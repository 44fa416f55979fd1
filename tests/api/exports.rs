//! Exports of reviews: the CSV stream and the workbook, through the API and the back-office, what
//! they hold, who may have them, and how long a workbook is kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use avis::export::job::Settings;
use avis::startup::Options;
use avis::store::catalog::Button;
use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::backoffice::{World, location};
use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

/// The `n`th review's answers: every question and channel turns up over a few reviews.
fn answers(n: usize) -> Answers {
    let score = |k: usize| Score::try_from((k % 5 + 1) as u8).unwrap();
    let mut answers = Answers {
        satisfaction: Some(Satisfaction::ALL[n % 3]),
        comprehension: n.is_multiple_of(2).then(|| score(n)),
        ..Answers::default()
    };
    match n % 4 {
        0 => answers.contact_tried = Some([Channel::None].into()),
        1 => {
            let channel = [
                Channel::Counter,
                Channel::Phone,
                Channel::Email,
                Channel::Chat,
            ][n % 4];
            answers.contact_tried = Some([channel, Channel::Other, Channel::Internet].into());
            answers.contact_tried_other = Some(format!("+33 mairie {n}"));
            answers.contact_reached = Some([(channel, Reached::Yes)].into());
            answers.contact_satisfaction = Some([(channel, score(n + 1))].into());
        }
        2 => {
            answers.contact_tried = Some([Channel::Phone, Channel::Chat].into());
            answers.contact_reached =
                Some([(Channel::Phone, Reached::No), (Channel::Chat, Reached::Yes)].into());
            answers.contact_satisfaction = Some([(Channel::Chat, score(n))].into());
        }
        _ => {}
    }
    if n % 3 == 1 {
        answers.verbatim = Some(format!(
            "=HYPERLINK(\"http://x\") avis, n° {n}\nsur deux lignes"
        ));
    }
    answers
}

/// `count` reviews of `button`, one a minute from `2026-03-01T08:00Z`, the third excluded.
async fn seed(app: &TestApp, button: &Button, count: usize) -> Vec<Uuid> {
    let start: jiff::Timestamp = "2026-03-01T08:00:00Z".parse().unwrap();
    let mut ids = Vec::new();
    for n in 0..count {
        let at = start + jiff::SignedDuration::from_mins(n as i64);
        ids.push(app.review_at(button, &at.to_string(), &answers(n)).await);
    }
    if count > 2 {
        app.store
            .exclude_review(ids[2], "doublon", None)
            .await
            .unwrap();
    }
    ids
}

/// A parsed CSV: its header and its rows, as text.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(body: &[u8]) -> Table {
        let body = body
            .strip_prefix("\u{feff}".as_bytes())
            .expect("a BOM first");
        let mut reader = csv::Reader::from_reader(body);
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        Table { header, rows }
    }

    fn at<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        let column = self
            .header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        &row[column]
    }

    fn ids(&self) -> Vec<String> {
        self.rows.iter().map(|r| r[0].clone()).collect()
    }

    /// A row's answers, read back from their codes.
    fn answers(&self, row: &[String]) -> Answers {
        let text = |name: &str| Some(self.at(row, name)).filter(|v| !v.is_empty());
        let score =
            |name: &str| text(name).map(|v| Score::try_from(v.parse::<u8>().unwrap()).unwrap());
        let administration = [
            Channel::Counter,
            Channel::Phone,
            Channel::Email,
            Channel::Chat,
        ];
        let reached: BTreeMap<Channel, Reached> = administration
            .iter()
            .filter_map(|c| {
                text(&format!("contact_reached_{}", c.code())).map(|v| {
                    (
                        *c,
                        if v == "yes" {
                            Reached::Yes
                        } else {
                            Reached::No
                        },
                    )
                })
            })
            .collect();
        let quality: BTreeMap<Channel, Score> = administration
            .iter()
            .filter_map(|c| score(&format!("contact_satisfaction_{}", c.code())).map(|s| (*c, s)))
            .collect();
        Answers {
            satisfaction: text("satisfaction").and_then(Satisfaction::parse),
            comprehension: score("comprehension"),
            contact_tried: text("contact_tried").map(|v| {
                v.split(';')
                    .map(|c| Channel::parse(c).unwrap())
                    .collect::<BTreeSet<_>>()
            }),
            contact_tried_other: text("contact_tried_other_text").map(undefused),
            contact_reached: (!reached.is_empty()).then_some(reached),
            contact_satisfaction: (!quality.is_empty()).then_some(quality),
            verbatim: text("verbatim").map(undefused),
        }
    }
}

/// Text as written before the CSV defused it.
fn undefused(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => text.to_owned(),
    }
}

async fn csv_of(app: &TestApp, query: &str, key: &str) -> Table {
    let response = app
        .get_with(&format!("/api/v1/reviews/export?{query}"), key)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    Table::parse(&response.bytes().await.unwrap())
}

#[tokio::test]
async fn a_csv_holds_every_review_once_and_reads_back_to_the_same_answers() {
    let app = spawn_app().await;
    let button = app.button().await;
    let ids = seed(&app, &button, 25).await;
    let key = app.key(Scope::Admin, None).await;

    let table = csv_of(&app, "format=csv", &key).await;
    assert_eq!(table.header[0], "id");
    assert_eq!(table.rows.len(), 25);
    // Newest first, each review once.
    let expected: Vec<String> = ids.iter().rev().map(Uuid::to_string).collect();
    assert_eq!(table.ids(), expected);
    for row in &table.rows {
        let id: Uuid = row[0].parse().unwrap();
        let stored = app.store.find_review(id).await.unwrap().unwrap();
        assert_eq!(table.answers(row), stored.answers, "{id}");
        assert_eq!(
            table.at(row, "procedure_id"),
            button.procedure_id.to_string()
        );
        assert_eq!(
            table.at(row, "procedure_title"),
            "Demande d'aide au logement"
        );
        assert_eq!(table.at(row, "button_label"), "Pied de page");
        assert_eq!(table.at(row, "button_source"), "footer");
        let excluded = id == ids[2];
        assert_eq!(table.at(row, "excluded"), excluded.to_string());
        assert_eq!(
            table.at(row, "excluded_reason"),
            if excluded { "doublon" } else { "" }
        );
        assert!(!table.header.contains(&"contact_email".to_owned()));
    }
    let first = &table.rows[table.rows.len() - 1];
    assert_eq!(table.at(first, "created_at"), "2026-03-01T08:00:00Z");
    assert_eq!(table.at(first, "day"), "2026-03-01");
    assert_eq!(table.at(first, "satisfaction"), "bad");
    assert_eq!(table.at(first, "satisfaction_label"), "Pas bien");
    assert_eq!(table.at(first, "contact_tried_none"), "true");
    assert_eq!(table.at(first, "contact_tried_phone"), "false");
    // Cells a spreadsheet would run are defused; the text is otherwise whole.
    let commented = &table.rows[table.rows.len() - 2];
    assert!(table.at(commented, "verbatim").starts_with("'=HYPERLINK("));
    assert!(
        table
            .at(commented, "verbatim")
            .ends_with("\nsur deux lignes")
    );
    assert_eq!(
        table.at(commented, "contact_tried_other_text"),
        "'+33 mairie 1"
    );
    assert_eq!(table.at(commented, "contact_tried_other"), "true");
    assert_eq!(
        table.at(commented, "contact_satisfaction_phone_label"),
        "Ni bonne, ni mauvaise"
    );
}

#[tokio::test]
async fn a_csv_follows_the_filters_and_the_language_asked() {
    let app = spawn_app().await;
    let button = app.button().await;
    let other = app.button().await;
    seed(&app, &button, 12).await;
    seed(&app, &other, 3).await;
    let key = app.key(Scope::Admin, None).await;

    let table = csv_of(&app, &format!("procedure={}", button.procedure_id), &key).await;
    assert_eq!(table.rows.len(), 12);
    let table = csv_of(
        &app,
        &format!(
            "procedure={}&satisfaction=good&lang=en",
            button.procedure_id
        ),
        &key,
    )
    .await;
    assert_eq!(table.rows.len(), 4);
    for row in &table.rows {
        assert_eq!(table.at(row, "satisfaction_label"), "Very well");
    }
    // Every review was made on that day: those with a comment, four of one button, one of the other.
    let table = csv_of(&app, "from=2026-03-01&to=2026-03-01&comment=true", &key).await;
    assert_eq!(table.rows.len(), 4 + 1);
    let table = csv_of(&app, &format!("button={}&help=none", other.id), &key).await;
    assert_eq!(table.rows.len(), 1);
    let table = csv_of(&app, "from=2026-03-02", &key).await;
    assert!(table.rows.is_empty());

    for (query, field) in [
        ("format=pdf", "format"),
        ("lang=de", "lang"),
        ("satisfaction=great", "satisfaction"),
        ("excluded=true", "excluded"),
        ("after=01a24da6-f3ea-7477-9be9-4ed63287e59d", "after"),
        ("from=2026-13-01", "from"),
    ] {
        let response = app
            .get_with(&format!("/api/v1/reviews/export?{query}"), &key)
            .await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
        assert_eq!(crate::helpers::error_fields(&problem), [field], "{query}");
    }
}

/// Polls an export's status until it is no longer running.
async fn finished(app: &TestApp, location: &str, key: &str) -> Value {
    for _ in 0..300 {
        let status: Value = app.get_with(location, key).await.json().await.unwrap();
        if status["status"] != "running" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the export at {location} did not finish");
}

/// The sheets of a workbook, by name, as rows of cells.
fn sheets(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            (name, range.rows().map(<[Data]>::to_vec).collect())
        })
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(n) => n.to_string(),
        Data::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// Starts a workbook through the API and returns its finished status and its sheets.
async fn workbook(app: &TestApp, query: &str, key: &str) -> (Value, Vec<(String, Vec<Vec<Data>>)>) {
    let response = app
        .get_with(&format!("/api/v1/reviews/export?format=xlsx&{query}"), key)
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let started: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/exports/{}", started["id"].as_str().unwrap())
    );
    assert!(started["download_url"].is_null());
    let status = finished(app, &location, key).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["progress"], 1.0);
    let file = app
        .get_with(status["download_url"].as_str().unwrap(), key)
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    (status, sheets(file.bytes().await.unwrap().to_vec()))
}

#[tokio::test]
async fn a_workbook_opens_and_holds_the_same_rows_as_the_csv() {
    let app = spawn_app().await;
    let button = app.button().await;
    seed(&app, &button, 20).await;
    let key = app.key(Scope::Admin, None).await;
    let table = csv_of(&app, "lang=en", &key).await;

    let (status, sheets) = workbook(&app, "lang=en", &key).await;
    assert_eq!(
        (status["rows"].as_i64(), status["sheets"].as_i64()),
        (Some(20), Some(1))
    );
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Read me", "Reviews 1"]);
    let rows = &sheets[1].1;
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header, table.header);
    assert_eq!(rows.len(), 21);
    for (row, expected) in rows[1..].iter().zip(&table.rows) {
        let cells: Vec<String> = row.iter().map(text).collect();
        // The CSV defuses formulas; a workbook's text cells are never formulas.
        let expected: Vec<String> = expected.iter().map(|c| undefused(c)).collect();
        assert_eq!(cells, expected);
    }
}

#[tokio::test]
async fn reviews_beyond_a_full_sheet_go_on_the_next_one_and_the_first_sheet_says_so() {
    let app = spawn_app_with(Options {
        exports: Settings {
            sheet_rows: 4,
            ..Settings::default()
        },
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let ids = seed(&app, &button, 7).await;
    let key = app.key(Scope::Admin, None).await;

    let (status, sheets) = workbook(&app, "", &key).await;
    assert_eq!(status["sheets"], 3);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["À lire", "Avis 1", "Avis 2", "Avis 3"]);
    let mut listed = Vec::new();
    for (_, rows) in &sheets[1..] {
        assert_eq!(text(&rows[0][0]), "id");
        listed.extend(rows[1..].iter().map(|r| text(&r[0])));
    }
    let sizes: Vec<usize> = sheets[1..].iter().map(|(_, rows)| rows.len() - 1).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let expected: Vec<String> = ids.iter().rev().map(Uuid::to_string).collect();
    assert_eq!(listed, expected);
    let notes: Vec<String> = sheets[0].1.iter().flatten().map(text).collect();
    assert!(
        notes
            .iter()
            .any(|t| t.starts_with("Les avis sont répartis sur plusieurs feuilles")),
        "{notes:?}"
    );
    assert!(notes.contains(&"Avis par feuille, au plus".to_owned()));
}

#[tokio::test]
async fn only_admin_keys_export_and_a_limited_key_only_its_organisation() {
    let app = spawn_app().await;
    let ours = app.button().await;
    let theirs = app.button().await;
    seed(&app, &ours, 3).await;
    seed(&app, &theirs, 2).await;
    let organisation = app
        .store
        .find_procedure(ours.procedure_id)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let limited = app.key(Scope::Admin, Some(organisation)).await;
    let reader = app.key(Scope::IndicatorsRead, None).await;
    let admin = app.key(Scope::Admin, None).await;

    let response = app.get("/api/v1/reviews/export").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "missing_api_key").await;
    let response = app.get_with("/api/v1/reviews/export", &reader).await;
    assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    let response = app
        .get_with(
            &format!("/api/v1/reviews/export?procedure={}", theirs.procedure_id),
            &limited,
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "procedure_not_found").await;
    let response = app
        .get_with(
            &format!("/api/v1/reviews/export?button={}&format=xlsx", theirs.id),
            &limited,
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "button_not_found").await;
    assert_eq!(csv_of(&app, "", &limited).await.rows.len(), 3);
    assert_eq!(csv_of(&app, "", &admin).await.rows.len(), 5);

    // A workbook is seen by keys that see its organisation, and by no other.
    let started = app
        .get_with("/api/v1/reviews/export?format=xlsx", &limited)
        .await;
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    finished(&app, &location, &limited).await;
    assert_eq!(
        app.get_with(&location, &admin).await.status(),
        StatusCode::OK
    );
    let other = app
        .key(
            Scope::Admin,
            Some(
                app.store
                    .find_procedure(theirs.procedure_id)
                    .await
                    .unwrap()
                    .unwrap()
                    .organisation_id,
            ),
        )
        .await;
    for path in [location.clone(), format!("{location}/download")] {
        let response = app.get_with(&path, &other).await;
        assert_problem(response, StatusCode::NOT_FOUND, "export_not_found").await;
        let response = app.get_with(&path, &reader).await;
        assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    }
    // Who exported, from which organisation, is in the audit log; never the key's secret.
    let events = app
        .store
        .list_events(Some(organisation), "reviews_exported", None, 10)
        .await
        .unwrap();
    assert!(events.len() >= 2, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| e.actor.starts_with("API key ") && !e.details.contains(&limited))
    );
}

#[tokio::test]
async fn an_expired_workbook_is_deleted_with_its_file_and_a_stopped_one_reads_as_failed() {
    let app = spawn_app().await;
    let button = app.button().await;
    seed(&app, &button, 3).await;
    let key = app.key(Scope::Admin, None).await;
    let response = app
        .get_with("/api/v1/reviews/export?format=xlsx", &key)
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let status = finished(&app, &location, &key).await;
    let id: Uuid = status["id"].as_str().unwrap().parse().unwrap();
    assert!(app.store.export_chunk(id, 0).await.unwrap().is_some());

    // Kept until its time is over.
    assert_eq!(
        app.store
            .purge_exports(jiff::Timestamp::now())
            .await
            .unwrap(),
        0
    );
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(25);
    assert_eq!(app.store.purge_exports(later).await.unwrap(), 1);
    assert!(app.store.export_chunk(id, 0).await.unwrap().is_none());
    let response = app.get_with(&location, &key).await;
    assert_problem(response, StatusCode::NOT_FOUND, "export_not_found").await;

    // An export whose node stopped without a word: no heartbeat for two minutes.
    let stopped = Uuid::now_v7();
    let long_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(2);
    app.store
        .create_export(&avis::store::exports::NewExport {
            id: stopped,
            organisation_id: None,
            filter: String::new(),
            lang: "fr".into(),
            with_contacts: false,
            created_by_user: None,
            created_by_key: None,
            created_at: long_ago,
            expires_at: later,
        })
        .await
        .unwrap();
    app.store
        .put_export_chunk(stopped, 0, b"half a file")
        .await
        .unwrap();
    let found = app.store.find_export(stopped).await.unwrap().unwrap();
    assert_eq!(found.status, avis::store::exports::Status::Failed);
    app.store
        .purge_exports(jiff::Timestamp::now())
        .await
        .unwrap();
    assert!(app.store.export_chunk(stopped, 0).await.unwrap().is_none());
}

#[tokio::test]
async fn agents_export_their_organisation_s_reviews_and_nobody_else_s() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let ids = seed(&app, &world.button, 4).await;
    let now = jiff::Timestamp::now();
    app.store
        .save_contact_email(ids[1], "usager@example.fr", now, 30)
        .await
        .unwrap();
    let procedure = format!("/admin/procedures/{}/reviews", world.procedure.id);
    let organisation = format!("/admin/organisations/{}/reviews", world.organisation.id);

    let member = world.browser(&app, Some(&world.member)).await;
    for base in [&procedure, &organisation] {
        let response = member
            .get(&format!(
                "{base}/export.csv?satisfaction=medium&contact_emails=true"
            ))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{base}");
        let table = Table::parse(&response.bytes().await.unwrap());
        // A member gets no addresses, even when asking.
        assert!(!table.header.contains(&"contact_email".to_owned()));
        assert_eq!(table.ids(), [ids[1].to_string()]);
    }
    let admin = world.browser(&app, Some(&world.admin)).await;
    let response = admin
        .get(&format!(
            "{procedure}/export.csv?contact_emails=true&lang=en"
        ))
        .await;
    let table = Table::parse(&response.bytes().await.unwrap());
    let contacts: HashMap<String, String> = table
        .rows
        .iter()
        .map(|r| (r[0].clone(), table.at(r, "contact_email").to_owned()))
        .collect();
    assert_eq!(contacts[&ids[1].to_string()], "usager@example.fr");
    assert_eq!(contacts[&ids[0].to_string()], "");

    let outsider = world.browser(&app, Some(&world.other_admin)).await;
    let signed_out = world.browser(&app, None).await;
    for base in [&procedure, &organisation] {
        let response = outsider.get(&format!("{base}/export.csv")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{base}");
        let response = outsider
            .post(&format!("{base}/export.xlsx"), &[("lang", "fr")])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{base}");
        let response = signed_out.get(&format!("{base}/export.csv")).await;
        assert!(location(&response).starts_with("/admin/login"));
    }
    // Without the form's token, nothing starts.
    let response = member
        .post_exactly(
            &format!("{procedure}/export.xlsx"),
            &[("lang", "fr")],
            Some(&member.base),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = member
        .post(
            &format!("{procedure}/export.xlsx?satisfaction=good"),
            &[("lang", "fr")],
        )
        .await;
    let page = location(&response);
    assert!(page.starts_with("/admin/exports/"), "{page}");
    let mut text = String::new();
    for _ in 0..300 {
        let response = member.get(&page).await;
        assert_eq!(response.status(), StatusCode::OK);
        let running = response.headers().get("refresh").is_some();
        text = response.text().await.unwrap();
        if !running {
            break;
        }
        assert!(text.contains("<progress"), "{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text.contains("Le classeur est prêt."), "{text}");
    let download = member.get(&format!("{page}/download")).await;
    assert_eq!(download.status(), StatusCode::OK);
    let sheets = sheets(download.bytes().await.unwrap().to_vec());
    assert_eq!(sheets[1].1.len(), 1 + 1);
    // Nobody else follows or downloads someone's export.
    for path in [page.clone(), format!("{page}/download")] {
        assert_eq!(admin.get(&path).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(outsider.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    let events = app
        .store
        .list_events(Some(world.organisation.id), "reviews_exported", None, 20)
        .await
        .unwrap();
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.details.contains("contact addresses"))
            .count(),
        1
    );

    let shown = member
        .get(&format!("/admin/procedures/{}/reviews", world.procedure.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains("Exporter ces avis") && !shown.contains("contact_emails"));
    let shown = admin
        .get(&format!("/admin/procedures/{}/reviews", world.procedure.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains(r#"name="contact_emails""#));
}
