//! API keys as stored: hashed, shown once, revocable, with their last use.

use avis::config::DatabaseUrl;
use avis::domain::catalog::{Name, Scope};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_key_authenticates_until_it_is_revoked() {
    let app = spawn_app().await;
    let organisation = app
        .store
        .create_organisation(&Name::parse("DINUM").unwrap())
        .await
        .unwrap();
    let created = app
        .store
        .create_api_key(Scope::IndicatorsRead, Some(organisation.id))
        .await
        .unwrap();
    assert!(created.secret.starts_with("avis_"));

    let listed = app.store.list_api_keys().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_none());
    assert!(!format!("{listed:?}").contains(&created.secret[5..]));

    let found = app
        .store
        .authenticate_api_key(&created.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, created.key.id);
    assert_eq!(found.scope, Scope::IndicatorsRead);
    assert_eq!(found.organisation_id, Some(organisation.id));
    assert!(
        app.store.list_api_keys().await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    assert!(
        app.store
            .authenticate_api_key("avis_wrong")
            .await
            .unwrap()
            .is_none()
    );

    app.store.revoke_api_key(created.key.id).await.unwrap();
    assert!(
        app.store
            .authenticate_api_key(&created.secret)
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.store.revoke_api_key(created.key.id).await.is_err());
}

#[tokio::test]
async fn a_key_for_an_unknown_organisation_is_refused() {
    let app = spawn_app().await;
    assert!(
        app.store
            .create_api_key(Scope::Admin, Some(uuid::Uuid::now_v7()))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_key_s_last_use_is_recorded_to_the_minute() {
    let app = spawn_app().await;
    let created = app
        .store
        .create_api_key(Scope::IndicatorsRead, None)
        .await
        .unwrap();
    let last_use = || async { app.store.list_api_keys().await.unwrap()[0].last_used_at };
    app.store
        .authenticate_api_key(&created.secret)
        .await
        .unwrap()
        .unwrap();
    let first = last_use().await.expect("the first use is recorded");

    // Within the minute, uses are not written again: no write per authenticated call.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.store
        .authenticate_api_key(&created.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last_use().await, Some(first));

    // A record older than a minute is brought up to date.
    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
            .await
            .unwrap();
    sqlx::query("UPDATE api_keys SET last_used_at = last_used_at - 61000")
        .execute(&mut connection)
        .await
        .unwrap();
    let aged = last_use().await.unwrap();
    assert!(aged < first);
    app.store
        .authenticate_api_key(&created.secret)
        .await
        .unwrap()
        .unwrap();
    assert!(last_use().await.unwrap() >= first);
}
