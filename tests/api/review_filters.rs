//! Listing reviews: every filter, full-text search in comments (case and accents aside, and
//! nothing typed read as syntax), and pages that follow one another without gap or repeat.

use std::collections::{BTreeMap, BTreeSet};

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app};

fn answers(
    satisfaction: Satisfaction,
    comprehension: Option<u8>,
    tried: &[Channel],
    verbatim: Option<&str>,
) -> Answers {
    let tried: BTreeSet<Channel> = tried.iter().copied().collect();
    let reached: BTreeMap<Channel, Reached> = tried
        .iter()
        .filter(|c| matches!(c, Channel::Phone | Channel::Email))
        .map(|c| (*c, Reached::No))
        .collect();
    Answers {
        satisfaction: Some(satisfaction),
        comprehension: comprehension.map(|n| Score::try_from(n).unwrap()),
        contact_tried: (!tried.is_empty()).then_some(tried),
        contact_reached: (!reached.is_empty()).then_some(reached),
        verbatim: verbatim.map(str::to_owned),
        ..Answers::default()
    }
}

#[tokio::test]
async fn each_filter_and_search_finds_exactly_its_reviews() {
    let app = spawn_app().await;
    let button = app.button().await;
    let other_button = app.sibling(&button, false).await;
    let elsewhere = app.button().await;
    use Satisfaction::{Bad, Good, Medium};
    // name, button, day, answers
    let reviews = [
        (
            "accents",
            &button,
            "2026-03-01T10:00:00Z",
            answers(
                Bad,
                Some(1),
                &[Channel::Phone],
                Some("La DEMARCHE est trop longue"),
            ),
        ),
        (
            "lower",
            &button,
            "2026-03-02T10:00:00Z",
            answers(
                Medium,
                Some(3),
                &[Channel::None],
                Some("démarche simple, merci"),
            ),
        ),
        (
            "plural",
            &other_button,
            "2026-03-03T10:00:00Z",
            answers(
                Good,
                Some(5),
                &[],
                Some("Deux démarches en une ; l'aide « en ligne » m'a servi"),
            ),
        ),
        (
            "quotes",
            &button,
            "2026-03-04T10:00:00Z",
            answers(
                Good,
                None,
                &[Channel::Email, Channel::Internet],
                Some("il a dit \"NEAR(x) OR 1=1\" -- ') AND 1=1; DROP TABLE reviews"),
            ),
        ),
        (
            "silent",
            &button,
            "2026-03-05T10:00:00Z",
            answers(Medium, Some(4), &[], None),
        ),
        (
            "elsewhere",
            &elsewhere,
            "2026-03-03T12:00:00Z",
            answers(Bad, Some(1), &[Channel::Phone], Some("démarche ailleurs")),
        ),
    ];
    let mut ids = BTreeMap::new();
    for (name, button, at, answers) in &reviews {
        ids.insert(app.review_at(button, at, answers).await, *name);
    }
    let id_of = |wanted: &str| *ids.iter().find(|(_, n)| **n == wanted).unwrap().0;
    app.store
        .exclude_review(id_of("lower"), "test", None)
        .await
        .unwrap();
    app.store
        .save_contact_email(
            id_of("quotes"),
            "jean@example.com",
            jiff::Timestamp::now(),
            30,
        )
        .await
        .unwrap();

    let key = app.key(Scope::Admin, None).await;
    let procedure = button.procedure_id;
    let cases: &[(&str, &[&str])] = &[
        ("", &["silent", "quotes", "plural", "lower", "accents"]),
        ("&q=démarche", &["plural", "lower", "accents"]),
        ("&q=DEMARCHE", &["plural", "lower", "accents"]),
        ("&q=Démarches", &["plural"]),
        ("&q=demarche+longue", &["accents"]),
        ("&q=longue+merci", &[]),
        ("&q=aide+ligne", &["plural"]),
        ("&q=%22NEAR(x)+OR+1%3D1%22", &["quotes"]),
        ("&q=%27)+AND+1%3D1%3B+DROP+TABLE+reviews", &["quotes"]),
        ("&q=*", &["silent", "quotes", "plural", "lower", "accents"]),
        (
            "&q=%25",
            &["silent", "quotes", "plural", "lower", "accents"],
        ),
        ("&q=zzz", &[]),
        ("&satisfaction=good", &["quotes", "plural"]),
        (
            "&satisfaction=",
            &["silent", "quotes", "plural", "lower", "accents"],
        ),
        ("&comprehension=1", &["accents"]),
        ("&help=phone", &["accents"]),
        ("&help=none", &["lower"]),
        ("&help=any", &["quotes", "accents"]),
        ("&help=internet", &["quotes"]),
        ("&comment=true", &["quotes", "plural", "lower", "accents"]),
        ("&comment=false", &["silent"]),
        ("&contact=true", &["quotes"]),
        ("&contact=false", &["silent", "plural", "lower", "accents"]),
        ("&excluded=true", &["lower"]),
        (
            "&excluded=false",
            &["silent", "quotes", "plural", "accents"],
        ),
        (
            "&from=2026-03-02&to=2026-03-04",
            &["quotes", "plural", "lower"],
        ),
        ("&button=OTHER", &["plural"]),
        ("&button=OTHER&q=demarche", &["plural"]),
        ("&button=OTHER&q=longue", &[]),
        (
            "&q=d%C3%A9marche&satisfaction=bad&help=phone&from=2026-03-01",
            &["accents"],
        ),
    ];
    for (query, expected) in cases {
        let query = query.replace("OTHER", &other_button.id.to_string());
        let response = app
            .get_with(
                &format!("/api/v1/reviews?procedure={procedure}{query}"),
                &key,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let found: Vec<Value> = response.json().await.unwrap();
        let names: Vec<&str> = found
            .iter()
            .map(|r| ids[&r["id"].as_str().unwrap().parse::<Uuid>().unwrap()])
            .collect();
        assert_eq!(names, *expected, "{query}");
    }

    for (query, field) in [
        ("satisfaction=great", "satisfaction"),
        ("comprehension=6", "comprehension"),
        ("help=fax", "help"),
        ("comment=yes", "comment"),
        ("from=2026-03-05&to=2026-03-01", "to"),
        ("after=not-an-id", "after"),
        ("after=01a24d83-3bfb-72ca-a34a-38842aa97379", "after"),
    ] {
        let response = app
            .get_with(&format!("/api/v1/reviews?{query}"), &key)
            .await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn pages_after_a_review_follow_one_another_without_gap_or_repeat() {
    let app = spawn_app().await;
    let button = app.button().await;
    let mut expected = Vec::new();
    // Several reviews share one instant: the order then falls back on their ids.
    for n in 0..23 {
        let at = format!("2026-04-{:02}T08:00:00Z", 1 + n / 3);
        let id = app
            .review_at(
                &button,
                &at,
                &answers(Satisfaction::Good, None, &[], Some("page")),
            )
            .await;
        expected.push((at, id));
    }
    expected.sort();
    expected.reverse();
    let expected: Vec<Uuid> = expected.into_iter().map(|(_, id)| id).collect();

    let key = app.key(Scope::Admin, None).await;
    for filter in ["", "&q=page"] {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let page: Vec<Value> = app
                .get_with(
                    &format!(
                        "/api/v1/reviews?procedure={}&limit=5{after}{filter}",
                        button.procedure_id
                    ),
                    &key,
                )
                .await
                .json()
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 5);
            seen.extend(
                page.iter()
                    .map(|r| r["id"].as_str().unwrap().parse::<Uuid>().unwrap()),
            );
            after = format!("&after={}", page.last().unwrap()["id"].as_str().unwrap());
        }
        assert_eq!(seen, expected, "{filter}");
    }
}

/// A comment added, changed or purged later is found, or no longer, at once.
#[tokio::test]
async fn a_comment_is_searchable_as_soon_as_it_is_written_and_not_after_it_is_gone() {
    let app = spawn_app().await;
    let button = app.button().await;
    let key = app.key(Scope::Admin, None).await;
    let (id, token) = app.rate(&button, "good").await;
    let found = |q: &'static str| {
        let app = &app;
        let key = &key;
        async move {
            let list: Vec<Value> = app
                .get_with(
                    &format!("/api/v1/reviews?procedure={}&q={q}", button.procedure_id),
                    key,
                )
                .await
                .json()
                .await
                .unwrap();
            list.len()
        }
    };
    assert_eq!(found("guichet").await, 0);
    let body = serde_json::json!({"answers": {"verbatim": "Le guichet était fermé"}});
    assert_eq!(
        app.patch_review(&id, Some(&token), &body).await.status(),
        StatusCode::OK
    );
    assert_eq!(found("guichet").await, 1);
    let body = serde_json::json!({"answers": {"verbatim": "Tout va bien"}});
    assert_eq!(
        app.patch_review(&id, Some(&token), &body).await.status(),
        StatusCode::OK
    );
    assert_eq!(found("guichet").await, 0);
    assert_eq!(found("tout+bien").await, 1);
    let body = serde_json::json!({"answers": {"verbatim": null}});
    assert_eq!(
        app.patch_review(&id, Some(&token), &body).await.status(),
        StatusCode::OK
    );
    assert_eq!(found("tout").await, 0);
}

/// A word found in thousands of comments is searched another way than a rare one: both find
/// exactly the reviews a plain reading of every comment finds, newest first. There are more
/// comments than a search first reads one by one on PostgreSQL, and a word found only in the
/// oldest ones.
#[tokio::test]
async fn a_word_found_often_finds_what_reading_every_comment_finds() {
    let app = spawn_app().await;
    avis::seed::seed(&app.store, 24_000, 1, 30, 4_000)
        .await
        .unwrap();
    let commented = avis::store::review_list::ReviewFilter {
        has_comment: Some(true),
        limit: 100_000,
        ..Default::default()
    };
    let oldest: Vec<Uuid> = app
        .store
        .list_reviews(&commented)
        .await
        .unwrap()
        .iter()
        .rev()
        .take(3)
        .map(|r| r.id)
        .collect();
    let url = avis::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
            .await
            .unwrap();
    for id in &oldest {
        sqlx::query("UPDATE reviews SET verbatim = $1 WHERE id = $2")
            .bind("Un ZÉPHYR de démarche")
            .bind(id.to_string())
            .execute(&mut connection)
            .await
            .unwrap();
    }
    let all = app.store.list_reviews(&commented).await.unwrap();
    assert!(all.len() > 5_000, "{} comments", all.len());
    let procedure = all[0].procedure_id;
    for (raw, first_letters) in [
        ("L", "l"),
        ("démarche", "demarche"),
        ("aucune nouvelle", "aucune nouvelle"),
        ("zéphyr", "zephyr"),
        ("Zephyr DEMARCHE", "zephyr demarche"),
    ] {
        let wanted: Vec<&str> = first_letters.split(' ').collect();
        let expected: Vec<Uuid> = all
            .iter()
            .filter(|r| {
                let folded = avis::domain::search::fold(r.answers.verbatim.as_deref().unwrap());
                let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).collect();
                wanted
                    .iter()
                    .all(|w| words.iter().any(|word| word.starts_with(w)))
            })
            .map(|r| r.id)
            .take(120)
            .collect();
        let mut found = Vec::new();
        let mut filter = avis::store::review_list::ReviewFilter {
            procedure: Some(procedure),
            search: avis::domain::search::SearchTerms::parse(raw),
            limit: 40,
            ..Default::default()
        };
        while found.len() < 120 {
            let page = app.store.list_reviews(&filter).await.unwrap();
            if page.is_empty() {
                break;
            }
            filter.after = Some(page.last().unwrap().into());
            found.extend(page.iter().map(|r| r.id));
        }
        found.truncate(120);
        assert!(!expected.is_empty(), "{raw}");
        assert_eq!(found, expected, "{raw}");
    }
}
