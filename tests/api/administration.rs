//! The administration API: organisations, procedures, buttons and keys.

use avis::domain::catalog::Scope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, error_fields, spawn_app};

async fn send(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn created(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_administration_registers_a_procedure_and_its_button_then_manages_them() {
    let app = spawn_app().await;
    let key = app.key(Scope::Admin, None).await;
    let organisation = created(
        send(
            &app,
            &key,
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "DGFiP"})),
        )
        .await,
    )
    .await;
    let org_id = organisation["id"].as_str().unwrap().to_owned();
    let duplicate = send(
        &app,
        &key,
        Method::POST,
        "/api/v1/organisations",
        Some(json!({"name": "DGFiP"})),
    )
    .await;
    assert_problem(duplicate, StatusCode::CONFLICT, "conflict").await;

    let procedure = created(
        send(
            &app,
            &key,
            Method::POST,
            "/api/v1/procedures",
            Some(json!({
                "organisation_id": org_id, "title": "Déclarer ses revenus", "external_id": "2001",
                "is_essential": true, "yearly_volume": 39000000
            })),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            procedure["is_essential"].as_bool(),
            procedure["is_public"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(procedure["yearly_volume"], 39_000_000);
    let proc_id = procedure["id"].as_str().unwrap().to_owned();
    let taken = send(
        &app,
        &key,
        Method::POST,
        "/api/v1/procedures",
        Some(json!({"organisation_id": org_id, "title": "Autre", "external_id": "2001"})),
    )
    .await;
    assert_problem(taken, StatusCode::CONFLICT, "conflict").await;

    let changed = send(&app, &key, Method::PATCH, &format!("/api/v1/procedures/{proc_id}"), Some(json!({
        "title": "Déclarer ses revenus en ligne", "external_id": null, "is_public": true, "yearly_volume": null
    })))
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["title"], "Déclarer ses revenus en ligne");
    assert_eq!(
        (
            &changed["external_id"],
            &changed["yearly_volume"],
            &changed["is_public"]
        ),
        (&Value::Null, &Value::Null, &json!(true))
    );

    let button = created(
        send(&app, &key, Method::POST, "/api/v1/buttons", Some(json!({
            "procedure_id": proc_id, "label": "Fin de déclaration", "source": "footer",
            "allowed_origins": ["https://www.impots.example.fr/", "https://www.impots.example.fr"]
        })))
        .await,
    )
    .await;
    assert_eq!(
        button["allowed_origins"],
        json!(["https://www.impots.example.fr"])
    );
    assert_eq!(button["is_open"], true);
    let button_id = button["id"].as_str().unwrap().to_owned();
    let review = json!({"button_id": button_id, "answers": {"satisfaction": "good"}});
    assert_eq!(app.post_review(&review).await.status(), StatusCode::CREATED);

    let closed = send(
        &app,
        &key,
        Method::PATCH,
        &format!("/api/v1/buttons/{button_id}"),
        Some(json!({"closed": true})),
    )
    .await;
    assert_eq!(closed.json::<Value>().await.unwrap()["is_open"], false);
    assert_problem(
        app.post_review(&review).await,
        StatusCode::GONE,
        "button_closed",
    )
    .await;
    send(
        &app,
        &key,
        Method::PATCH,
        &format!("/api/v1/buttons/{button_id}"),
        Some(json!({"closed": false})),
    )
    .await;
    assert_eq!(app.post_review(&review).await.status(), StatusCode::CREATED);

    let listed: Value = app
        .get_with(&format!("/api/v1/buttons?procedure={proc_id}"), &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let listed: Value = app
        .get_with(&format!("/api/v1/procedures?organisation={org_id}"), &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn keys_are_shown_once_listed_with_their_last_use_and_revoked() {
    let app = spawn_app().await;
    let admin = app.key(Scope::Admin, None).await;
    let made = created(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/keys",
            Some(json!({"scope": "indicators:read"})),
        )
        .await,
    )
    .await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_with("/api/v1/indicators", &secret).await.status(),
        StatusCode::OK
    );

    let listed = app
        .get_with("/api/v1/keys", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert!(entry["last_used_at"].is_string());
    assert_eq!(entry["scope"], "indicators:read");

    assert_eq!(
        send(
            &app,
            &admin,
            Method::DELETE,
            &format!("/api/v1/keys/{id}"),
            None
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_with("/api/v1/indicators", &secret).await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
    let again = send(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/keys/{id}"),
        None,
    )
    .await;
    assert_problem(again, StatusCode::NOT_FOUND, "key_not_found").await;
}

#[tokio::test]
async fn invalid_administration_requests_name_their_fields() {
    let app = spawn_app().await;
    let key = app.key(Scope::Admin, None).await;
    let button = app.button().await;
    let procedure = button.procedure_id;
    let cases: Vec<(Method, String, Value, &[&str])> = vec![
        (
            Method::POST,
            "/api/v1/organisations".into(),
            json!({"name": "  "}),
            &["name"],
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            json!({"name": 3}),
            &["name"],
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            json!({}),
            &["body"],
        ),
        (
            Method::POST,
            "/api/v1/procedures".into(),
            json!({"organisation_id": "x", "title": "T"}),
            &["organisation_id"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/procedures/{procedure}"),
            json!({"title": "", "external_id": "a b", "yearly_volume": -3}),
            &["title", "external_id", "yearly_volume"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/procedures/{procedure}"),
            json!({"is_publik": true}),
            &["is_publik"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/procedures/{procedure}"),
            json!({"is_public": "yes"}),
            &["is_public"],
        ),
        (
            Method::POST,
            "/api/v1/buttons".into(),
            json!({"procedure_id": procedure, "label": "B", "allowed_origins": ["https://ok.fr", "not an origin"]}),
            &["allowed_origins[1]"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/buttons/{}", button.id),
            json!({"source": "<b>"}),
            &["source"],
        ),
        (
            Method::POST,
            "/api/v1/keys".into(),
            json!({"scope": "root"}),
            &["scope"],
        ),
    ];
    for (method, path, body, fields) in cases {
        let response = send(&app, &key, method.clone(), &path, Some(body.clone())).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
        assert_eq!(error_fields(&problem), fields, "{method} {path} {body}");
    }
    for path in [
        "/api/v1/procedures/nope",
        "/api/v1/buttons/nope",
        "/api/v1/organisations/nope",
    ] {
        assert_eq!(
            app.get_with(path, &key).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn procedures_are_listed_as_stored_in_title_order() {
    use avis::domain::catalog::{Name, Tag};
    use avis::store::catalog::NewProcedure;

    let app = spawn_app().await;
    assert!(app.store.list_procedures(None).await.unwrap().is_empty());
    let organisation = |name: &str| {
        let store = app.store.clone();
        let name = Name::parse(name).unwrap();
        async move { store.create_organisation(&name).await.unwrap() }
    };
    let (first, second) = (organisation("DINUM").await, organisation("DGFiP").await);
    let titles = [
        "Zéro \"guillemets\" \\ et 🙂",
        "Allocation: l'aide",
        "Mairie — état civil",
    ];
    for (n, title) in titles.iter().enumerate() {
        app.store
            .create_procedure(&NewProcedure {
                organisation_id: if n == 1 { second.id } else { first.id },
                title: Name::parse(title).unwrap(),
                external_id: (n != 2).then(|| Tag::parse(&format!("ext-{n}")).unwrap()),
                is_essential: n == 0,
                is_public: n == 2,
                yearly_volume: (n == 1).then_some(1_200_000),
            })
            .await
            .unwrap();
    }
    let listed = app.store.list_procedures(None).await.unwrap();
    let order: Vec<&str> = listed.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(order, [titles[1], titles[2], titles[0]]);
    app.store.close_procedure(listed[0].id).await.unwrap();
    for listed in app.store.list_procedures(None).await.unwrap() {
        let found = app.store.find_procedure(listed.id).await.unwrap().unwrap();
        assert_eq!(format!("{listed:?}"), format!("{found:?}"));
    }
    let closed = app
        .store
        .find_procedure(listed[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!(closed.closed_at.is_some());
    let of_second = app.store.list_procedures(Some(second.id)).await.unwrap();
    assert_eq!(of_second.len(), 1);
    assert_eq!(of_second[0].yearly_volume, Some(1_200_000));
}
