//! Test harness: the real application on a free loopback port, over a fresh database.
//!
//! The backend comes from `AVIS_TEST_DATABASE_URL`: unset, each test gets its own SQLite file;
//! set to a PostgreSQL server URL, each test gets its own new database on that server.

use avis::config::DatabaseUrl;
use avis::domain::answers::{Answers, Satisfaction};
use avis::domain::catalog::{Name, Origin, Scope, Tag};
use avis::startup::{Application, Options};
use avis::store::Store;
use avis::store::catalog::{Button, NewButton, NewProcedure};
use avis::store::reviews::{NewReview, Screening};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub store: Store,
    pub client: reqwest::Client,
    pub database_url: String,
    _dir: Option<TempDir>,
}

/// An HTTP client builder for the tests. The binary's OpenID client picks ring as the TLS
/// provider, so every client of the process needs it installed first.
pub fn http_client() -> reqwest::ClientBuilder {
    avis::accounts::oidc::install_tls_provider();
    reqwest::Client::builder()
}

/// A new, empty database for one test, and the directory that holds it when it is a file.
pub async fn fresh_database() -> (String, Option<TempDir>) {
    match std::env::var("AVIS_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            assert!(
                server.starts_with("postgres"),
                "AVIS_TEST_DATABASE_URL must be a postgres:// URL"
            );
            sqlx::any::install_default_drivers();
            let name = format!("avis_test_{}", Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&server).await.expect(
                "AVIS_TEST_DATABASE_URL names a PostgreSQL server that accepts connections",
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("the test server lets us create databases");
            admin.close().await.ok();
            let mut url = url::Url::parse(&server).unwrap();
            url.set_path(&name);
            (url.to_string(), None)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("avis.db");
            (file.display().to_string(), Some(dir))
        }
    }
}

/// The directory of the migrations for the backend of `url`.
pub fn migrations_directory(url: &DatabaseUrl) -> std::path::PathBuf {
    let backend = if url.connection_string().starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_token_ttl(3_600).await
}

pub async fn spawn_app_with_token_ttl(edit_token_ttl_seconds: i64) -> TestApp {
    spawn_app_with(Options {
        edit_token_ttl_seconds,
        ..Options::default()
    })
    .await
}

/// The application with its options as a test needs them.
pub async fn spawn_app_with(options: Options) -> TestApp {
    let (database_url, dir) = fresh_database().await;
    let app = serve(database_url, options).await;
    TestApp { _dir: dir, ..app }
}

/// The application on the database at `database_url`, migrated first.
async fn serve(database_url: String, options: Options) -> TestApp {
    let store = Store::connect(&DatabaseUrl::parse(&database_url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = Application::build("127.0.0.1:0", store.clone(), options).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        store,
        client: http_client().build().unwrap(),
        database_url,
        _dir: None,
    }
}

impl TestApp {
    /// The application started again on the same database, as after a restart, beside this one.
    pub async fn restarted(&self) -> TestApp {
        serve(self.database_url.clone(), Options::default()).await
    }

    /// Another node on the same database, with `options`, beside this one.
    pub async fn beside(&self, options: Options) -> TestApp {
        serve(self.database_url.clone(), options).await
    }

    /// An open button of a new procedure of a new organisation.
    pub async fn button(&self) -> Button {
        let unique = Uuid::new_v4().simple().to_string();
        let organisation = self
            .store
            .create_organisation(&Name::parse(&format!("Organisation {unique}")).unwrap())
            .await
            .unwrap();
        let procedure = self
            .store
            .create_procedure(&NewProcedure {
                organisation_id: organisation.id,
                title: Name::parse("Demande d'aide au logement").unwrap(),
                external_id: Some(Tag::parse(&unique).unwrap()),
                is_essential: false,
                is_public: false,
                yearly_volume: None,
            })
            .await
            .unwrap();
        self.store
            .create_button(&NewButton {
                procedure_id: procedure.id,
                label: Name::parse("Pied de page").unwrap(),
                source: Tag::parse("footer").unwrap(),
                allowed_origins: vec![Origin::parse("https://www.example.gouv.fr").unwrap()],
                is_test: false,
            })
            .await
            .unwrap()
    }

    /// A new API key's secret.
    pub async fn key(&self, scope: Scope, organisation: Option<Uuid>) -> String {
        self.store
            .create_api_key(scope, organisation)
            .await
            .unwrap()
            .secret
    }

    /// `GET` with an API key.
    pub async fn get_with(&self, path: &str, key: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    }

    /// Stores a review as if it had been sent at `at`, straight through the store.
    pub async fn review_at(&self, button: &Button, at: &str, answers: &Answers) -> Uuid {
        let review = new_review(button, at.parse().unwrap(), answers.clone());
        self.store
            .create_review(&review, &UNSCREENED)
            .await
            .unwrap();
        review.id
    }

    /// Another open button on the same procedure.
    pub async fn sibling(&self, button: &Button, is_test: bool) -> Button {
        self.store
            .create_button(&NewButton {
                procedure_id: button.procedure_id,
                label: Name::parse("Autre bouton").unwrap(),
                source: Tag::parse("email").unwrap(),
                allowed_origins: Vec::new(),
                is_test,
            })
            .await
            .unwrap()
    }

    pub async fn post_review(&self, body: &Value) -> Response {
        self.post_raw(body.to_string(), "application/json").await
    }

    /// Posts a review body as a new citizen would: each call has its own user agent, so
    /// duplicate detection sees different people.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>, content_type: &str) -> Response {
        self.client
            .post(format!("{}/api/v1/reviews", self.address))
            .header("Content-Type", content_type)
            .header("User-Agent", format!("citizen-{}", Uuid::new_v4()))
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a review with one satisfaction answer; returns its id and edit token.
    pub async fn rate(&self, button: &Button, satisfaction: &str) -> (String, String) {
        let response = self
            .post_review(
                &json!({"button_id": button.id, "answers": {"satisfaction": satisfaction}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        (
            body["id"].as_str().unwrap().to_owned(),
            body["edit_token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn patch_review(&self, id: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self
            .client
            .patch(format!("{}/api/v1/reviews/{id}", self.address))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    /// The procedure's counters as `question=value` → count, zero counts left out.
    pub async fn counters(&self, button: &Button) -> Vec<(String, i64)> {
        let mut counters: Vec<(String, i64)> = self
            .store
            .list_counters(button.procedure_id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (format!("{}={}", c.question, c.value), c.count))
            .collect();
        counters.sort();
        counters
    }
}

/// Checks a problem+json error and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"].is_string() && body["type"].is_string(),
        "{body}"
    );
    body
}

/// The fields named by a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut pairs: Vec<(String, i64)> = pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect();
    pairs.sort();
    pairs
}

/// Answers with only a satisfaction.
pub fn rated(satisfaction: Satisfaction) -> Answers {
    Answers {
        satisfaction: Some(satisfaction),
        ..Answers::default()
    }
}

/// Screening that lets every review through: no duplicate older than a second, no burst.
pub const UNSCREENED: Screening = Screening {
    duplicate_window_seconds: 1,
    burst_per_minute: i64::MAX,
};

/// A review of `button` created at `created_at`, as the store takes it: no fingerprint, not
/// excluded, its edit token expired at once.
pub fn new_review(button: &Button, created_at: jiff::Timestamp, answers: Answers) -> NewReview {
    NewReview {
        id: Uuid::now_v7(),
        button_id: button.id,
        procedure_id: button.procedure_id,
        answers,
        edit_token_hash: "unused".to_owned(),
        edit_token_expires_at: created_at,
        created_at,
        redactions: 0,
        fingerprint: None,
        excluded_reason: None,
        legacy_id: None,
    }
}
