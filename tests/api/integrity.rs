//! Every review names a button of its procedure: avis refuses to write one that does not, buttons
//! are never deleted nor moved, and `avis check` reports a review written by hand that names no
//! button.

use std::process::Command;

use avis::config::DatabaseUrl;
use sqlx::{AnyConnection, Connection};

use crate::helpers::{TestApp, spawn_app};

async fn connect(app: &TestApp) -> AnyConnection {
    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    AnyConnection::connect(&url.connection_string())
        .await
        .unwrap()
}

async fn run(connection: &mut AnyConnection, sql: String) -> Result<u64, sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(connection)
        .await
        .map(|done| done.rows_affected())
}

/// Asserts that `avis check` would read `reviews` reviews, find every counter right and every
/// review's button.
async fn assert_consistent(app: &TestApp, reviews: u64) {
    let drift = app.store.check_counters(false).await.unwrap();
    assert_eq!(
        (drift.reviews, drift.differences.len(), drift.orphans),
        (reviews, 0, 0)
    );
}

#[tokio::test]
async fn buttons_are_never_deleted_nor_moved_and_reviews_keep_their_button() {
    let app = spawn_app().await;
    let (rated, other) = (app.button().await, app.button().await);
    let (review, _) = app.rate(&rated, "good").await;
    let mut db = connect(&app).await;

    for button in [&rated, &other] {
        let deleted = run(
            &mut db,
            format!("DELETE FROM buttons WHERE id = '{}'", button.id),
        )
        .await;
        assert!(deleted.is_err(), "button {} deleted", button.id);
    }
    let moved = format!(
        "UPDATE buttons SET procedure_id = '{}' WHERE id = '{}'",
        other.procedure_id, rated.id
    );
    assert!(run(&mut db, moved).await.is_err());
    let renumbered = format!("UPDATE buttons SET id = 'b' WHERE id = '{}'", other.id);
    assert!(run(&mut db, renumbered).await.is_err());
    let reassigned = format!(
        "UPDATE reviews SET button_id = '{}', procedure_id = '{}' WHERE id = '{review}'",
        other.id, other.procedure_id
    );
    assert!(run(&mut db, reassigned).await.is_err());

    // Everything else about a button still changes, and setting a key to itself is no move.
    let renamed = format!(
        "UPDATE buttons SET label = 'Fin', procedure_id = procedure_id WHERE id = '{}'",
        rated.id
    );
    assert_eq!(run(&mut db, renamed).await.unwrap(), 1);
    let touched = format!("UPDATE reviews SET button_id = button_id WHERE id = '{review}'");
    assert_eq!(run(&mut db, touched).await.unwrap(), 1);
    assert_consistent(&app, 1).await;
}

#[tokio::test]
async fn check_reports_a_review_written_by_hand_that_names_no_button() {
    let app = spawn_app().await;
    let button = app.button().await;
    let (review, _) = app.rate(&button, "good").await;
    let mut db = connect(&app).await;
    // PostgreSQL checks buttons in the statement avis writes reviews with, not in others; SQLite
    // checks its foreign keys unless a connection turns them off.
    if !app.database_url.starts_with("postgres") {
        run(&mut db, "PRAGMA foreign_keys = OFF".into())
            .await
            .unwrap();
    }
    let orphan = uuid::Uuid::now_v7();
    for sql in [
        format!("CREATE TEMPORARY TABLE copied AS SELECT * FROM reviews WHERE id = '{review}'"),
        format!(
            "UPDATE copied SET id = '{orphan}', button_id = '{}'",
            uuid::Uuid::now_v7()
        ),
        "INSERT INTO reviews SELECT * FROM copied".to_owned(),
    ] {
        run(&mut db, sql).await.unwrap();
    }

    let drift = app.store.check_counters(false).await.unwrap();
    assert_eq!((drift.reviews, drift.orphans), (2, 1));
    let output = Command::new(env!("CARGO_BIN_EXE_avis"))
        .arg("check")
        .env("AVIS_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1 reviews name no button of their procedure"),
        "{stdout}"
    );

    let removed = format!("DELETE FROM reviews WHERE id = '{orphan}'");
    assert_eq!(run(&mut db, removed).await.unwrap(), 1);
    assert_consistent(&app, 1).await;
}
