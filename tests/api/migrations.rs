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

#[test]
fn both_migration_sets_create_the_same_tables_and_columns() {
    let columns = |dir: &str| -> Vec<String> {
        let mut found = Vec::new();
        for file in versions(dir) {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir)
                .join(file);
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let line = line.trim();
                if line.starts_with("--") || line.is_empty() {
                    continue;
                }
                found.push(line.split_whitespace().next().unwrap().to_owned());
            }
        }
        found
    };
    assert_eq!(columns("sqlite"), columns("postgres"));
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
