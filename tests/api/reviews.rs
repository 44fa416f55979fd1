//! `POST /api/v1/reviews` and `PATCH /api/v1/reviews/{id}`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, counts, error_fields, spawn_app, spawn_app_with_token_ttl};

#[tokio::test]
async fn a_rating_creates_a_review_and_counts_it() {
    let app = spawn_app().await;
    let button = app.button().await;
    let response = app
        .post_review(&json!({"button_id": button.id, "answers": {"satisfaction": "good"}}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/reviews/{id}"));
    assert!(body["edit_token"].as_str().unwrap().len() >= 40);
    let expires: jiff::Timestamp = body["edit_token_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let lifetime = expires.duration_since(jiff::Timestamp::now()).as_secs();
    assert!((3_590..=3_600).contains(&lifetime), "{lifetime}");

    let stored = app
        .store
        .find_review(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.button_id, button.id);
    assert_eq!(stored.questionnaire_version, 1);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 1)])
    );
}

#[tokio::test]
async fn a_review_posted_as_text_plain_is_accepted() {
    let app = spawn_app().await;
    let button = app.button().await;
    let body = json!({"button_id": button.id, "answers": {"satisfaction": "bad"}}).to_string();
    let response = app.post_raw(body, "text/plain;charset=UTF-8").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=bad", 1)])
    );
}

#[tokio::test]
async fn later_answers_are_added_with_the_edit_token() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "medium").await;
    let answers = json!({
        "comprehension": 4,
        "contact_tried": ["phone", "email", "internet"],
        "contact_reached": {"phone": "yes", "email": "no"},
        "contact_satisfaction": {"phone": 2},
        "verbatim": "  Le formulaire\r\nétait long.\u{0}  "
    });
    let response = app
        .patch_review(&id, Some(&token), &json!({ "answers": answers }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["answers"]["satisfaction"], "medium");
    assert_eq!(body["answers"]["comprehension"], 4);
    assert_eq!(
        body["answers"]["contact_tried"],
        json!(["phone", "email", "internet"])
    );
    assert_eq!(body["answers"]["verbatim"], "Le formulaire\nétait long.");

    let stored = app
        .store
        .find_review(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.answers.verbatim.as_deref(),
        Some("Le formulaire\nétait long.")
    );
    assert_eq!(
        app.counters(&button).await,
        counts(&[
            ("satisfaction=medium", 1),
            ("comprehension=4", 1),
            ("contact_tried=*", 1),
            ("contact_tried=phone", 1),
            ("contact_tried=email", 1),
            ("contact_tried=internet", 1),
            ("contact_reached=phone:yes", 1),
            ("contact_reached=email:no", 1),
            ("contact_satisfaction=phone:2", 1),
            ("verbatim=*", 1),
        ])
    );
}

#[tokio::test]
async fn changing_an_answer_moves_its_count_and_never_double_counts() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    app.rate(&button, "good").await;
    for body in [
        json!({"answers": {"satisfaction": "bad", "comprehension": 2}}),
        json!({"answers": {"comprehension": 5}}),
        json!({"answers": {"comprehension": 5}}),
        json!({"answers": {"contact_tried": ["none"]}}),
    ] {
        let response = app.patch_review(&id, Some(&token), &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
    }
    assert_eq!(
        app.counters(&button).await,
        counts(&[
            ("satisfaction=good", 1),
            ("satisfaction=bad", 1),
            ("comprehension=5", 1),
            ("contact_tried=*", 1),
            ("contact_tried=none", 1),
        ])
    );
    let cleared = app
        .patch_review(
            &id,
            Some(&token),
            &json!({"answers": {"comprehension": null, "contact_tried": []}}),
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 1), ("satisfaction=bad", 1)])
    );
}

#[tokio::test]
async fn concurrent_updates_of_one_review_keep_its_counts_exact() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    let updates = (0..24).map(|i| {
        let satisfaction = ["bad", "medium", "good"][i % 3];
        let body = json!({"answers": {"comprehension": 1 + i % 5, "satisfaction": satisfaction}});
        let (app, id, token) = (&app, id.clone(), token.clone());
        async move { app.patch_review(&id, Some(&token), &body).await.status() }
    });
    for status in futures_util::future::join_all(updates).await {
        assert_eq!(status, StatusCode::OK);
    }
    let counters = app.counters(&button).await;
    let total = |question: &str| -> i64 {
        counters
            .iter()
            .filter(|(k, _)| k.starts_with(question))
            .map(|(_, n)| n)
            .sum()
    };
    assert_eq!(total("satisfaction="), 1, "{counters:?}");
    assert_eq!(total("comprehension="), 1, "{counters:?}");
    let stored = app
        .store
        .find_review(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let expected = format!(
        "comprehension={}",
        stored.answers.comprehension.unwrap().get()
    );
    assert!(counters.contains(&(expected, 1)), "{counters:?}");
}

#[tokio::test]
async fn an_update_needs_the_review_s_own_valid_token() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    let (_, other_token) = app.rate(&button, "bad").await;
    let body = json!({"answers": {"comprehension": 3}});

    let missing = app.patch_review(&id, None, &body).await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_problem(missing, StatusCode::UNAUTHORIZED, "missing_edit_token").await;
    let wrong = app.patch_review(&id, Some("not-the-token"), &body).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_edit_token").await;
    let borrowed = app.patch_review(&id, Some(&other_token), &body).await;
    assert_problem(borrowed, StatusCode::FORBIDDEN, "invalid_edit_token").await;
    let basic = app
        .client
        .patch(format!("{}/api/v1/reviews/{id}", app.address))
        .basic_auth("user", Some(&token))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_problem(basic, StatusCode::UNAUTHORIZED, "missing_edit_token").await;

    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=bad", 1), ("satisfaction=good", 1)])
    );
    assert_eq!(
        app.patch_review(&id, Some(&token), &body).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app_with_token_ttl(1).await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let response = app
        .patch_review(&id, Some(&token), &json!({"answers": {"comprehension": 3}}))
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, "edit_token_expired").await;
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 1)])
    );
}

#[tokio::test]
async fn an_unknown_review_is_not_found() {
    let app = spawn_app().await;
    let body = json!({"answers": {"comprehension": 3}});
    for id in [uuid::Uuid::now_v7().to_string(), "not-a-uuid".to_owned()] {
        let response = app.patch_review(&id, Some("token"), &body).await;
        assert_problem(response, StatusCode::NOT_FOUND, "review_not_found").await;
    }
}

#[tokio::test]
async fn invalid_creations_are_refused_with_the_field_and_the_reason() {
    let app = spawn_app().await;
    let button = app.button().await;
    let id = button.id.to_string();
    let cases: Vec<(Value, StatusCode, &str, &[&str])> = vec![
        (
            json!({"answers": {"satisfaction": "good"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["button_id"],
        ),
        (
            json!({"button_id": "abc", "answers": {"satisfaction": "good"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["button_id"],
        ),
        (
            json!({"button_id": 42, "answers": {"satisfaction": "good"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["button_id"],
        ),
        (
            json!({"button_id": id}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["answers"],
        ),
        (
            json!({"button_id": id, "answers": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["answers"],
        ),
        (
            json!({"button_id": id, "answers": {}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.satisfaction"],
        ),
        (
            json!({"button_id": id, "answers": {"comprehension": 4}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.satisfaction"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "great"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.satisfaction"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "good", "comprehension": 9}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.comprehension"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "good", "contact_tried": ["none", "phone"]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.contact_tried"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "good", "contact_reached": {"phone": "yes"}}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.contact_reached.phone"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "good", "colour": "blue"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.colour"],
        ),
        (
            json!({"button_id": id, "answers": {"satisfaction": "good", "verbatim": "é".repeat(5_001)}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answer",
            &["answers.verbatim"],
        ),
        (
            json!({"button_id": uuid::Uuid::now_v7(), "answers": {"satisfaction": "good"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_button",
            &[],
        ),
        (
            json!([1, 2]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            &["body"],
        ),
    ];
    for (body, status, code, fields) in cases {
        let problem = assert_problem(app.post_review(&body).await, status, code).await;
        assert_eq!(error_fields(&problem), fields, "{body}");
    }
    let malformed: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            b"{\"button_id\": ".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            b"".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            b"\xff\xfe\x00".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            format!(
                "{{\"answers\": {}{}}}",
                "[".repeat(5_000),
                "]".repeat(5_000)
            )
            .into_bytes(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            b"button_id=1".to_vec(),
            "application/x-www-form-urlencoded",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            vec![b' '; 70_000],
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (body, content_type, status, code) in malformed {
        assert_problem(app.post_raw(body, content_type).await, status, code).await;
    }
    assert!(app.counters(&button).await.is_empty());
}

#[tokio::test]
async fn invalid_updates_change_nothing() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    let ok = json!({"answers": {"contact_tried": ["phone"], "contact_reached": {"phone": "no"}}});
    assert_eq!(
        app.patch_review(&id, Some(&token), &ok).await.status(),
        StatusCode::OK
    );
    let before = app.counters(&button).await;
    let cases: Vec<(Value, &str, &[&str])> = vec![
        (
            json!({"answers": {"satisfaction": null}}),
            "invalid_answer",
            &["answers.satisfaction"],
        ),
        (
            json!({"answers": {"contact_satisfaction": {"phone": 4}}}),
            "invalid_answer",
            &["answers.contact_satisfaction.phone"],
        ),
        (
            json!({"answers": {"contact_tried": ["email"]}}),
            "invalid_answer",
            &["answers.contact_reached.phone"],
        ),
        (
            json!({"answers": {"contact_tried_other": "la mairie"}}),
            "invalid_answer",
            &["answers.contact_tried_other"],
        ),
        (
            json!({"answers": {"contact_reached": {"association": "yes"}}}),
            "invalid_answer",
            &["answers.contact_reached.association"],
        ),
        (
            json!({"answers": {"comprehension": "4", "verbatim": 3}}),
            "invalid_answer",
            &["answers.comprehension", "answers.verbatim"],
        ),
        (
            json!({"answers": {"contact_email": "jean@example.fr"}}),
            "invalid_answer",
            &["answers.contact_email"],
        ),
        (json!({}), "invalid_request", &["answers"]),
    ];
    for (body, code, fields) in cases {
        let response = app.patch_review(&id, Some(&token), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
        assert_eq!(error_fields(&problem), fields, "{body}");
    }
    assert_eq!(app.counters(&button).await, before);
    let stored = app
        .store
        .find_review(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.answers.contact_tried_other.is_none() && stored.answers.comprehension.is_none());
}

#[tokio::test]
async fn closed_buttons_and_procedures_take_no_reviews() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "good").await;
    app.store.close_button(button.id).await.unwrap();
    let body = json!({"button_id": button.id, "answers": {"satisfaction": "good"}});
    assert_problem(
        app.post_review(&body).await,
        StatusCode::GONE,
        "button_closed",
    )
    .await;
    // A citizen who started before the closing may still finish within the token's lifetime.
    let finish = app
        .patch_review(&id, Some(&token), &json!({"answers": {"comprehension": 5}}))
        .await;
    assert_eq!(finish.status(), StatusCode::OK);

    let other = app.button().await;
    app.store.close_procedure(other.procedure_id).await.unwrap();
    let body = json!({"button_id": other.id, "answers": {"satisfaction": "good"}});
    assert_problem(
        app.post_review(&body).await,
        StatusCode::GONE,
        "button_closed",
    )
    .await;
}

#[tokio::test]
async fn concurrent_amendments_are_committed_in_shared_transactions() {
    let app = crate::helpers::spawn_app_with(avis::startup::Options {
        exempt_networks: avis::domain::network::Networks::parse("127.0.0.0/8").unwrap(),
        ..avis::startup::Options::default()
    })
    .await;
    let button = app.button().await;
    let mut reviews = Vec::new();
    for _ in 0..48 {
        reviews.push(app.rate(&button, "good").await);
    }
    let metric = |text: &str, name: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    let before = app.get("/metrics").await.text().await.unwrap();
    let updates = reviews.iter().map(|(id, token)| {
        let body = json!({"answers": {"satisfaction": "bad", "comprehension": 2}});
        let app = &app;
        async move { app.patch_review(id, Some(token), &body).await.status() }
    });
    for status in futures_util::future::join_all(updates).await {
        assert_eq!(status, StatusCode::OK);
    }
    let after = app.get("/metrics").await.text().await.unwrap();
    let jobs = metric(&after, "avis_batch_size_sum") - metric(&before, "avis_batch_size_sum");
    let batches =
        metric(&after, "avis_batch_size_count") - metric(&before, "avis_batch_size_count");
    assert_eq!(jobs, 48.0, "every amendment went through the writer");
    assert!(batches < 48.0, "{batches} transactions for 48 amendments");
    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("comprehension=2", 48), ("satisfaction=bad", 48)])
    );
}

/// Reviews of many procedures at once: each client counts once per procedure whichever of its
/// buttons it went through, though its two reviews arrive together (in one batch or in two that
/// follow each other); amendments reach every review; the counters equal a recount of the
/// reviews.
#[tokio::test]
async fn concurrent_reviews_of_many_procedures_are_screened_and_counted_exactly() {
    let app = crate::helpers::spawn_app_with(avis::startup::Options {
        exempt_networks: avis::domain::network::Networks::parse("127.0.0.0/8").unwrap(),
        ..avis::startup::Options::default()
    })
    .await;
    let mut procedures = Vec::new();
    for _ in 0..8 {
        let button = app.button().await;
        let sibling = app.sibling(&button, false).await;
        procedures.push((button, sibling));
    }
    // Five clients per procedure, each rating through both of its buttons at the same time.
    let mut posts = Vec::new();
    for (p, (button, sibling)) in procedures.iter().enumerate() {
        for client in 0..5 {
            for through in [button, sibling] {
                let app = &app;
                posts.push(async move {
                    let response = app
                        .client
                        .post(format!("{}/api/v1/reviews", app.address))
                        .header("User-Agent", format!("client-{p}-{client}"))
                        .json(
                            &json!({"button_id": through.id, "answers": {"satisfaction": "good"}}),
                        )
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::CREATED);
                    let body: Value = response.json().await.unwrap();
                    (
                        body["id"].as_str().unwrap().to_owned(),
                        body["edit_token"].as_str().unwrap().to_owned(),
                    )
                });
            }
        }
    }
    let created = futures_util::future::join_all(posts).await;
    let amendments = created.iter().map(|(id, token)| {
        let app = &app;
        async move {
            let body = json!({"answers": {"comprehension": 4}});
            app.patch_review(id, Some(token), &body).await.status()
        }
    });
    for status in futures_util::future::join_all(amendments).await {
        assert_eq!(status, StatusCode::OK);
    }
    for (button, _) in &procedures {
        let mut summed: std::collections::BTreeMap<String, i64> = Default::default();
        for (counter, count) in app.counters(button).await {
            *summed.entry(counter).or_default() += count;
        }
        let expected = [("comprehension=4", 5), ("satisfaction=good", 5)];
        let expected = expected
            .map(|(c, n)| (c.to_owned(), n))
            .into_iter()
            .collect();
        assert_eq!(summed, expected, "one review of each client counts");
    }
    let drift = app.store.check_counters(false).await.unwrap();
    assert_eq!(drift.reviews, 40, "the reviews that count, recounted");
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
}

/// The database itself refuses a review of a button that does not exist, whatever the code
/// above it checked: the batch fails whole and nothing of it is stored.
#[tokio::test]
async fn the_database_refuses_a_review_of_a_button_that_does_not_exist() {
    let app = spawn_app().await;
    let button = app.button().await;
    let mut ghost = button.clone();
    ghost.id = uuid::Uuid::now_v7();
    let now = jiff::Timestamp::now();
    let rated = crate::helpers::rated(avis::domain::answers::Satisfaction::Good);
    let batch = [
        crate::helpers::new_review(&button, now, rated.clone()),
        crate::helpers::new_review(&ghost, now, rated),
    ];
    let refused = app
        .store
        .create_reviews(&batch, &crate::helpers::UNSCREENED)
        .await;
    assert!(refused.is_err());
    if app.store.backend() == avis::store::Backend::Postgres {
        // A button and a procedure it does not belong to: PostgreSQL checks the pair. SQLite
        // checks each against its own table.
        let mut stray = button.clone();
        stray.procedure_id = app.button().await.procedure_id;
        let batch = [crate::helpers::new_review(
            &stray,
            now,
            crate::helpers::rated(avis::domain::answers::Satisfaction::Good),
        )];
        let refused = app
            .store
            .create_reviews(&batch, &crate::helpers::UNSCREENED)
            .await;
        assert!(refused.is_err());
    }
    assert_eq!(app.counters(&button).await, counts(&[]));
    let drift = app.store.check_counters(false).await.unwrap();
    assert_eq!(drift.reviews, 0);
}
