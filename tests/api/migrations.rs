//! The two migration sets stay in step, and migrating twice is harmless.

use std::collections::BTreeSet;
use std::path::Path;

use avis::config::DatabaseUrl;
use avis::store::Store;
use avis::store::aggregates::COLUMNS;

use crate::helpers::{fresh_database, migrations_directory};

fn versions(dir: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn sqlite_and_postgres_have_the_same_migration_versions() {
    let sqlite = versions("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, versions("postgres"));
}

/// Every table and its columns once migrated, whichever the backend: the suite runs on SQLite
/// and again on PostgreSQL, so both migration sets must arrive at this very schema.
const SCHEMA: &[(&str, &str)] = &[
    (
        "alert_subscriptions",
        "above alerted_at alerts_day alerts_on_day base_url below burst_at digest digest_until every_minutes exclusions new_reviews procedure_id seen_until side updated_at user_id",
    ),
    (
        "api_keys",
        "created_at id last_used_at organisation_id prefix revoked_at scope secret_hash",
    ),
    (
        "audit_events",
        "action actor at details id organisation_id subject user_id",
    ),
    ("audit_log", "action at id key_id reason review_id user_id"),
    (
        "buttons",
        "allowed_origins asks_contact_email closed_at created_at id is_test label legacy_form_id legacy_id legacy_source procedure_id requires_proof_of_work source",
    ),
    (
        "contact_emails",
        "consented_at delete_after email review_id",
    ),
    (
        "indicator_levels",
        "indicator level procedure_id updated_at",
    ),
    (
        "invitations",
        "created_at email expires_at id invited_by organisation_id revoked_at role token_hash used_at",
    ),
    ("export_chunks", "data export_id seq"),
    (
        "exports",
        "created_at created_by_key created_by_user expires_at filter finished_at heartbeat_at id lang organisation_id progress rows_done rows_total sheets size_bytes status with_contacts",
    ),
    (
        "mail_messages",
        "attempts created_at failed_at html_body id last_error locked_until next_attempt_at recipient sent_at subject text_body unsubscribe_url",
    ),
    (
        "legacy_autonomous_answers",
        "button_id created_at procedure_id review_id",
    ),
    ("legacy_forms", "is_legacy legacy_id procedure_id title"),
    ("legacy_pending_notes", "procedure_id"),
    (
        "legacy_review_forms",
        "button_id created_at form_id procedure_id review_id",
    ),
    ("memberships", "created_at organisation_id role user_id"),
    (
        "unsubscribe_links",
        "created_at key_hash procedure_id user_id",
    ),
    ("organisations", "created_at id legacy_id name"),
    (
        "password_resets",
        "created_at created_by expires_at token_hash used_at user_id",
    ),
    (
        "procedures",
        "closed_at created_at external_id id is_essential is_public legacy_id legacy_xwiki_id organisation_id title yearly_volume",
    ),
    (
        "reviews",
        "answers button_id contact_tried_other created_at day edit_token_expires_at edit_token_hash excluded_reason filed fingerprint id legacy_id procedure_id questionnaire_version redactions text_purged_at updated_at verbatim",
    ),
    ("running_counters_through", "closing day id"),
    ("salts", "day salt"),
    (
        "sessions",
        "created_at csrf_token ended_at expires_at id id_token last_seen_at secret_hash user_agent user_id",
    ),
    ("sign_in_failures", "at subject"),
    (
        "users",
        "created_at disabled_at display_name email id is_superadmin lang password_hash",
    ),
    (
        "webhook_attempts",
        "at duration_ms error id message_id status",
    ),
    (
        "webhook_messages",
        "attempts delivered_at event failed_at id locked_until next_attempt_at occurred_at payload review_id seq webhook_id",
    ),
    (
        "webhooks",
        "created_at disabled_reason enabled events id organisation_id procedure_id secret url",
    ),
];

#[tokio::test]
async fn both_migration_sets_create_the_same_tables_and_columns() {
    let (url, _dir) = fresh_database().await;
    let url = DatabaseUrl::parse(&url).unwrap();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let introspection = if url.connection_string().starts_with("postgres") {
        // The comments' search index is each backend's own: a full-text table and its shadow
        // tables on SQLite, a table of words on PostgreSQL.
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> 'review_words'"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'review_search%'"
    };
    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
            .await
            .unwrap();
    let mut found: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for row in sqlx::query(introspection)
        .fetch_all(&mut connection)
        .await
        .unwrap()
    {
        use sqlx::Row;
        let (table, column): (String, String) = (row.get("t"), row.get("c"));
        if !table.starts_with("_sqlx") {
            found.entry(table).or_default().insert(column);
        }
    }
    let found: Vec<(String, String)> = found
        .into_iter()
        .map(|(table, columns)| (table, columns.into_iter().collect::<Vec<_>>().join(" ")))
        .collect();
    let mut expected: Vec<(String, String)> = SCHEMA
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    // The counter tables: their keys and one column per counter of questionnaire version 1.
    for table in ["daily_counters", "running_counters"] {
        let mut columns: Vec<String> = COLUMNS.clone();
        columns.extend(["button_id", "day", "procedure_id"].map(String::from));
        columns.sort();
        expected.push((table.to_owned(), columns.join(" ")));
    }
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn migrating_an_up_to_date_database_changes_nothing() {
    let (url, _dir) = fresh_database().await;
    let store = Store::connect(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
}

/// Counters stored one row per (question, value) before migration 7 end up in their columns,
/// by day and as running totals, and their days are closed (migration 12).
#[tokio::test]
async fn counters_stored_one_per_row_move_into_their_columns() {
    let (url, _dir) = fresh_database().await;
    let url = DatabaseUrl::parse(&url).unwrap();
    Store::connect(&url).await.unwrap();
    let mut migrator = sqlx::migrate::Migrator::new(migrations_directory(&url))
        .await
        .unwrap();
    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
            .await
            .unwrap();
    let all = migrator.migrations.to_vec();
    migrator.migrations = all.iter().filter(|m| m.version < 7).cloned().collect();
    migrator.run(&mut connection).await.unwrap();
    let old = [
        ("2026-01-05", "satisfaction", "good", 3),
        ("2026-01-05", "contact_tried", "*", 2),
        ("2026-01-05", "contact_reached", "phone:yes", 2),
        ("2026-01-20", "satisfaction", "good", 4),
        ("2026-01-20", "contact_satisfaction", "chat:5", 1),
        ("2026-02-01", "verbatim", "*", 7),
    ];
    for (day, question, value, count) in old {
        sqlx::query(
            "INSERT INTO aggregates (procedure_id, day, button_id, question, value, count) \
             VALUES ('p', $1, 'b', $2, $3, $4)",
        )
        .bind(day)
        .bind(question)
        .bind(value)
        .bind(count)
        .execute(&mut connection)
        .await
        .unwrap();
    }
    migrator.migrations = all.into();
    migrator.run(&mut connection).await.unwrap();

    let read = |sql: &'static str| sqlx::query_as::<_, (String, i64, i64, i64, i64, i64)>(sql);
    let days = read(
        "SELECT day, satisfaction_good, contact_tried_answered, contact_reached_phone_yes, \
         contact_satisfaction_chat_5, verbatim_answered FROM daily_counters ORDER BY day",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    assert_eq!(
        days,
        [
            ("2026-01-05".to_owned(), 3, 2, 2, 0, 0),
            ("2026-01-20".to_owned(), 4, 0, 0, 1, 0),
            ("2026-02-01".to_owned(), 0, 0, 0, 0, 7),
        ]
    );
    let running = read(
        "SELECT day, satisfaction_good, contact_tried_answered, contact_reached_phone_yes, \
         contact_satisfaction_chat_5, verbatim_answered FROM running_counters ORDER BY day",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    assert_eq!(
        running,
        [
            ("2026-01-05".to_owned(), 3, 2, 2, 0, 0),
            ("2026-01-20".to_owned(), 7, 2, 2, 1, 0),
            ("2026-02-01".to_owned(), 7, 2, 2, 1, 7),
        ]
    );
    // Every day with running totals is closed: they were all up to date. No closing under way.
    let closed: (String, Option<String>) =
        sqlx::query_as("SELECT day, closing FROM running_counters_through")
            .fetch_one(&mut connection)
            .await
            .unwrap();
    assert_eq!(closed, ("2026-02-01".to_owned(), None));
}
