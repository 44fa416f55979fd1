//! `avis import jdma` against a synthetic incumbent database (`scripts/jdma-fixture.sql`) on a
//! PostgreSQL server, into the suite's backend (SQLite or PostgreSQL). The expected figures are
//! read from the source rows with SQL, so a wrong mapping cannot agree with them.
//!
//! The incumbent's database needs a PostgreSQL server even when avis runs on SQLite:
//! `AVIS_TEST_JDMA_SOURCE_URL`, else `AVIS_TEST_DATABASE_URL`. Without either, these tests fail
//! and say so (`scripts/test` sets both).

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use avis::domain::catalog::Scope;
use serde_json::Value;
use sqlx::{Connection, PgConnection, Row};
use uuid::Uuid;

use crate::helpers::{fresh_database, spawn_app};

const FIXTURE: &str = include_str!("../../scripts/jdma-fixture.sql");

/// A new incumbent database of `reviews` synthetic reviews; returns its URL.
pub(crate) async fn incumbent(reviews: u32) -> String {
    let server = ["AVIS_TEST_JDMA_SOURCE_URL", "AVIS_TEST_DATABASE_URL"]
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| v.starts_with("postgres"))
        })
        .expect(
            "the import tests need a PostgreSQL server for the incumbent's database: set \
             AVIS_TEST_JDMA_SOURCE_URL (or AVIS_TEST_DATABASE_URL) to a postgres:// URL",
        );
    let name = format!("jdma_test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path(&name);
    let mut conn = PgConnection::connect(url.as_str()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET jdma.reviews = {reviews};\n{FIXTURE}"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    url.to_string()
}

fn avis(target: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(args)
        .env("AVIS_DATABASE_URL", target)
        .env_remove("AVIS_CONFIG")
        .output()
        .unwrap()
}

/// Runs an import that must succeed; returns its summary, the last line of standard output.
pub(crate) fn import(target: &str, source: &str, extra: &[&str]) -> Value {
    let mut args = vec!["import", "jdma", "--source-url", source];
    args.extend_from_slice(extra);
    let output = avis(target, &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the import failed: {stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().expect("a summary line")).unwrap()
}

fn assert_no_drift(target: &str) {
    let output = avis(target, &["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "avis check failed: {stdout}");
    assert!(stdout.contains(" 0 counters differ"), "{stdout}");
}

/// One number from the incumbent's database.
async fn count(source: &str, sql: &str) -> i64 {
    let mut conn = PgConnection::connect(source).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<i64, _>(0)
}

/// Reviews the importer must skip for want of a satisfaction answer.
const WITHOUT_SATISFACTION: &str = r#"SELECT COUNT(*) FROM "Review" r WHERE NOT EXISTS (
    SELECT 1 FROM "Answer" a WHERE a.review_id = r.id AND a.field_code IN ('satisfaction', 'score'))"#;

/// The answer `c` belongs to a review with a satisfaction answer (one the importer keeps).
const RATED: &str = "c.review_id IN (SELECT review_id FROM \"Answer\" \
     WHERE field_code IN ('satisfaction', 'score'))";

/// Per review of the source: whether it has a satisfaction answer, its administration
/// channels, whether it ticked option 17 and other `contact_tried` options, and its flat
/// (parentless) `contact_reached` answer. One scan, so that the figures below stay quick.
const PER_REVIEW: &str = "WITH per_review AS (SELECT review_id, \
     bool_or(field_code IN ('satisfaction', 'score')) AS rated, \
     array_agg(answer_item_id ORDER BY answer_item_id) FILTER (WHERE field_code = 'contact_tried' \
         AND answer_item_id BETWEEN 9 AND 12) AS channels, \
     bool_or(field_code = 'contact_tried' AND answer_item_id = 17) AS no_help, \
     bool_or(field_code = 'contact_tried' AND answer_item_id <> 17) AS other_help, \
     bool_or(field_code = 'aide' AND answer_text = 'aucune') AS xwiki_no_help, \
     max(answer_text) FILTER (WHERE field_code = 'contact_reached' AND parent_answer_id IS NULL) AS flat \
     FROM \"Answer\" GROUP BY review_id)";

/// The one text `sql` reads from avis's database.
async fn catalog_row(target: &str, sql: &str) -> String {
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<String, _>(0)
}

/// Imported reviews as avis stores them: (legacy id, answers JSON, comment).
async fn stored(target: &str) -> Vec<(i64, Value, Option<String>)> {
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    sqlx::query("SELECT legacy_id, answers, verbatim FROM reviews WHERE legacy_id IS NOT NULL")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            let answers: String = row.get("answers");
            (
                row.get("legacy_id"),
                serde_json::from_str(&answers).unwrap(),
                row.get("verbatim"),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_import_brings_every_row_maps_answers_by_code_option_and_date_and_leaves_no_drift() {
    let source = incumbent(3_000).await;
    let app = spawn_app().await;
    let summary = import(&app.database_url, &source, &[]);

    // Nothing lost: per kind, imported + skipped = the source's rows.
    for (kind, table) in [
        ("organisations", "Entity"),
        ("procedures", "Product"),
        ("forms", "Form"),
        ("buttons", "Button"),
        ("reviews", "Review"),
    ] {
        let rows = count(&source, &format!(r#"SELECT COUNT(*) FROM "{table}""#)).await;
        let done = &summary[kind];
        assert_eq!(
            done["imported"].as_i64().unwrap() + done["skipped"].as_i64().unwrap(),
            rows,
            "{kind}: {summary}"
        );
    }
    let skipped = count(&source, WITHOUT_SATISFACTION).await;
    assert!(skipped > 0);
    assert_eq!(
        summary["reviews"]["reasons"]["no_satisfaction_answer"], skipped,
        "{summary}"
    );
    assert_no_drift(&app.database_url);

    // Reviews that carried another form than their button's are noted apart with it, but for
    // the older ones (form 1 or 2) of a button on its product's legacy form.
    let apart = apart_in_source(&source).await;
    assert!(!apart.is_empty());
    assert_eq!(noted_forms(&app.database_url).await, apart);

    let reviews = stored(&app.database_url).await;
    let with = |f: &dyn Fn(&Value) -> bool| reviews.iter().filter(|(_, a, _)| f(a)).count() as i64;
    // Satisfaction: the current codes' option ids and the XWiki era's `score` 1–3.
    for (value, item) in [("bad", 1), ("medium", 2), ("good", 3)] {
        let expected = count(
            &source,
            &format!(
                "SELECT COUNT(*) FROM \"Answer\" WHERE (field_code = 'satisfaction' AND answer_item_id = {item}) \
                 OR (field_code = 'score' AND answer_text = '{item}')"
            ),
        )
        .await;
        assert_eq!(with(&|a| a["satisfaction"] == value), expected, "{value}");
    }
    // Comprehension only from the current form (5 levels, ids 4–8); the 3-level era is counted.
    for value in 1..=5 {
        let expected = count(
            &source,
            &format!(
                "SELECT COUNT(*) FROM \"Answer\" c WHERE field_code = 'comprehension' \
                 AND answer_item_id = {} AND review_created_at >= '2024-04-23' AND {RATED}",
                value + 3
            ),
        )
        .await;
        assert_eq!(with(&|a| a["comprehension"] == value), expected);
    }
    let three_levels = count(
        &source,
        &format!(
            "SELECT COUNT(*) FROM \"Answer\" c WHERE field_code = 'comprehension' \
             AND review_created_at < '2024-04-23' AND {RATED}"
        ),
    )
    .await;
    assert!(three_levels > 0);
    assert_eq!(
        summary["reviews"]["answers_left_out"]["comprehension_on_3_levels"],
        three_levels
    );
    // Children: each channel's reached and quality answers, by their parent's option.
    for (channel, parent_item) in [("counter", 9), ("phone", 10), ("email", 11), ("chat", 12)] {
        for (value, item) in [("yes", 17), ("no", 18)] {
            let expected = count(
                &source,
                &format!(
                    "SELECT COUNT(*) FROM \"Answer\" c JOIN \"Answer\" p ON p.id = c.parent_answer_id \
                     AND p.created_at = c.created_at WHERE c.field_code = 'contact_reached' \
                     AND c.answer_item_id = {item} AND p.answer_item_id = {parent_item} AND {RATED}"
                ),
            )
            .await;
            assert_eq!(
                with(&|a| a["contact_reached"][channel] == value),
                expected + flat_reached(&source, parent_item, value).await,
                "{channel} {value}"
            );
        }
        let expected = count(
            &source,
            &format!(
                "SELECT COUNT(*) FROM \"Answer\" c JOIN \"Answer\" p ON p.id = c.parent_answer_id \
                 AND p.created_at = c.created_at WHERE c.field_code = 'contact_satisfaction' \
                 AND c.answer_item_id = 23 AND p.answer_item_id = {parent_item} AND {RATED}"
            ),
        )
        .await;
        assert_eq!(with(&|a| a["contact_satisfaction"][channel] == 5), expected);
    }
    // Option 17 under contact_tried is « no help needed »; beside a channel, it is dropped.
    let alone = count(
        &source,
        &format!(
            "{PER_REVIEW} SELECT COUNT(*) FROM per_review WHERE rated \
             AND ((no_help AND NOT other_help) OR xwiki_no_help)"
        ),
    )
    .await;
    assert_eq!(
        with(&|a| a["contact_tried"] == serde_json::json!(["none"])),
        alone
    );
    let beside = summary["reviews"]["answers_left_out"]["contact_tried_none_with_channels"]
        .as_i64()
        .unwrap_or_default();
    assert!(beside > 0);
    // Each noted for the observatory's pull, which counts them as the incumbent does.
    assert_eq!(rows_of(&app.database_url, NOTED).await, beside);
    // Comments redacted as a new review's; accents kept.
    let comments: Vec<&String> = reviews.iter().filter_map(|(_, _, v)| v.as_ref()).collect();
    assert!(!comments.is_empty());
    assert!(
        comments
            .iter()
            .all(|c| !c.contains("@exemple.fr") && !c.contains("06 12 34 56 78"))
    );
    assert!(comments.iter().any(|c| c.contains("[email]")));
    assert!(comments.iter().any(|c| c.contains("[phone]")));
    assert!(comments.iter().any(|c| c.contains("Démarche très simple")));
    assert!(summary["reviews"]["redactions"].as_i64() > Some(0));

    contact_addresses_come_within_their_retention(&app.database_url, &source, &summary).await;
    legacy_ids_show_in_the_administration_api(&app, &source).await;
}

/// The contact addresses the source holds for rated reviews left within the default retention
/// (180 days), or before it.
async fn source_addresses(source: &str, recent: bool) -> i64 {
    let compare = if recent { ">" } else { "<=" };
    let sql = format!(
        "{PER_REVIEW} SELECT COUNT(*) FROM \"Answer\" a JOIN per_review p ON p.review_id = a.review_id \
         WHERE a.field_code = 'contact_email' AND p.rated \
         AND a.review_created_at {compare} now() AT TIME ZONE 'UTC' - INTERVAL '180 days'"
    );
    count(source, &sql).await
}

/// The contact addresses of rated reviews left within the default retention (180 days) are
/// kept, each beside its own review and until the end of that retention; the older ones are
/// counted, not imported.
async fn contact_addresses_come_within_their_retention(
    target: &str,
    source: &str,
    summary: &Value,
) {
    let recent = source_addresses(source, true).await;
    let old = source_addresses(source, false).await;
    assert!(
        recent > 0 && old > 0,
        "the fixture has both: {recent}, {old}"
    );
    assert_eq!(
        summary["reviews"]["contact_emails_imported"], recent,
        "{summary}"
    );
    assert_eq!(
        summary["reviews"]["contact_emails_past_retention"], old,
        "{summary}"
    );

    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT r.legacy_id, r.created_at, c.email, c.consented_at, c.delete_after \
         FROM contact_emails c JOIN reviews r ON r.id = c.review_id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, recent);
    for row in rows {
        let legacy: i64 = row.get("legacy_id");
        let created: i64 = row.get("created_at");
        assert_eq!(
            row.get::<String, _>("email"),
            format!("usager{legacy}@exemple.fr")
        );
        assert_eq!(row.get::<i64, _>("consented_at"), created);
        assert_eq!(
            row.get::<i64, _>("delete_after"),
            created + 180 * 86_400_000
        );
    }
}

/// Reviews of the 3-level era whose one flat `contact_reached` answer goes to the one
/// administration channel they ticked.
async fn flat_reached(source: &str, item: i64, value: &str) -> i64 {
    let text = if value == "yes" { "Oui" } else { "Non" };
    count(
        source,
        &format!(
            "{PER_REVIEW} SELECT COUNT(*) FROM per_review WHERE rated AND flat = '{text}' \
             AND channels = ARRAY[{item}]"
        ),
    )
    .await
}

async fn legacy_ids_show_in_the_administration_api(app: &crate::helpers::TestApp, source: &str) {
    let key = app.key(Scope::Admin, None).await;
    let procedures: Value = app
        .get_with("/api/v1/procedures", &key)
        .await
        .json()
        .await
        .unwrap();
    let procedures = procedures.as_array().expect("a list of procedures");
    let essential = count(
        source,
        r#"SELECT COUNT(*) FROM "Product" p WHERE EXISTS (SELECT 1 FROM "Form" f WHERE f.product_id = p.id AND f."isTop250")"#,
    )
    .await;
    assert_eq!(
        procedures
            .iter()
            .filter(|p| p["is_essential"] == true)
            .count() as i64,
        essential
    );
    let two = procedures
        .iter()
        .find(|p| p["legacy_id"] == 2)
        .expect("product 2");
    assert_eq!(two["legacy_xwiki_id"], 10_002);
    assert_eq!(two["external_id"], "2");
    let buttons: Value = app
        .get_with("/api/v1/buttons", &key)
        .await
        .json()
        .await
        .unwrap();
    let buttons = buttons.as_array().expect("a list of buttons");
    let button = |id: i64| buttons.iter().find(|b| b["legacy_id"] == id).unwrap();
    assert_eq!(button(1)["legacy_source"], "button");
    assert_eq!(button(3)["is_test"], true);
    assert!(
        button(5)["closed_at"].is_string(),
        "a deleted button is imported closed"
    );
    assert!(button(1)["closed_at"].is_null());
    let organisations: Value = app
        .get_with("/api/v1/organisations", &key)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        organisations
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["legacy_id"].is_i64())
    );
    let reviews: Value = app
        .get_with(
            &format!("/api/v1/reviews?procedure={}", two["id"].as_str().unwrap()),
            &key,
        )
        .await
        .json()
        .await
        .unwrap();
    let listed = reviews
        .as_array()
        .or_else(|| reviews["reviews"].as_array())
        .unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|r| r["legacy_id"].is_i64()), "{reviews}");
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_a_second_import_brings_only_what_is_new() {
    let source = incumbent(1_500).await;
    let (target, _dir) = fresh_database().await;
    let dry = import(&target, &source, &["--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert!(dry["reviews"]["imported"].as_i64() > Some(1_000));
    assert!(stored(&target).await.is_empty());
    let first = import(&target, &source, &[]);
    for kind in ["organisations", "procedures", "forms", "buttons", "reviews"] {
        assert_eq!(first[kind]["imported"], dry[kind]["imported"], "{kind}");
    }
    let imported = stored(&target).await.len() as i64;
    assert_eq!(first["reviews"]["imported"], imported);

    // Citizens answer on the incumbent before the cut-over: one now, and one whose review
    // comes later in the sequence but is dated before the button's last day (the running
    // totals of every later day must move).
    let mut conn = PgConnection::connect(&source).await.unwrap();
    sqlx::raw_sql(
        r#"INSERT INTO "Review" (id, form_id, product_id, button_id, user_id, created_at)
               VALUES (900001, 2, 1, 1, 'client-uuid', now() AT TIME ZONE 'UTC' - INTERVAL '2 hours'),
                      (900002, 2, 1, 1, 'client-uuid', TIMESTAMP '2024-06-01 10:00');
           INSERT INTO "Answer" (id, field_label, field_code, answer_item_id, answer_text, intention, kind,
                                 review_id, review_created_at, created_at)
               SELECT 100 * id, 'Satisfaction', 'satisfaction', 1, 'Pas bien', 'bad', 'radio', id, created_at, created_at
               FROM "Review" WHERE id > 900000;"#,
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // Meanwhile the incumbent's entities, products, forms and buttons change too: an entity
    // renamed; a product renamed and made public, one archived; a form made, another's legacy
    // flag dropped; a button renamed and moved to the new form, one moved back to its product's
    // legacy form (its older reviews are no longer apart), one deleted.
    sqlx::raw_sql(
        r#"UPDATE "Entity" SET name = 'Agence renommée' WHERE id = 1;
           UPDATE "Product" SET title = 'Démarche renommée', "isPublic" = TRUE WHERE id = 2;
           UPDATE "Product" SET status = 'archived' WHERE id = 3;
           INSERT INTO "Form" (id, title, form_template_id, product_id, legacy) VALUES (9001, 'Nouveau', 1, 3, FALSE);
           UPDATE "Form" SET legacy = FALSE WHERE id = 5;
           UPDATE "Button" SET title = 'Bouton renommé', form_id = 9001 WHERE id = 6;
           UPDATE "Button" SET form_id = 6 WHERE id = 12;
           UPDATE "Button" SET deleted_at = TIMESTAMP '2026-01-02 03:04', "isDeleted" = TRUE WHERE id = 4;"#,
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let again = import(&target, &source, &[]);
    assert_eq!(again["reviews"]["imported"], 2, "{again}");
    assert_eq!(again["buttons"]["imported"], 0);
    assert_eq!(again["organisations"]["updated"], 1, "{again}");
    assert_eq!(
        catalog_row(
            &target,
            "SELECT name FROM organisations WHERE legacy_id = 1"
        )
        .await,
        "Agence renommée"
    );
    assert_eq!(
        (&again["forms"]["imported"], &again["forms"]["updated"]),
        (&serde_json::json!(1), &serde_json::json!(1)),
        "{again}"
    );
    assert_eq!(
        catalog_row(
            &target,
            "SELECT CAST(legacy_form_id AS TEXT) FROM buttons WHERE legacy_id = 6"
        )
        .await,
        "9001"
    );
    assert_eq!(
        catalog_row(
            &target,
            "SELECT CAST(is_legacy AS TEXT) FROM legacy_forms WHERE legacy_id = 5"
        )
        .await,
        "0"
    );
    // The reviews of the buttons moved and of the product whose form is a legacy one no more
    // are noted again: the older ones now count otherwise.
    assert_eq!(
        noted_forms(&target).await,
        apart_in_source(&source).await,
        "{again}"
    );
    for kind in ["procedures", "buttons"] {
        let updated = if kind == "buttons" { 3 } else { 2 };
        assert_eq!(again[kind]["updated"], updated, "{kind}: {again}");
        let rows = count(
            &source,
            &format!(
                r#"SELECT COUNT(*) FROM "{}""#,
                if kind == "buttons" {
                    "Button"
                } else {
                    "Product"
                }
            ),
        )
        .await;
        assert_eq!(
            again[kind]["imported"].as_i64().unwrap()
                + again[kind]["updated"].as_i64().unwrap()
                + again[kind]["skipped"].as_i64().unwrap(),
            rows,
            "{kind}: {again}"
        );
    }
    assert_eq!(
        catalog_row(&target, "SELECT title || ' ' || is_public || ' ' || CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END FROM procedures WHERE legacy_id = 2").await,
        "Démarche renommée 1 open"
    );
    assert_eq!(
        catalog_row(
            &target,
            "SELECT title || ' ' || CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END FROM procedures WHERE legacy_id = 3"
        )
        .await,
        format!(
            "{} closed",
            catalog_row(&target, "SELECT title FROM procedures WHERE legacy_id = 3").await
        )
    );
    assert_eq!(
        catalog_row(
            &target,
            "SELECT label || ' ' || CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END FROM buttons WHERE legacy_id = 6"
        )
        .await,
        "Bouton renommé open"
    );
    assert_eq!(
        catalog_row(
            &target,
            "SELECT CAST(closed_at AS TEXT) FROM buttons WHERE legacy_id = 4"
        )
        .await,
        "1767323040000",
        "closed when the incumbent deleted it"
    );
    // The last batch is read again (an earlier run may have stopped inside it): what it had
    // imported is skipped, and every row is still counted once.
    assert_eq!(
        again["reviews"]["imported"].as_i64().unwrap()
            + again["reviews"]["skipped"].as_i64().unwrap(),
        1_502
    );
    let reviews = stored(&target).await;
    for legacy in [900_001, 900_002] {
        let new = reviews
            .iter()
            .find(|(id, _, _)| *id == legacy)
            .expect("the new reviews");
        assert_eq!(new.1["satisfaction"], "bad");
    }
    let nothing = import(&target, &source, &[]);
    assert_eq!(nothing["reviews"]["imported"], 0);
    for kind in ["organisations", "procedures", "forms", "buttons", "reviews"] {
        assert_eq!(nothing[kind]["imported"], 0, "{kind}: {nothing}");
        assert_eq!(nothing[kind]["updated"], 0, "{kind}: {nothing}");
    }
    assert_eq!(stored(&target).await.len(), reviews.len());
    assert_no_drift(&target);
}

#[tokio::test]
async fn an_import_killed_midway_goes_on_where_it_stopped() {
    // Three of the importer's transactions (40,000 reviews at least each): it is stopped after
    // the second, so that the next run reads the whole last group again from within the first.
    const REVIEWS: i64 = 150_000;
    let source = incumbent(REVIEWS as u32).await;
    let (target, _dir) = fresh_database().await;
    // The schema first, so the database can be watched from the first batch on.
    assert!(avis(&target, &["migrate"]).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["import", "jdma", "--source-url", &source])
        .env("AVIS_DATABASE_URL", &target)
        .env_remove("AVIS_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while stored_count(&target).await <= 50_000 {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "no second group written"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was stopped"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = stored_count(&target).await;
    let skipped = count(&source, WITHOUT_SATISFACTION).await;
    assert!(
        before < REVIEWS - skipped,
        "the import was stopped midway ({before} reviews)"
    );
    let rest = import(&target, &source, &[]);
    let all = stored(&target).await;
    assert_eq!(all.len() as i64, REVIEWS - skipped);
    let mut ids: Vec<i64> = all.iter().map(|(id, _, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no review imported twice");
    assert_eq!(
        rest["reviews"]["imported"].as_i64().unwrap(),
        all.len() as i64 - before
    );
    let beside = count(
        &source,
        &format!(
            "{PER_REVIEW} SELECT COUNT(*) FROM per_review WHERE rated AND no_help AND other_help"
        ),
    )
    .await;
    assert_eq!(
        rows_of(&target, NOTED).await,
        beside,
        "answers beside a channel noted once each"
    );
    let addresses = source_addresses(&source, true).await;
    assert!(addresses > 0);
    assert_eq!(
        rows_of(&target, "contact_emails").await,
        addresses,
        "contact addresses kept once each"
    );
    assert_eq!(
        noted_forms(&target).await,
        apart_in_source(&source).await,
        "forms carried noted once each"
    );
    assert_no_drift(&target);
}

/// The source's rated reviews that carried another form than their button's, but for the older
/// ones (form 1, 2 or none) of a button on its product's legacy form (each product has one at
/// most, and forms 1 and 2 are legacy ones), each `(id, form carried)`, by id.
async fn apart_in_source(source: &str) -> Vec<(i64, Option<i64>)> {
    let mut conn = PgConnection::connect(source).await.unwrap();
    sqlx::query(
        r#"SELECT r.id::BIGINT AS id, r.form_id::BIGINT AS form_id FROM "Review" r
           JOIN "Button" b ON b.id = r.button_id JOIN "Form" f ON f.id = b.form_id
           WHERE r.id IN (SELECT review_id FROM "Answer" WHERE field_code IN ('satisfaction', 'score'))
           AND r.form_id IS DISTINCT FROM b.form_id
           AND NOT ((r.form_id IS NULL OR r.form_id IN (1, 2)) AND f.legacy) ORDER BY r.id"#,
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("id"), row.get("form_id")))
    .collect()
}

/// The imported reviews noted apart with the form they carried, each `(legacy id, form)`.
async fn noted_forms(target: &str) -> Vec<(i64, Option<i64>)> {
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    sqlx::query(
        "SELECT r.legacy_id, f.form_id FROM legacy_review_forms f \
         JOIN reviews r ON r.id = f.review_id ORDER BY r.legacy_id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("legacy_id"), row.get("form_id")))
    .collect()
}

/// Imported reviews noted with « Je n'ai pas eu besoin d'aide » beside a channel.
const NOTED: &str = "legacy_autonomous_answers";

/// The rows of `table` in avis's database.
async fn rows_of(target: &str, table: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get("n")
}

async fn stored_count(target: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(target).unwrap();
    let Ok(mut conn) = sqlx::AnyConnection::connect(&url.connection_string()).await else {
        return 0;
    };
    sqlx::query("SELECT COUNT(*) FROM reviews")
        .fetch_one(&mut conn)
        .await
        .map(|row| row.get::<i64, _>(0))
        .unwrap_or(0)
}
