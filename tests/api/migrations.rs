//! The two migration sets stay in step, and migrating twice is harmless.

use std::collections::BTreeSet;
use std::path::Path;

use avis::config::DatabaseUrl;
use avis::store::Store;

use crate::helpers::fresh_database;

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
        "aggregates",
        "button_id count day procedure_id question value",
    ),
    (
        "api_keys",
        "created_at id last_used_at organisation_id prefix revoked_at scope secret_hash",
    ),
    ("audit_log", "action at id key_id reason review_id"),
    (
        "buttons",
        "allowed_origins asks_contact_email closed_at created_at id is_test label procedure_id requires_proof_of_work source",
    ),
    (
        "contact_emails",
        "consented_at delete_after email review_id",
    ),
    (
        "monthly_aggregates",
        "button_id count month procedure_id question value",
    ),
    ("organisations", "created_at id name"),
    (
        "procedures",
        "closed_at created_at external_id id is_essential is_public organisation_id title yearly_volume",
    ),
    (
        "reviews",
        "answers button_id contact_tried_other created_at day edit_token_expires_at edit_token_hash excluded_reason fingerprint id procedure_id questionnaire_version redactions text_purged_at updated_at verbatim",
    ),
    ("salts", "day salt"),
];

#[tokio::test]
async fn both_migration_sets_create_the_same_tables_and_columns() {
    let (url, _dir) = fresh_database().await;
    let url = DatabaseUrl::parse(&url).unwrap();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let introspection = if url.connection_string().starts_with("postgres") {
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
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
    let expected: Vec<(String, String)> = SCHEMA
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
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
