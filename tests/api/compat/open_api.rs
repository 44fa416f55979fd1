//! The robot's `setTop250` and the services list, with avis API keys.

use avis::domain::catalog::Scope;
use avis::store::legacy_forms::LegacyForm;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{product, spawn_compat};
use crate::helpers::{TestApp, assert_problem};

async fn set_top250(app: &TestApp, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/open-api/setTop250", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn set_top250_needs_an_avis_admin_key_for_every_organisation() {
    let app = spawn_compat().await;
    let body = json!({"product_ids": [1]});
    assert_problem(
        set_top250(&app, None, &body).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    assert_problem(
        set_top250(&app, Some("avis_not-a-key"), &body).await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
    let reader = app.key(Scope::IndicatorsRead, None).await;
    assert_problem(
        set_top250(&app, Some(&reader), &body).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let (procedure, _) = product(&app, 1, false, &[]).await;
    let organisation = app
        .store
        .find_procedure(procedure)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let limited = app.key(Scope::Admin, Some(organisation)).await;
    assert_problem(
        set_top250(&app, Some(&limited), &body).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let admin = app.key(Scope::Admin, None).await;
    for bad in [
        json!({"product_ids": ["1"]}),
        json!({}),
        json!({"product_ids": 1}),
    ] {
        let response = set_top250(&app, Some(&admin), &bad).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn set_top250_makes_the_listed_procedures_essential_and_public_and_drops_the_others() {
    let app = spawn_compat().await;
    let mut procedures = Vec::new();
    for legacy in [1, 2, 3] {
        procedures.push(product(&app, legacy, false, &[]).await.0);
    }
    let admin = app.key(Scope::Admin, None).await;
    let flags = |app: &TestApp| {
        let store = app.store.clone();
        let procedures = procedures.clone();
        async move {
            let mut flags = Vec::new();
            for id in procedures {
                let p = store.find_procedure(id).await.unwrap().unwrap();
                flags.push((p.is_essential, p.is_public));
            }
            flags
        }
    };
    let first = set_top250(&app, Some(&admin), &json!({"product_ids": [1, 2, 999]})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let body: Value = first.json().await.unwrap();
    assert_eq!(
        body,
        json!({"result": {"new_top250": [1, 2, 999], "already_top250": [], "down_top250": []}})
    );
    assert_eq!(
        flags(&app).await,
        vec![(true, true), (true, true), (false, false)]
    );

    let second = set_top250(&app, Some(&admin), &json!({"product_ids": [2, 3]})).await;
    let body: Value = second.json().await.unwrap();
    assert_eq!(
        body,
        json!({"result": {"new_top250": [3], "already_top250": [2], "down_top250": [1]}})
    );
    // Dropped from the list, a procedure stays public.
    assert_eq!(
        flags(&app).await,
        vec![(false, true), (true, true), (true, true)]
    );
}

#[tokio::test]
async fn services_lists_the_imported_procedures_a_key_sees() {
    let app = spawn_compat().await;
    let (first, _) = product(&app, 7, true, &[]).await;
    product(&app, 8, false, &[]).await;
    let second = LegacyForm {
        procedure_id: first,
        legacy: false,
        title: "Formulaire des e-mails".to_owned(),
    };
    app.store.save_legacy_forms(&[(70, second)]).await.unwrap();
    // A procedure created in avis has no product id: not listed.
    app.button().await;
    let organisation = app
        .store
        .find_procedure(first)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let services = |key: Option<String>| {
        let request = app
            .client
            .get(format!("{}/api/open-api/services", app.address));
        async move {
            match key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
            .send()
            .await
            .unwrap()
        }
    };
    assert_problem(
        services(None).await,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
    )
    .await;
    let every = services(Some(app.key(Scope::IndicatorsRead, None).await)).await;
    assert_eq!(every.status(), StatusCode::OK);
    let body: Value = every.json().await.unwrap();
    assert_eq!(
        body,
        json!({"data": [
            {"id": 7, "title": "Démarche 7", "entity": "Entité 7", "forms": [
                {"id": 7, "title": "Formulaire 7"},
                {"id": 70, "title": "Formulaire des e-mails"},
            ]},
            {"id": 8, "title": "Démarche 8", "entity": "Entité 8", "forms": [
                {"id": 8, "title": "Formulaire 8"},
            ]},
        ]})
    );
    let limited = services(Some(app.key(Scope::Admin, Some(organisation)).await)).await;
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["id"], 7);
}
