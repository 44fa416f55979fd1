//! `--jdma-compat`: the incumbent's review links, button images, the observatory's pull and its
//! robot's `setTop250`, over procedures and buttons imported with their legacy ids.

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::{Name, Scope, Tag};
use avis::startup::Options;
use avis::store::catalog::{NewButton, NewProcedure};
use avis::store::reviews::NewReview;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, UNSCREENED, assert_problem, http_client, spawn_app_with};

async fn spawn_compat() -> TestApp {
    spawn_app_with(Options {
        jdma_compat: true,
        ..Options::default()
    })
    .await
}

/// A client that does not follow redirects.
fn no_redirects() -> reqwest::Client {
    http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An imported button: its avis id and the incumbent's.
#[derive(Debug, Clone, Copy)]
struct Imported {
    id: Uuid,
    legacy: i64,
    procedure: Uuid,
}

/// An imported procedure (product `legacy`, XWiki démarche `legacy + 10_000`) and its buttons,
/// one per `(legacy id, legacy title, is_test, closed)`.
async fn product(
    app: &TestApp,
    legacy: i64,
    public: bool,
    buttons: &[(i64, Option<&str>, bool, bool)],
) -> (Uuid, Vec<Imported>) {
    let now = Timestamp::now();
    let organisation = app
        .store
        .create_imported_organisation(
            &Name::parse(&format!("Entité {legacy}")).unwrap(),
            legacy,
            now,
        )
        .await
        .unwrap();
    let procedure = app
        .store
        .create_imported_procedure(
            &NewProcedure {
                organisation_id: organisation,
                title: Name::parse(&format!("Démarche {legacy}")).unwrap(),
                external_id: None,
                is_essential: false,
                is_public: public,
                yearly_volume: None,
            },
            (legacy, Some(legacy + 10_000)),
            now,
        )
        .await
        .unwrap();
    let mut imported = Vec::new();
    for (id, source, is_test, closed) in buttons {
        let button = app
            .store
            .create_imported_button(
                &NewButton {
                    procedure_id: procedure,
                    label: Name::parse(&format!("Bouton {id}")).unwrap(),
                    source: Tag::parse("jdma").unwrap(),
                    allowed_origins: Vec::new(),
                    is_test: *is_test,
                },
                (*id, *source),
                now,
                closed.then_some(now),
            )
            .await
            .unwrap();
        imported.push(Imported {
            id: button.id,
            legacy: *id,
            procedure,
        });
    }
    (procedure, imported)
}

/// Where `path` redirects, without following.
async fn location(app: &TestApp, path: &str) -> String {
    let response = no_redirects()
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "{path}");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_form_of_review_link_redirects_to_its_button_s_questionnaire() {
    let app = spawn_compat().await;
    let (_, buttons) = product(
        &app,
        3977,
        true,
        &[
            (4400, Some("site"), false, false),
            (4401, Some("button"), false, false),
            (4402, Some("email"), false, true),
        ],
    )
    .await;
    let (_, others) = product(&app, 5000, true, &[(6000, None, false, false)]).await;
    let f = |b: &Imported| format!("/f/{}", b.id);

    assert_eq!(
        location(&app, "/Demarches/3977?button=4400").await,
        f(&buttons[0])
    );
    let checked = no_redirects()
        .head(format!("{}/Demarches/3977?button=4400", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::FOUND);
    assert_eq!(
        location(&app, "/Demarches/avis/77?button=4401").await,
        f(&buttons[1])
    );
    // XWiki era: by démarche id; its source, else the one titled `button`, else the first.
    let xwiki = "/Demarches/13977?view-mode=formulaire-avis&nd_mode=en-ligne-enti%C3%A8rement";
    assert_eq!(
        location(&app, &format!("{xwiki}&nd_source=site&key=k")).await,
        f(&buttons[0])
    );
    assert_eq!(
        location(&app, &format!("{xwiki}&nd_source=qr&key=k")).await,
        f(&buttons[1])
    );
    assert_eq!(
        location(&app, "/Demarches/15000?nd_source=site").await,
        f(&others[0])
    );

    // A closed button leads to its questionnaire, which says it is closed.
    let closed = location(&app, "/Demarches/3977?button=4402").await;
    assert_eq!(closed, f(&buttons[2]));
    let page = app.get(&closed).await;
    assert_eq!(page.status(), StatusCode::GONE);
}

#[tokio::test]
async fn a_link_that_leads_nowhere_gets_a_page_that_says_so() {
    let app = spawn_compat().await;
    product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    product(&app, 5000, true, &[(6000, None, false, false)]).await;
    for path in [
        "/Demarches/3977?button=9999",
        // A button of another product.
        "/Demarches/3977?button=6000",
        "/Demarches/3977?button=abc",
        "/Demarches/99999",
        "/Demarches/abc",
        "/Demarches/avis/1?button=9999",
        "/Demarches/avis/1",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("Accept-Language", "en-GB,en;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let body = response.text().await.unwrap();
        assert!(
            body.contains("This link leads to no questionnaire"),
            "{body}"
        );
        assert!(body.contains("lang=\"en\""), "{body}");
    }
    let french = app.get("/Demarches/99999?button=1").await;
    let body = french.text().await.unwrap();
    assert!(
        body.contains("Ce lien ne mène à aucun questionnaire"),
        "{body}"
    );
}

#[tokio::test]
async fn the_button_images_are_served_in_four_variants_and_cached_long() {
    let app = spawn_compat().await;
    for name in [
        "bouton-bleu-clair",
        "bouton-bleu-sombre",
        "bouton-blanc-clair",
        "bouton-blanc-sombre",
    ] {
        let response = app.get(&format!("/static/{name}.svg")).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=2592000");
        let svg = response.text().await.unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(r#"width="200" height="85""#));
        assert!(svg.contains("Je donne mon avis"));
    }
    let head = app
        .client
        .head(format!("{}/static/bouton-bleu-clair.svg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[CONTENT_TYPE], "image/svg+xml; charset=utf-8");
    assert_eq!(
        app.get("/static/bouton-rouge-clair.svg").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn with_compatibility_off_the_incumbent_s_paths_are_ordinary_404s() {
    let app = spawn_app_with(Options::default()).await;
    product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    for path in [
        "/Demarches/3977?button=4400",
        "/Demarches/avis/1?button=4400",
        "/static/bouton-bleu-clair.svg",
        "/api/trpc/answer.getObservatoireStats?input=%7B%22json%22%3A%7B%22product_id%22%3A3977%7D%7D",
    ] {
        let response = app.get(path).await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let response = app
        .client
        .post(format!("{}/api/open-api/setTop250", app.address))
        .json(&json!({"product_ids": [3977]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// The observatory's pull.

/// One review as the incumbent's index sees it: its button's legacy id, when, its answers.
#[derive(Debug, Clone)]
struct Row {
    button: i64,
    at: i64,
    answers: Answers,
    counts: bool,
}

/// The incumbent's figures over `rows`, written plainly from its
/// `webapp-backoffice/src/server/routers/answer/get-observatoire-stats.ts`
/// (DISIC/jedonnemonavis.numerique.gouv.fr): every answer one document (a ticked channel, a
/// reached channel, a rated channel each one), `created_at` between both bounds included,
/// `button_id` narrowing every count but the distinct reviews with a `contact_tried` answer,
/// NaN sent as 0.
fn reference(rows: &[Row], first: i64, last: i64, button: Option<i64>) -> Expected {
    let inside: Vec<&Row> = rows
        .iter()
        .filter(|r| r.counts && r.at >= first && r.at <= last)
        .collect();
    // (field_code, answer_text, intention) per answer document.
    let mut documents: Vec<(&str, &str, &str)> = Vec::new();
    let intention = |score: Score| match score.get() {
        1 => "very_bad",
        2 => "bad",
        3 => "medium",
        4 => "good",
        _ => "very_good",
    };
    for row in inside
        .iter()
        .filter(|r| button.is_none_or(|b| b == r.button))
    {
        let a = &row.answers;
        if let Some(s) = a.satisfaction {
            let (text, intention) = match s {
                Satisfaction::Bad => ("Pas bien", "bad"),
                Satisfaction::Medium => ("Moyen", "medium"),
                Satisfaction::Good => ("Très bien", "good"),
            };
            documents.push(("satisfaction", text, intention));
        }
        if let Some(score) = a.comprehension {
            documents.push(("comprehension", "", intention(score)));
        }
        for channel in a.contact_tried.iter().flatten() {
            let intention = if *channel == Channel::None {
                "good"
            } else {
                "neutral"
            };
            documents.push(("contact_tried", channel.code(), intention));
        }
        for reached in a.contact_reached.iter().flat_map(|m| m.values()) {
            let (text, intention) = match reached {
                Reached::Yes => ("Oui", "good"),
                Reached::No => ("Non", "bad"),
            };
            documents.push(("contact_reached", text, intention));
        }
        for score in a.contact_satisfaction.iter().flat_map(|m| m.values()) {
            documents.push(("contact_satisfaction", "", intention(*score)));
        }
    }
    let marks = |intention: &str| match intention {
        "very_good" => 10.0,
        "good" => 7.5,
        "medium" => 5.0,
        "bad" => 2.5,
        _ => 0.0,
    };
    let of = |code: &'static str| documents.iter().filter(move |d| d.0 == code);
    let satisfaction_count = of("satisfaction").count();
    let satisfaction_sum: f64 = of("satisfaction")
        .map(|d| match d.2 {
            "good" => 10.0,
            "medium" => 5.0,
            _ => 0.0,
        })
        .sum();
    let comprehension_count = of("comprehension").count();
    let comprehension_sum: f64 = of("comprehension").map(|d| marks(d.2)).sum();
    let reachability_count = of("contact_reached").count();
    let reached_yes = of("contact_reached").filter(|d| d.1 == "Oui").count();
    let rated_count = of("contact_satisfaction").count();
    let rated_sum: f64 = of("contact_satisfaction").map(|d| marks(d.2)).sum();
    let contact_count = rated_count + of("contact_reached").filter(|d| d.1 == "Non").count();
    let autonomy_count = inside
        .iter()
        .filter(|r| {
            r.answers
                .contact_tried
                .as_ref()
                .is_some_and(|t| !t.is_empty())
        })
        .count();
    let autonomous = of("contact_tried").filter(|d| d.2 == "good").count();
    let ratio = |sum: f64, count: usize| {
        let value = sum / count as f64;
        if value.is_nan() { 0.0 } else { value }
    };
    Expected {
        figures: vec![
            ("satisfaction", ratio(satisfaction_sum, satisfaction_count)),
            (
                "comprehension",
                ratio(comprehension_sum, comprehension_count),
            ),
            ("contact", ratio(rated_sum, contact_count)),
            (
                "contact_reachability",
                ratio(reached_yes as f64, reachability_count),
            ),
            ("contact_satisfaction", ratio(rated_sum, rated_count)),
            ("autonomy", ratio(10.0 * autonomous as f64, autonomy_count)),
        ],
        metadata: json!({
            "satisfaction_count": satisfaction_count,
            "comprehension_count": comprehension_count,
            "contact_count": contact_count,
            "contactReachability_count": reachability_count,
            "contactSatisfaction_count": rated_count,
            "autonomy_count": autonomy_count,
        }),
    }
}

/// The figures and counts the incumbent would send.
struct Expected {
    figures: Vec<(&'static str, f64)>,
    metadata: Value,
}

impl Expected {
    /// Checks an answer's text: the counts, and each figure written as JavaScript writes the
    /// same number (the shortest text that reads back as it, whole numbers without a fraction),
    /// read from the text itself: a JSON parser may round the last digit.
    fn check(&self, text: &str, context: &str) {
        let body: Value = serde_json::from_str(text).unwrap();
        let answer = &body["result"]["data"]["json"];
        assert_eq!(answer["metadata"], self.metadata, "{context}: {text}");
        let figures = answer["data"].as_object().unwrap();
        assert_eq!(figures.len(), self.figures.len(), "{text}");
        for (name, value) in &self.figures {
            let key = format!("\"{name}\":");
            let at = text.find(&key).unwrap() + key.len();
            let written: String = text[at..]
                .chars()
                .take_while(|c| !matches!(c, ',' | '}'))
                .collect();
            assert_eq!(written, format!("{value}"), "{context}: {name} in {text}");
        }
    }
}

fn random_answers(rng: &mut StdRng) -> Answers {
    let score = |rng: &mut StdRng| Score::try_from(rng.random_range(1..=5u8)).unwrap();
    let satisfaction =
        [Satisfaction::Bad, Satisfaction::Medium, Satisfaction::Good][rng.random_range(0..3)];
    let mut answers = Answers {
        satisfaction: Some(satisfaction),
        ..Answers::default()
    };
    if rng.random_bool(0.7) {
        answers.comprehension = Some(score(rng));
    }
    if rng.random_bool(0.7) {
        if rng.random_bool(0.4) {
            answers.contact_tried = Some([Channel::None].into());
        } else {
            let tried: std::collections::BTreeSet<Channel> = Channel::ALL
                .into_iter()
                .filter(|c| *c != Channel::None && rng.random_bool(0.35))
                .collect();
            if !tried.is_empty() {
                let mut reached = std::collections::BTreeMap::new();
                let mut rated = std::collections::BTreeMap::new();
                for channel in tried.iter().filter(|c| c.is_administration()) {
                    if rng.random_bool(0.8) {
                        let yes = rng.random_bool(0.6);
                        reached.insert(*channel, if yes { Reached::Yes } else { Reached::No });
                        if yes && rng.random_bool(0.8) {
                            rated.insert(*channel, score(rng));
                        }
                    }
                }
                answers.contact_reached = (!reached.is_empty()).then_some(reached);
                answers.contact_satisfaction = (!rated.is_empty()).then_some(rated);
                answers.contact_tried = Some(tried);
            }
        }
    }
    answers
}

fn millis(raw: &str) -> i64 {
    raw.parse::<Timestamp>().unwrap().as_millisecond()
}

/// Stores a review of `button` at `at` (milliseconds), kept out of the figures when `excluded`.
async fn store_review(app: &TestApp, button: &Imported, row: &Row) {
    let at = Timestamp::from_millisecond(row.at).unwrap();
    let review = NewReview {
        id: Uuid::now_v7(),
        button_id: button.id,
        procedure_id: button.procedure,
        answers: row.answers.clone(),
        edit_token_hash: "unused".to_owned(),
        edit_token_expires_at: at,
        created_at: at,
        redactions: 0,
        fingerprint: None,
        excluded_reason: (!row.counts).then_some("duplicate"),
        legacy_id: None,
    };
    app.store.create_review(&review, &UNSCREENED).await.unwrap();
}

async fn pull(app: &TestApp, input: &Value) -> reqwest::Response {
    pull_raw(app, &json!({ "json": input }).to_string()).await
}

/// The pull with `input` as it is.
async fn pull_raw(app: &TestApp, input: &str) -> reqwest::Response {
    let mut url = url::Url::parse(&format!(
        "{}/api/trpc/answer.getObservatoireStats",
        app.address
    ))
    .unwrap();
    url.query_pairs_mut().append_pair("input", input);
    app.client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn the_observatory_reads_the_incumbent_s_figures_for_random_reviews_and_windows() {
    let app = spawn_compat().await;
    let (_, buttons) = product(
        &app,
        3977,
        true,
        &[
            (4400, Some("button"), false, false),
            (4401, Some("site"), true, false),
            (4402, Some("email"), false, true),
        ],
    )
    .await;
    // Another public product, whose reviews must never show.
    let (_, other) = product(&app, 5000, true, &[(6000, None, false, false)]).await;
    let mut rng = StdRng::seed_from_u64(34);
    // Ten days across the change to winter time, with many reviews near midnight in Paris and UTC.
    let start = millis("2025-10-20T00:00:00Z");
    let span = 10 * 86_400_000;
    let mut rows = Vec::new();
    for n in 0..360 {
        let at = if n % 3 == 0 {
            // Within the two hours between midnight in Paris and in UTC.
            let day = rng.random_range(0..10) * 86_400_000;
            start + day + 21 * 3_600_000 + rng.random_range(0..4 * 3_600_000)
        } else {
            start + rng.random_range(0..span)
        };
        let button = rng.random_range(0..buttons.len());
        let row = Row {
            button: buttons[button].legacy,
            at,
            answers: random_answers(&mut rng),
            counts: rng.random_range(0..20) != 0,
        };
        store_review(&app, &buttons[button], &row).await;
        rows.push(row);
        if n == 180 {
            // Half the days closed: their counts come from running totals, later ones move both.
            app.store
                .close_days("2025-10-25".parse().unwrap())
                .await
                .unwrap();
        }
    }
    for _ in 0..20 {
        let row = Row {
            button: 6000,
            at: start + rng.random_range(0..span),
            answers: random_answers(&mut rng),
            counts: true,
        };
        store_review(&app, &other[0], &row).await;
    }

    let day = |n: i64| start + n * 86_400_000;
    let date = |n: i64| {
        Timestamp::from_millisecond(day(n))
            .unwrap()
            .to_string()
            .get(..10)
            .unwrap()
            .to_owned()
    };
    for round in 0..24 {
        let a = rng.random_range(-1..11);
        let b = rng.random_range(a..12);
        let button = match round % 4 {
            0 => Some(buttons[rng.random_range(0..buttons.len())].legacy),
            1 => Some(6000),
            _ => None,
        };
        // As the robot sends them (epoch milliseconds), as days, or at any millisecond.
        let (first, last, start_date, end_date) = match round % 3 {
            0 => (
                day(a),
                day(b) + 86_399_999,
                day(a).to_string(),
                (day(b) + 86_399_999).to_string(),
            ),
            1 => (day(a), day(b) + 86_399_999, date(a), date(b)),
            _ => {
                let first = day(a) + rng.random_range(0..86_400_000);
                let last = day(b) + rng.random_range(0..86_400_000);
                (first, last, first.to_string(), last.to_string())
            }
        };
        let mut input = json!({"product_id": 3977, "form_id": 1, "start_date": start_date, "end_date": end_date});
        if let Some(button) = button {
            input["button_id"] = json!(button);
        }
        let response = pull(&app, &input).await;
        assert_eq!(response.status(), StatusCode::OK, "{input}");
        let text = response.text().await.unwrap();
        reference(&rows, first, last, button).check(&text, &input.to_string());
    }

    // The same product by its XWiki id, every date defaulted: everything so far.
    let response = pull(&app, &json!({"product_id": 13977, "isXWiki": true})).await;
    let text = response.text().await.unwrap();
    reference(&rows, 0, i64::MAX, None).check(&text, "every date defaulted");
}

/// The counts of the pull over everything so far.
async fn counts_so_far(app: &TestApp) -> Value {
    let response = pull(app, &json!({"product_id": 3977, "form_id": 1})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["result"]["data"]["json"]["metadata"].clone()
}

#[tokio::test]
async fn reviews_sent_to_avis_after_the_cut_over_count_and_excluded_ones_do_not() {
    let app = spawn_compat().await;
    let (_, buttons) = product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    let imported = Row {
        button: 4400,
        at: millis("2025-06-01T10:00:00Z"),
        answers: Answers {
            satisfaction: Some(Satisfaction::Bad),
            ..Answers::default()
        },
        counts: true,
    };
    store_review(&app, &buttons[0], &imported).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .post_review(&json!({"button_id": buttons[0].id, "answers": {
                "satisfaction": "good", "contact_tried": ["none"]}}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let metadata = counts_so_far(&app).await;
    assert_eq!(metadata["satisfaction_count"], 3);
    assert_eq!(metadata["autonomy_count"], 2);

    let admin = app.key(Scope::Admin, None).await;
    let excluded = app
        .client
        .post(format!("{}/api/v1/reviews/{}/exclude", app.address, ids[0]))
        .bearer_auth(&admin)
        .json(&json!({"reason": "envoyé deux fois"}))
        .send()
        .await
        .unwrap();
    assert!(excluded.status().is_success(), "{}", excluded.status());
    let metadata = counts_so_far(&app).await;
    assert_eq!(metadata["satisfaction_count"], 2);
    assert_eq!(metadata["autonomy_count"], 1);
}

/// Checks a tRPC error: its status, code and message.
async fn assert_trpc_error(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    let error = &body["error"]["json"];
    assert_eq!(error["data"]["code"], code, "{body}");
    assert_eq!(error["data"]["httpStatus"], status.as_u16(), "{body}");
    assert_eq!(error["data"]["path"], "answer.getObservatoireStats");
    assert!(
        error["code"].is_i64() && error["message"].is_string(),
        "{body}"
    );
    body
}

#[tokio::test]
async fn the_observatory_gets_the_incumbent_s_errors() {
    let app = spawn_compat().await;
    product(&app, 3977, false, &[(4400, None, false, false)]).await;
    let hidden = pull(&app, &json!({"product_id": 3977, "form_id": 1})).await;
    let body = assert_trpc_error(
        hidden,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
    )
    .await;
    assert_eq!(body["error"]["json"]["message"], "Product is not public");
    let unknown = pull(&app, &json!({"product_id": 1, "form_id": 1})).await;
    let body = assert_trpc_error(
        unknown,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
    )
    .await;
    assert_eq!(body["error"]["json"]["message"], "Product not found");

    for bad in [
        json!({"product_id": "troisième"}),
        json!({"product_id": 39.77}),
        json!({"form_id": 1}),
        json!({"product_id": 3977, "start_date": 20250101}),
        json!({"product_id": 3977, "isXWiki": "yes"}),
        json!({"product_id": 3977, "start_date": "hier"}),
    ] {
        let response = pull(&app, &bad).await;
        let body = assert_trpc_error(response, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
        assert_eq!(body["error"]["json"]["code"], -32600, "{bad}");
    }
    let field = pull(&app, &json!({"product_id": "troisième"})).await;
    let body: Value = field.json().await.unwrap();
    assert_eq!(
        body["error"]["json"]["data"]["zodError"]["fieldErrors"]["product_id"][0],
        "Expected number, received string"
    );
    for raw in ["", "{", "{\"product_id\":3977}"] {
        let response = pull_raw(&app, raw).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{raw}");
    }
    let missing = app.get("/api/trpc/answer.getObservatoireStats").await;
    assert_trpc_error(missing, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
}

// ---------------------------------------------------------------------------------------------
// The robot's list of essential procedures.

async fn set_top250(app: &TestApp, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/open-api/setTop250", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn set_top250_needs_an_avis_admin_key_for_every_organisation() {
    let app = spawn_compat().await;
    let body = json!({"product_ids": [1]});
    assert_problem(
        set_top250(&app, None, &body).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    assert_problem(
        set_top250(&app, Some("avis_not-a-key"), &body).await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
    let reader = app.key(Scope::IndicatorsRead, None).await;
    assert_problem(
        set_top250(&app, Some(&reader), &body).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let (procedure, _) = product(&app, 1, false, &[]).await;
    let organisation = app
        .store
        .find_procedure(procedure)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let limited = app.key(Scope::Admin, Some(organisation)).await;
    assert_problem(
        set_top250(&app, Some(&limited), &body).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let admin = app.key(Scope::Admin, None).await;
    for bad in [
        json!({"product_ids": ["1"]}),
        json!({}),
        json!({"product_ids": 1}),
    ] {
        let response = set_top250(&app, Some(&admin), &bad).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn set_top250_makes_the_listed_procedures_essential_and_public_and_drops_the_others() {
    let app = spawn_compat().await;
    let mut procedures = Vec::new();
    for legacy in [1, 2, 3] {
        procedures.push(product(&app, legacy, false, &[]).await.0);
    }
    let admin = app.key(Scope::Admin, None).await;
    let flags = |app: &TestApp| {
        let store = app.store.clone();
        let procedures = procedures.clone();
        async move {
            let mut flags = Vec::new();
            for id in procedures {
                let p = store.find_procedure(id).await.unwrap().unwrap();
                flags.push((p.is_essential, p.is_public));
            }
            flags
        }
    };
    let first = set_top250(&app, Some(&admin), &json!({"product_ids": [1, 2, 999]})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let body: Value = first.json().await.unwrap();
    assert_eq!(
        body,
        json!({"result": {"new_top250": [1, 2, 999], "already_top250": [], "down_top250": []}})
    );
    assert_eq!(
        flags(&app).await,
        vec![(true, true), (true, true), (false, false)]
    );

    let second = set_top250(&app, Some(&admin), &json!({"product_ids": [2, 3]})).await;
    let body: Value = second.json().await.unwrap();
    assert_eq!(
        body,
        json!({"result": {"new_top250": [3], "already_top250": [2], "down_top250": [1]}})
    );
    // Dropped from the list, a procedure stays public.
    assert_eq!(
        flags(&app).await,
        vec![(false, true), (true, true), (true, true)]
    );
}

#[tokio::test]
async fn services_lists_the_imported_procedures_a_key_sees() {
    let app = spawn_compat().await;
    let (first, _) = product(&app, 7, true, &[]).await;
    product(&app, 8, false, &[]).await;
    // A procedure created in avis has no product id: not listed.
    app.button().await;
    let organisation = app
        .store
        .find_procedure(first)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let services = |key: Option<String>| {
        let request = app
            .client
            .get(format!("{}/api/open-api/services", app.address));
        async move {
            match key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
            .send()
            .await
            .unwrap()
        }
    };
    assert_problem(
        services(None).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    let every = services(Some(app.key(Scope::IndicatorsRead, None).await)).await;
    assert_eq!(every.status(), StatusCode::OK);
    let body: Value = every.json().await.unwrap();
    assert_eq!(
        body,
        json!({"data": [
            {"id": 7, "title": "Démarche 7", "entity": "Entité 7", "forms": []},
            {"id": 8, "title": "Démarche 8", "entity": "Entité 8", "forms": []},
        ]})
    );
    let limited = services(Some(app.key(Scope::Admin, Some(organisation)).await)).await;
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["id"], 7);
}
