//! Duplicates, bursts and robots are kept but do not count; personal data never reach the
//! database; texts go at the end of their retention; moderation is audited.

use avis::domain::answers::Satisfaction;
use avis::domain::catalog::Scope;
use avis::domain::secret::fingerprint;
use avis::domain::time::paris_day;
use avis::startup::Options;
use avis::store::reviews::Screening;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, counts, migrations_directory, spawn_app, spawn_app_with,
};

async fn rate_as(app: &TestApp, button: uuid::Uuid, user_agent: &str, extra: Value) -> Value {
    let mut body = json!({"button_id": button, "answers": {"satisfaction": "good"}});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let response = app
        .client
        .post(format!("{}/api/v1/reviews", app.address))
        .header("User-Agent", user_agent)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "robots and duplicates are answered like anyone"
    );
    response.json().await.unwrap()
}

async fn stored(app: &TestApp, created: &Value) -> avis::store::reviews::StoredReview {
    let id = created["id"].as_str().unwrap().parse().unwrap();
    app.store.find_review(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_second_review_from_the_same_client_is_kept_but_does_not_count() {
    let app = spawn_app().await;
    let button = app.button().await;
    let first = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    let second = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    let someone_else = rate_as(&app, button.id, "Safari/19", json!({})).await;
    assert_eq!(stored(&app, &first).await.excluded_reason, None);
    assert_eq!(
        stored(&app, &second).await.excluded_reason.as_deref(),
        Some("duplicate")
    );
    assert_eq!(stored(&app, &someone_else).await.excluded_reason, None);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 2)])
    );
    // The same client on another procedure is not a duplicate.
    let other = app.button().await;
    let elsewhere = rate_as(&app, other.id, "Firefox/140", json!({})).await;
    assert_eq!(stored(&app, &elsewhere).await.excluded_reason, None);
    // Later answers of an excluded review do not count either.
    let token = second["edit_token"].as_str().unwrap();
    let patched = app
        .patch_review(
            second["id"].as_str().unwrap(),
            Some(token),
            &json!({"answers": {"comprehension": 2}}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 2)])
    );
}

#[tokio::test]
async fn a_client_is_still_known_after_a_restart() {
    let app = spawn_app().await;
    let button = app.button().await;
    let first = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    let restarted = app.restarted().await;
    let second = rate_as(&restarted, button.id, "Firefox/140", json!({})).await;
    let someone_else = rate_as(&restarted, button.id, "Safari/19", json!({})).await;
    assert_eq!(stored(&app, &first).await.excluded_reason, None);
    assert_eq!(
        stored(&app, &second).await.excluded_reason.as_deref(),
        Some("duplicate")
    );
    assert_eq!(stored(&app, &someone_else).await.excluded_reason, None);
}

/// Earlier versions stored the whole keyed hash; the migration that shortens it keeps the same
/// client's next review a duplicate across the upgrade.
#[tokio::test]
async fn fingerprints_stored_whole_before_the_upgrade_still_find_duplicates() {
    let app = spawn_app().await;
    let button = app.button().await;
    let first = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    let salt = app
        .store
        .salt_for(paris_day(jiff::Timestamp::now()))
        .await
        .unwrap();
    let address = "127.0.0.1".parse().unwrap();
    let short = fingerprint(
        &salt,
        address,
        "Firefox/140",
        &button.procedure_id.to_string(),
    );
    // What an earlier version stored: 64 hexadecimal digits starting with today's fingerprint.
    let whole = format!("{short}{}", "5a".repeat(24));
    let url = avis::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
            .await
            .unwrap();
    let id = first["id"].as_str().unwrap();
    let updated = sqlx::query("UPDATE reviews SET fingerprint = $1 WHERE id = $2")
        .bind(&whole)
        .bind(id)
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 1);

    let migration = migrations_directory(&url).join("0015_shorter_fingerprints.sql");
    let sql = std::fs::read_to_string(migration).unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut connection)
        .await
        .unwrap();
    let shortened: String = sqlx::query_scalar("SELECT fingerprint FROM reviews WHERE id = $1")
        .bind(id)
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(shortened, short);

    let second = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    assert_eq!(
        stored(&app, &second).await.excluded_reason.as_deref(),
        Some("duplicate")
    );
}

#[tokio::test]
async fn once_the_salt_is_destroyed_old_fingerprints_cannot_be_linked() {
    let app = spawn_app().await;
    let button = app.button().await;
    let created = rate_as(&app, button.id, "Firefox/140", json!({})).await;
    let today = paris_day(jiff::Timestamp::now());
    let kept = stored(&app, &created).await;
    let old_salt = app.store.salt_for(today).await.unwrap();
    let address = "127.0.0.1".parse().unwrap();
    let procedure = button.procedure_id.to_string();
    let old = fingerprint(&old_salt, address, "Firefox/140", &procedure);
    let found: Vec<_> = app
        .store
        .list_reviews(&avis::store::review_list::ReviewFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(found.iter().any(|r| r.id == kept.id));

    let tomorrow = today.tomorrow().unwrap();
    let new_salt = app.store.salt_for(tomorrow).await.unwrap();
    assert_ne!(new_salt, old_salt);
    assert_eq!(
        app.store.count_salts().await.unwrap(),
        1,
        "yesterday's salt is gone"
    );
    assert_ne!(
        fingerprint(&new_salt, address, "Firefox/140", &procedure),
        old
    );
}

#[tokio::test]
async fn a_burst_on_a_button_is_kept_but_does_not_count() {
    let app = spawn_app_with(Options {
        screening: Screening {
            duplicate_window_seconds: 3_600,
            burst_per_minute: 3,
        },
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let mut reasons = Vec::new();
    for n in 0..5 {
        let created = rate_as(&app, button.id, &format!("agent-{n}"), json!({})).await;
        reasons.push(stored(&app, &created).await.excluded_reason);
    }
    assert_eq!(
        reasons,
        [None, None, None, Some("burst".into()), Some("burst".into())]
    );
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 3)])
    );
}

#[tokio::test]
async fn a_filled_honeypot_is_kept_but_does_not_count() {
    let app = spawn_app().await;
    let button = app.button().await;
    let robot = rate_as(
        &app,
        button.id,
        "bot",
        json!({"website": "http://spam.example"}),
    )
    .await;
    assert_eq!(
        stored(&app, &robot).await.excluded_reason.as_deref(),
        Some("honeypot")
    );
    let person = rate_as(&app, button.id, "person", json!({"website": ""})).await;
    assert_eq!(stored(&app, &person).await.excluded_reason, None);
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 1)])
    );
}

#[tokio::test]
async fn personal_data_in_comments_are_replaced_before_storage() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "bad").await;
    let text = "Rappelez-moi au 06 12 34 56 78 ou écrivez à jean.dupont@exemple.fr, NIR 1 85 05 78 006 084 36.";
    let response = app
        .patch_review(&id, Some(&token), &json!({"answers": {"verbatim": text, "contact_tried": ["other"], "contact_tried_other": "ma voisine, 0145678910"}}))
        .await;
    let body: Value = response.json().await.unwrap();
    let expected = "Rappelez-moi au [phone] ou écrivez à [email], NIR [nir].";
    assert_eq!(body["answers"]["verbatim"], expected);
    let review = app
        .store
        .find_review(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(review.answers.verbatim.as_deref(), Some(expected));
    assert_eq!(
        review.answers.contact_tried_other.as_deref(),
        Some("ma voisine, [phone]")
    );
    assert_eq!(review.redactions, 4);
}

#[tokio::test]
async fn the_redaction_corpus_meets_its_targets() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_avis"))
        .args([
            "redaction-check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/redaction"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("recall") && stdout.contains("false positives"),
        "{stdout}"
    );
}

#[tokio::test]
async fn purging_removes_old_texts_and_keeps_counts() {
    let app = spawn_app().await;
    let button = app.button().await;
    let answers = avis::domain::answers::Answers {
        verbatim: Some("long ago".into()),
        ..crate::helpers::rated(Satisfaction::Medium)
    };
    let old = app
        .review_at(&button, "2024-01-10T10:00:00Z", &answers)
        .await;
    let recent = app
        .review_at(&button, &jiff::Timestamp::now().to_string(), &answers)
        .await;
    let key = app.key(Scope::IndicatorsRead, None).await;
    let path = format!(
        "/api/v1/procedures/{}/indicators?from=2024-01-01&to=2030-01-01",
        button.procedure_id
    );
    let before: Value = app.get_with(&path, &key).await.json().await.unwrap();
    let counters_before = app.counters(&button).await;

    let purged = app.store.purge(jiff::Timestamp::now(), 730).await.unwrap();
    assert_eq!(purged.texts, 1);
    let gone = app.store.find_review(old).await.unwrap().unwrap();
    assert_eq!(gone.answers.verbatim, None);
    assert!(gone.text_purged_at.is_some());
    assert_eq!(gone.answers.satisfaction, Some(Satisfaction::Medium));
    assert_eq!(
        app.store
            .find_review(recent)
            .await
            .unwrap()
            .unwrap()
            .answers
            .verbatim
            .as_deref(),
        Some("long ago")
    );
    assert_eq!(app.counters(&button).await, counters_before);
    let after: Value = app.get_with(&path, &key).await.json().await.unwrap();
    assert_eq!(after["indicators"], before["indicators"]);
    assert_eq!(
        app.store
            .purge(jiff::Timestamp::now(), 730)
            .await
            .unwrap()
            .texts,
        0
    );
}

#[tokio::test]
async fn a_purge_larger_than_a_slice_purges_everything_due() {
    let app = spawn_app().await;
    let button = app.button().await;
    let created_at: jiff::Timestamp = "2024-03-01T10:00:00Z".parse().unwrap();
    let old: Vec<avis::store::reviews::NewReview> = (0..4_321)
        .map(|n| {
            let answers = avis::domain::answers::Answers {
                verbatim: (n % 2 == 0).then(|| format!("texte {n}")),
                contact_tried_other: (n % 2 == 1).then(|| "mairie".to_owned()),
                contact_tried: (n % 2 == 1).then(|| [avis::domain::answers::Channel::Other].into()),
                ..crate::helpers::rated(Satisfaction::Good)
            };
            crate::helpers::new_review(&button, created_at, answers)
        })
        .collect();
    app.store
        .create_reviews(&old, &crate::helpers::UNSCREENED)
        .await
        .unwrap();
    let purged = app.store.purge(jiff::Timestamp::now(), 365).await.unwrap();
    assert_eq!(purged.texts, 4_321);
    for review in [&old[0], &old[2_500], &old[4_320]] {
        let stored = app.store.find_review(review.id).await.unwrap().unwrap();
        assert_eq!(stored.answers.verbatim, None);
        assert_eq!(stored.answers.contact_tried_other, None);
    }
    assert_eq!(
        app.store
            .purge(jiff::Timestamp::now(), 365)
            .await
            .unwrap()
            .texts,
        0
    );
}

#[tokio::test]
async fn an_administration_excludes_and_restores_with_a_reason_in_the_audit_log() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (id, token) = app.rate(&button, "bad").await;
    app.patch_review(
        &id,
        Some(&token),
        &json!({"answers": {"verbatim": "Insultes et publicité"}}),
    )
    .await;
    app.rate(&button, "good").await;
    let key = app.key(Scope::Admin, None).await;
    let found: Value = app
        .get_with("/api/v1/reviews?q=PUBLICIT", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["id"], id.as_str());

    let post = |path: String, body: Value| {
        app.client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let refused = post(
        format!("/api/v1/reviews/{id}/exclude"),
        json!({"reason": "  "}),
    )
    .await
    .unwrap();
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    let excluded = post(
        format!("/api/v1/reviews/{id}/exclude"),
        json!({"reason": "propos injurieux"}),
    )
    .await
    .unwrap();
    assert_eq!(excluded.status(), StatusCode::OK);
    assert_eq!(
        excluded.json::<Value>().await.unwrap()["excluded_reason"],
        "propos injurieux"
    );
    assert_eq!(
        app.counters(&button).await,
        counts(&[("satisfaction=good", 1)])
    );
    let listed: Value = app
        .get_with("/api/v1/reviews?excluded=true", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let restored = post(
        format!("/api/v1/reviews/{id}/restore"),
        json!({"reason": "relu, acceptable"}),
    )
    .await
    .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(
        app.counters(&button).await,
        counts(&[
            ("satisfaction=bad", 1),
            ("satisfaction=good", 1),
            ("verbatim=*", 1)
        ])
    );
    let audit: Value = app
        .get_with(&format!("/api/v1/reviews/{id}/audit"), &key)
        .await
        .json()
        .await
        .unwrap();
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (&entries[0]["action"], &entries[0]["reason"]),
        (&json!("exclude"), &json!("propos injurieux"))
    );
    assert_eq!(entries[1]["action"], "restore");
    assert!(entries[0]["key_id"].is_string());
}

/// The ids of a listing, newest first, after checking its times never go up.
async fn listed_ids(app: &TestApp, key: &str, query: &str) -> Vec<String> {
    let listed: Value = app
        .get_with(&format!("/api/v1/reviews?{query}"), key)
        .await
        .json()
        .await
        .unwrap();
    let reviews = listed.as_array().unwrap();
    let times: Vec<jiff::Timestamp> = reviews
        .iter()
        .map(|r| r["created_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.is_sorted_by(|a, b| a >= b), "{query}: {times:?}");
    reviews
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_procedure_lists_its_reviews_whether_filed_into_its_index_or_still_waiting() {
    let app = spawn_app().await;
    let (button, elsewhere) = (app.button().await, app.button().await);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.rate(&button, "good").await.0);
    }
    app.rate(&elsewhere, "good").await;
    // A batch a second after the last filing has its reviews filed and those before it; the
    // next one waits.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    ids.push(app.rate(&button, "bad").await.0);
    ids.push(app.rate(&button, "medium").await.0);
    let sibling = app.sibling(&button, false).await;
    ids.push(app.rate(&sibling, "good").await.0);
    ids.reverse();

    let url = avis::config::DatabaseUrl::parse(&app.database_url).unwrap();
    if !url.connection_string().starts_with("postgres") {
        let mut connection =
            <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
                .await
                .unwrap();
        let filed: Vec<i64> = sqlx::query_scalar(
            "SELECT filed FROM reviews WHERE procedure_id = $1 ORDER BY created_at, id",
        )
        .bind(button.procedure_id.to_string())
        .fetch_all(&mut connection)
        .await
        .unwrap();
        assert_eq!(filed, [1, 1, 1, 1, 0, 0], "filed, oldest first");
    }

    let key = app.key(Scope::Admin, None).await;
    let procedure = format!("procedure={}", button.procedure_id);
    assert_eq!(listed_ids(&app, &key, &procedure).await, ids);
    let mut pages = Vec::new();
    for offset in [0, 4] {
        pages.extend(listed_ids(&app, &key, &format!("{procedure}&limit=4&offset={offset}")).await);
    }
    assert_eq!(pages, ids);
    let by_button = listed_ids(&app, &key, &format!("button={}", button.id)).await;
    assert_eq!(by_button, ids[1..]);
    let fourth = format!("{procedure}&excluded=false&limit=1&offset=3");
    assert_eq!(listed_ids(&app, &key, &fourth).await, ids[3..4]);
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = spawn_app().await;
    let button = app.button().await;
    for path in [
        "/api/v1/health".to_owned(),
        "/nowhere".to_owned(),
        format!("/f/{}", button.id),
        "/widget.js".to_owned(),
    ] {
        let response = app.get(&path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
}
