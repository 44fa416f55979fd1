//! The observatory API: formulas, windows, formats, filters and open data.

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use avis::domain::catalog::Scope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, rated, spawn_app};

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn sixty_good_thirty_medium_ten_bad_give_seven_and_a_half_in_one_call() {
    let app = spawn_app().await;
    let button = app.button().await;
    let other = app.button().await;
    for (satisfaction, n) in [
        (Satisfaction::Good, 60),
        (Satisfaction::Medium, 30),
        (Satisfaction::Bad, 10),
    ] {
        for _ in 0..n {
            app.review_at(&button, "2026-06-01T10:00:00Z", &rated(satisfaction))
                .await;
        }
    }
    let key = app.key(Scope::IndicatorsRead, None).await;
    let body = json_of(
        app.get_with("/api/v1/indicators?window=12m&at=2026-11-22", &key)
            .await,
    )
    .await;
    assert_eq!(
        body["window"],
        json!({"from": "2025-11-23", "to": "2026-11-22"})
    );
    assert_eq!(body["publication_threshold"], 100);
    let procedures = body["procedures"].as_array().unwrap();
    assert_eq!(procedures.len(), 2);
    let ours = procedures
        .iter()
        .find(|p| p["id"] == button.procedure_id.to_string())
        .unwrap();
    assert!(ours["external_id"].is_string());
    assert_eq!(
        ours["indicators"]["satisfaction"],
        json!({"value": 7.5, "n": 100, "ci95": [6.84, 8.16], "level": "medium", "publishable": true,
               "distribution": {"good": 60, "medium": 30, "bad": 10}})
    );
    assert_eq!(
        ours["indicators"]["comprehension"],
        json!({"value": null, "n": 0, "ci95": null, "level": null, "publishable": false, "distribution": {}})
    );
    let empty = procedures
        .iter()
        .find(|p| p["id"] == other.procedure_id.to_string())
        .unwrap();
    assert_eq!(empty["indicators"]["satisfaction"]["value"], Value::Null);
}

/// The call over every procedure reads the buttons in parts, by the last hex digit of their id
/// (random): with 48 buttons, a digit left out of every part would go unnoticed 1 time in 20.
#[tokio::test]
async fn every_button_is_counted_once_in_the_call_over_every_procedure() {
    let app = spawn_app().await;
    let mut buttons = Vec::new();
    for _ in 0..48 {
        let button = app.button().await;
        app.review_at(&button, "2026-06-01T10:00:00Z", &rated(Satisfaction::Good))
            .await;
        buttons.push(button);
    }
    let key = app.key(Scope::IndicatorsRead, None).await;
    let body = json_of(
        app.get_with("/api/v1/indicators?window=12m&at=2026-11-22", &key)
            .await,
    )
    .await;
    let procedures = body["procedures"].as_array().unwrap();
    assert_eq!(procedures.len(), buttons.len());
    for button in &buttons {
        let listed = procedures
            .iter()
            .find(|p| p["id"] == button.procedure_id.to_string())
            .unwrap();
        assert_eq!(
            listed["indicators"]["satisfaction"]["n"], 1,
            "button {}",
            button.id
        );
    }
}

#[tokio::test]
async fn every_indicator_is_computed_from_the_follow_up_answers() {
    let app = spawn_app().await;
    let button = app.button().await;
    let full = Answers {
        comprehension: Some(Score::try_from(4).unwrap()),
        contact_tried: Some([Channel::Phone, Channel::Email].into()),
        contact_reached: Some(
            [
                (Channel::Phone, Reached::Yes),
                (Channel::Email, Reached::No),
            ]
            .into(),
        ),
        contact_satisfaction: Some([(Channel::Phone, Score::try_from(5).unwrap())].into()),
        ..rated(Satisfaction::Good)
    };
    let autonomous = Answers {
        comprehension: Some(Score::try_from(2).unwrap()),
        contact_tried: Some([Channel::None].into()),
        ..rated(Satisfaction::Bad)
    };
    app.review_at(&button, "2026-11-01T08:00:00Z", &full).await;
    app.review_at(&button, "2026-11-02T08:00:00Z", &autonomous)
        .await;
    let key = app.key(Scope::Admin, None).await;
    let path = format!(
        "/api/v1/procedures/{}/indicators?at=2026-11-22&window=3m",
        button.procedure_id
    );
    let body = json_of(app.get_with(&path, &key).await).await;
    assert_eq!(
        body["window"],
        json!({"from": "2026-08-23", "to": "2026-11-22"})
    );
    assert_eq!(body["id"], button.procedure_id.to_string());
    let i = &body["indicators"];
    assert_eq!(
        (
            i["satisfaction"]["value"].as_f64(),
            i["satisfaction"]["n"].as_i64()
        ),
        (Some(5.0), Some(2))
    );
    assert_eq!(i["comprehension"]["value"], 5.0);
    assert_eq!(
        (
            i["help_reachable"]["value"].as_f64(),
            i["help_reachable"]["n"].as_i64()
        ),
        (Some(0.5), Some(2))
    );
    assert_eq!(
        i["help_reachable"]["distribution"],
        json!({"yes": 1, "no": 1})
    );
    assert_eq!(
        (
            i["help_quality"]["value"].as_f64(),
            i["help_quality"]["n"].as_i64()
        ),
        (Some(10.0), Some(1))
    );
    assert_eq!(
        (i["autonomy"]["value"].as_f64(), i["autonomy"]["n"].as_i64()),
        (Some(0.5), Some(2))
    );
    assert_eq!(i["autonomy"]["level"], Value::Null);
}

#[tokio::test]
async fn test_buttons_and_excluded_reviews_never_count_but_are_kept() {
    let app = spawn_app().await;
    let button = app.button().await;
    let test_button = app.sibling(&button, true).await;
    app.review_at(&button, "2026-11-01T08:00:00Z", &rated(Satisfaction::Good))
        .await;
    app.review_at(
        &test_button,
        "2026-11-01T08:00:00Z",
        &rated(Satisfaction::Bad),
    )
    .await;
    let excluded = app
        .review_at(&button, "2026-11-01T09:00:00Z", &rated(Satisfaction::Bad))
        .await;
    assert!(
        app.store
            .exclude_review(excluded, "duplicate", None)
            .await
            .unwrap()
    );
    let key = app.key(Scope::IndicatorsRead, None).await;
    let path = format!(
        "/api/v1/procedures/{}/indicators?at=2026-11-22",
        button.procedure_id
    );
    let body = json_of(app.get_with(&path, &key).await).await;
    assert_eq!(
        body["indicators"]["satisfaction"]["distribution"],
        json!({"good": 1, "medium": 0, "bad": 0})
    );
    let kept = app.store.find_review(excluded).await.unwrap().unwrap();
    assert_eq!(kept.excluded_reason.as_deref(), Some("duplicate"));

    assert!(
        app.store
            .restore_review(excluded, "not a duplicate", None)
            .await
            .unwrap()
    );
    let body = json_of(app.get_with(&path, &key).await).await;
    assert_eq!(body["indicators"]["satisfaction"]["n"], 2);
}

#[tokio::test]
async fn window_edges_follow_paris_days_across_daylight_saving() {
    let app = spawn_app().await;
    let button = app.button().await;
    let key = app.key(Scope::IndicatorsRead, None).await;
    // 23:30 in Paris on the last day (UTC+1 in winter), then 00:30 the next day.
    app.review_at(&button, "2026-11-22T22:30:00Z", &rated(Satisfaction::Good))
        .await;
    app.review_at(&button, "2026-11-22T23:30:00Z", &rated(Satisfaction::Bad))
        .await;
    // Summer time started on 2026-03-29 at 01:00 UTC: 23:30 UTC on the 29th is already the 30th.
    app.review_at(
        &button,
        "2026-03-29T21:30:00Z",
        &rated(Satisfaction::Medium),
    )
    .await;
    app.review_at(&button, "2026-03-29T22:30:00Z", &rated(Satisfaction::Bad))
        .await;
    // Summer time ended on 2026-10-25 at 01:00 UTC: 22:30 UTC that day is 23:30 in Paris.
    app.review_at(
        &button,
        "2026-10-25T22:30:00Z",
        &rated(Satisfaction::Medium),
    )
    .await;
    let n = |body: Value| body["indicators"]["satisfaction"]["n"].as_i64().unwrap();
    let count = |from: &str, to: &str| {
        let path = format!(
            "/api/v1/procedures/{}/indicators?from={from}&to={to}",
            button.procedure_id
        );
        let (app, key) = (&app, key.clone());
        async move { n(json_of(app.get_with(&path, &key).await).await) }
    };
    assert_eq!(count("2026-11-22", "2026-11-22").await, 1);
    assert_eq!(count("2026-11-23", "2026-11-23").await, 1);
    assert_eq!(count("2026-03-29", "2026-03-29").await, 1);
    assert_eq!(count("2026-03-30", "2026-03-30").await, 1);
    assert_eq!(count("2026-10-25", "2026-10-25").await, 1);
    let at = |day: &str| {
        let path = format!(
            "/api/v1/procedures/{}/indicators?window=3m&at={day}",
            button.procedure_id
        );
        let (app, key) = (&app, key.clone());
        async move { n(json_of(app.get_with(&path, &key).await).await) }
    };
    assert_eq!(at("2026-11-22").await, 2);
    assert_eq!(at("2026-11-23").await, 3);
}

#[tokio::test]
async fn series_buckets_add_up_to_the_window() {
    let app = spawn_app().await;
    let button = app.button().await;
    for (at, s) in [
        ("2026-01-05T10:00:00Z", Satisfaction::Good),
        ("2026-01-11T10:00:00Z", Satisfaction::Bad),
        ("2026-02-20T10:00:00Z", Satisfaction::Medium),
        ("2026-03-31T21:00:00Z", Satisfaction::Good),
    ] {
        app.review_at(&button, at, &rated(s)).await;
    }
    let key = app.key(Scope::IndicatorsRead, None).await;
    let base = format!(
        "/api/v1/procedures/{}/indicators/series?from=2026-01-01&to=2026-03-31",
        button.procedure_id
    );
    let months = json_of(app.get_with(&format!("{base}&interval=month"), &key).await).await;
    let counts: Vec<i64> = months["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["indicators"]["satisfaction"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [2, 1, 1]);
    assert_eq!(
        months["series"][0]["indicators"]["satisfaction"]["value"],
        5.0
    );
    assert_eq!(months["series"][2]["to"], "2026-03-31");
    let weeks = json_of(app.get_with(&format!("{base}&interval=week"), &key).await).await;
    let weeks = weeks["series"].as_array().unwrap();
    assert_eq!(weeks[0]["from"], "2026-01-01");
    assert_eq!(weeks[1]["from"], "2026-01-05");
    assert_eq!(weeks[1]["indicators"]["satisfaction"]["n"], 2);
    let days = json_of(app.get_with(&format!("{base}&interval=day"), &key).await).await;
    let days = days["series"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    let total: i64 = days
        .iter()
        .map(|b| b["indicators"]["satisfaction"]["n"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 4);
    let too_many = app.get_with(&format!("/api/v1/procedures/{}/indicators/series?interval=day&from=2020-01-01&to=2026-01-01", button.procedure_id), &key).await;
    assert_problem(
        too_many,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    )
    .await;
}

#[tokio::test]
async fn csv_has_one_row_per_procedure_and_indicator() {
    let app = spawn_app().await;
    let button = app.button().await;
    app.button().await;
    app.review_at(
        &button,
        "2026-11-01T10:00:00Z",
        &rated(Satisfaction::Medium),
    )
    .await;
    let key = app.key(Scope::IndicatorsRead, None).await;
    for request in [
        app.client
            .get(format!(
                "{}/api/v1/indicators?at=2026-11-22&format=csv",
                app.address
            ))
            .bearer_auth(&key),
        app.client
            .get(format!("{}/api/v1/indicators?at=2026-11-22", app.address))
            .bearer_auth(&key)
            .header("Accept", "text/csv"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let text = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            &header[..7],
            [
                "procedure_id",
                "external_id",
                "title",
                "from",
                "to",
                "indicator",
                "value"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        let ours = rows
            .iter()
            .find(|r| r[0] == button.procedure_id.to_string() && &r[5] == "satisfaction")
            .unwrap();
        assert_eq!(
            (&ours[2], &ours[3], &ours[4], &ours[6], &ours[7]),
            (
                "Demande d'aide au logement",
                "2025-11-23",
                "2026-11-22",
                "5",
                "1"
            )
        );
        assert_eq!(&ours[12], "bad=0;good=0;medium=1");
    }
    let series = app
        .get_with(
            &format!(
                "/api/v1/procedures/{}/indicators/series?at=2026-11-22&format=csv",
                button.procedure_id
            ),
            &key,
        )
        .await;
    let text = series.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 13 * 5);
}

#[tokio::test]
async fn one_call_returns_every_visible_procedure_with_filters() {
    let app = spawn_app().await;
    let mut buttons = Vec::new();
    for _ in 0..120 {
        buttons.push(app.button().await);
    }
    let mut essential = app
        .store
        .find_procedure(buttons[3].procedure_id)
        .await
        .unwrap()
        .unwrap();
    essential.is_essential = true;
    app.store.save_procedure(&essential).await.unwrap();
    let key = app.key(Scope::IndicatorsRead, None).await;
    let all = json_of(app.get_with("/api/v1/indicators", &key).await).await;
    assert_eq!(all["procedures"].as_array().unwrap().len(), 120);
    let only = json_of(
        app.get_with("/api/v1/indicators?essential=true", &key)
            .await,
    )
    .await;
    assert_eq!(only["procedures"].as_array().unwrap().len(), 1);
    assert_eq!(only["procedures"][0]["id"], essential.id.to_string());
    let by_org = json_of(
        app.get_with(
            &format!(
                "/api/v1/indicators?organisation={}",
                essential.organisation_id
            ),
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(by_org["procedures"].as_array().unwrap().len(), 1);
    let one = json_of(
        app.get_with(
            &format!("/api/v1/indicators?procedure={}", buttons[7].procedure_id),
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(
        one["procedures"][0]["id"],
        buttons[7].procedure_id.to_string()
    );
    for bad in [
        "essential=yes",
        "organisation=x",
        "window=13",
        "from=2026-01-01",
        "format=xml",
        "at=tomorrow",
    ] {
        let response = app
            .get_with(&format!("/api/v1/indicators?{bad}"), &key)
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
}

#[tokio::test]
async fn public_procedures_are_open_data_with_a_badge() {
    let app = spawn_app().await;
    let public = app.button().await;
    let private = app.button().await;
    let mut procedure = app
        .store
        .find_procedure(public.procedure_id)
        .await
        .unwrap()
        .unwrap();
    procedure.is_public = true;
    app.store.save_procedure(&procedure).await.unwrap();
    for _ in 0..3 {
        app.review_at(
            &public,
            &jiff::Timestamp::now().to_string(),
            &rated(Satisfaction::Good),
        )
        .await;
    }

    let response = app
        .get(&format!(
            "/api/v1/procedures/{}/indicators",
            public.procedure_id
        ))
        .await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    assert_eq!(
        json_of(response).await["indicators"]["satisfaction"]["n"],
        3
    );
    let listed = json_of(app.get("/api/v1/public/indicators").await).await;
    assert_eq!(listed["procedures"].as_array().unwrap().len(), 1);
    let private_path = format!("/api/v1/procedures/{}/indicators", private.procedure_id);
    assert_problem(
        app.get(&private_path).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    let key = app.key(Scope::IndicatorsRead, None).await;
    let keyed = app.get_with(&private_path, &key).await;
    assert_eq!(keyed.headers()["cache-control"], "private, no-store");

    let badge = app
        .get(&format!(
            "/api/v1/procedures/{}/badge.svg",
            public.procedure_id
        ))
        .await;
    assert_eq!(badge.status(), StatusCode::OK);
    assert_eq!(
        badge.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    let svg = badge.text().await.unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("role=\"img\"") && svg.contains("3 avis"),
        "{svg}"
    );
    let badge = app
        .get(&format!(
            "/api/v1/procedures/{}/badge.svg",
            private.procedure_id
        ))
        .await;
    assert_problem(badge, StatusCode::UNAUTHORIZED, "missing_api_key").await;
}
