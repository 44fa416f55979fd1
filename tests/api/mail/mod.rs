//! Mail through a real SMTP relay on loopback (aiosmtpd, `relay.py` beside this file): what
//! arrives, in which language, with which link, and that a relay down then up gets each message
//! once, without the relay's credentials ever showing.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use avis::notify::smtp::SmtpSettings;
use avis::startup::Options;
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

use crate::backoffice::{World, page_text};
use crate::helpers::{fresh_database, spawn_app_with};

mod alerts;

/// The relay's credentials in the tests that need some.
const RELAY_USER: &str = "relay-user-4b1d";
const RELAY_PASSWORD: &str = "relay-pass-9f3c";

/// The relay, stopped when dropped.
pub(crate) struct Relay {
    child: Child,
    folder: TempDir,
}

impl Relay {
    /// Starts the relay on `port`, requiring AUTH with `credentials` if given. Fails loudly
    /// when Python or aiosmtpd is missing: the test command installs them.
    pub(crate) fn start(port: u16, credentials: Option<(&str, &str)>) -> Relay {
        Relay::start_with(port, credentials, None)
    }

    /// Starts the relay on `port`, speaking TLS as `tls` says (`starttls` or `wrapped`) with the
    /// certificate and key of `certificate`, if given.
    fn start_with(
        port: u16,
        credentials: Option<(&str, &str)>,
        tls: Option<(&str, &Certificate)>,
    ) -> Relay {
        let folder = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/mail/relay.py");
        let mut command = Command::new(python());
        command
            .arg(script)
            .arg(port.to_string())
            .arg(folder.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some((user, password)) = credentials {
            command.args(["--user", user, "--password", password]);
        }
        if let Some((tls, certificate)) = tls {
            command.args(["--tls", tls]);
            command.arg("--cert").arg(&certificate.cert);
            command.arg("--key").arg(&certificate.key);
        }
        let mut child = command.spawn().expect("python3 runs");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        if ready.trim() != "ready" {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).ok();
            panic!(
                "the SMTP relay did not start (scripts/test installs python3-aiosmtpd; \
                 AVIS_TEST_PYTHON names another interpreter): {err}"
            );
        }
        Relay { child, folder }
    }

    /// The messages received so far, oldest first.
    pub(crate) fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
            .collect()
    }

    /// Waits up to `within` for `count` messages, then a little more to see that no other
    /// comes, and returns them.
    pub(crate) async fn wait_for(&self, count: usize, within: Duration) -> Vec<Value> {
        let start = Instant::now();
        while self.received().len() < count && start.elapsed() < within {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        self.received()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("AVIS_TEST_PYTHON").unwrap_or_else(|_| {
        if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3".to_owned()
        } else {
            "python3".to_owned()
        }
    })
}

/// A loopback port free at the moment.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn mail_options(port: u16) -> Options {
    Options {
        mail: SmtpSettings::parse(
            Some(&format!("smtp://127.0.0.1:{port}")),
            Some("Je donne mon avis <avis@example.fr>"),
        )
        .unwrap(),
        ..Options::default()
    }
}

#[tokio::test]
async fn an_invitation_from_the_back_office_arrives_once_with_its_link_in_the_inviter_s_language() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = spawn_app_with(mail_options(port)).await;
    let world = World::new(&app).await;
    app.store.set_user_lang(world.admin.id, "en").await.unwrap();
    let admin = world.browser(&app, Some(&world.admin)).await;
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let response = admin
        .post(
            &format!("{org}/members/invite"),
            &[("email", "agent@caf.fr"), ("role", "member")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = page_text(response).await;
    assert!(page.contains("also being mailed to agent@caf.fr"), "{page}");
    let start = page.find("/admin/invitations/").unwrap();
    let path = page[start..].split('<').next().unwrap().to_owned();

    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "one message, once: {received:?}");
    let mail = &received[0];
    assert_eq!(mail["envelope_to"], serde_json::json!(["agent@caf.fr"]));
    assert!(mail["from"].as_str().unwrap().contains("avis@example.fr"));
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("Invitation to")
    );
    assert!(
        mail["message_id"]
            .as_str()
            .unwrap()
            .ends_with("@example.fr>")
    );
    let link = format!("{}{path}", app.address);
    for body in ["text", "html"] {
        let body = mail[body].as_str().unwrap();
        assert!(body.contains(&link), "{body} should hold {link}");
        assert!(body.contains("Organisation:"), "{body}");
    }
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("Caisse d'allocations familiales")
    );
    // The link works: the invitation page answers.
    let answer = app.client.get(&link).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

/// The superadmin gives the member of a new world a new password; returns the page shown.
async fn reset_member_password(app: &crate::helpers::TestApp) -> String {
    let world = World::new(app).await;
    let root = world.browser(app, Some(&world.superadmin)).await;
    let response = root
        .post(&format!("/admin/users/{}/reset", world.member.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    page_text(response).await
}

#[tokio::test]
async fn a_password_reset_is_mailed_in_the_person_s_language() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = spawn_app_with(mail_options(port)).await;
    let page = reset_member_password(&app).await;
    assert!(
        page.contains("aussi envoyé par courriel à member@caf.fr"),
        "{page}"
    );
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(
        received[0]["envelope_to"],
        serde_json::json!(["member@caf.fr"])
    );
    assert!(
        received[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("Nouveau mot de passe")
    );
    assert!(
        received[0]["text"]
            .as_str()
            .unwrap()
            .contains("/admin/reset/")
    );
}

#[tokio::test]
async fn without_a_relay_nothing_is_queued_and_the_page_says_mail_is_off() {
    let app = spawn_app_with(Options::default()).await;
    let world = World::new(&app).await;
    let admin = world.browser(&app, Some(&world.admin)).await;
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let page = page_text(
        admin
            .post(
                &format!("{org}/members/invite"),
                &[("email", "agent@caf.fr")],
            )
            .await,
    )
    .await;
    assert!(page.contains("/admin/invitations/"));
    assert!(page.contains("pas configuré"), "{page}");
    assert_eq!(queued(&app.database_url).await, 0);
}

/// A self-signed certificate for 127.0.0.1, and its key, as PEM files.
struct Certificate {
    cert: PathBuf,
    key: PathBuf,
}

impl Certificate {
    fn new(folder: &Path, name: &str) -> Certificate {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
        let (cert, key) = (
            folder.join(format!("{name}.pem")),
            folder.join(format!("{name}.key")),
        );
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
        Certificate { cert, key }
    }
}

/// With `smtp://…?tls=starttls` and with `smtps://…`, mail reaches a relay over TLS when the
/// relay's certificate is among the roots this host trusts (named here by `SSL_CERT_FILE`, as
/// the system's store would be), and never reaches one whose certificate is not: it waits in
/// the outbox.
#[tokio::test]
async fn mail_goes_over_tls_only_to_a_relay_whose_certificate_is_trusted() {
    let folder = tempfile::tempdir().unwrap();
    let trusted = Certificate::new(folder.path(), "trusted");
    let unknown = Certificate::new(folder.path(), "unknown");
    // SAFETY: set before the service starts and reads it; nextest runs each test in a process of
    // its own, so no other test sees it.
    unsafe { std::env::set_var("SSL_CERT_FILE", &trusted.cert) };
    let reset = async |url: &str, port: u16, certificate: &Certificate, tls: &str| {
        let relay = Relay::start_with(port, None, Some((tls, certificate)));
        let options = Options {
            mail: SmtpSettings::parse(Some(url), Some("avis@example.fr")).unwrap(),
            ..Options::default()
        };
        let app = spawn_app_with(options).await;
        reset_member_password(&app).await;
        (relay, app)
    };
    for (tls, url) in [
        ("starttls", "smtp://127.0.0.1:{port}?tls=starttls"),
        ("wrapped", "smtps://127.0.0.1:{port}"),
    ] {
        let port = free_port();
        let url = url.replace("{port}", &port.to_string());
        let (relay, _app) = reset(&url, port, &trusted, tls).await;
        let received = relay.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(received.len(), 1, "{tls}: {received:?}");
        assert_eq!(received[0]["over_tls"], true, "{tls}");
        assert_eq!(
            received[0]["envelope_to"],
            serde_json::json!(["member@caf.fr"])
        );
    }

    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}?tls=starttls");
    let (relay, app) = reset(&url, port, &unknown, "starttls").await;
    let start = Instant::now();
    let mut tried = unsent(&app.database_url).await;
    while tried.iter().all(|(attempts, _)| *attempts == 0)
        && start.elapsed() < Duration::from_secs(15)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
        tried = unsent(&app.database_url).await;
    }
    let received = relay.wait_for(1, Duration::from_secs(2)).await;
    assert!(received.is_empty(), "{received:?}");
    assert_eq!(tried.len(), 1, "the message waits in the outbox: {tried:?}");
    let (attempts, error) = &tried[0];
    assert!(*attempts >= 1, "it was tried");
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.to_lowercase().contains("certificate")),
        "the relay's certificate was refused: {error:?}"
    );
}

/// The messages of the outbox neither sent nor failed for good: attempts so far, last error.
async fn unsent(database_url: &str) -> Vec<(i64, Option<String>)> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(database_url).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT attempts, last_error FROM mail_messages WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.ok();
    rows.iter()
        .map(|row| (row.get("attempts"), row.get("last_error")))
        .collect()
}

/// How many messages the outbox holds, read straight from the database.
async fn queued(database_url: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = avis::config::DatabaseUrl::parse(database_url).unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_messages")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    count
}

#[tokio::test]
async fn a_relay_down_then_up_gets_the_invitation_once_and_credentials_never_show() {
    let (database_url, _dir) = fresh_database().await;
    let port = free_port();
    let smtp_url = format!("smtp://{RELAY_USER}:{RELAY_PASSWORD}@127.0.0.1:{port}");
    let logs = tempfile::tempdir().unwrap();
    let avis = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_avis"));
        command
            .args(args)
            .env("AVIS_DATABASE_URL", &database_url)
            .env("AVIS_SMTP_URL", &smtp_url)
            .env("AVIS_SMTP_FROM", "avis@example.fr")
            .env("AVIS_PUBLIC_URL", "https://avis.example.fr")
            .env_remove("AVIS_CONFIG");
        command
    };
    // The relay is down: the invitation is printed and queued, not lost.
    let invited = avis(&[
        "users",
        "invite",
        "--email",
        "agent@ville.fr",
        "--superadmin",
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8(invited.stdout).unwrap();
    let stderr = String::from_utf8(invited.stderr).unwrap();
    assert!(invited.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("https://avis.example.fr/admin/invitations/"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().count(),
        1,
        "the link alone on standard output"
    );
    assert!(stderr.contains("the service will send it"), "{stderr}");
    assert_eq!(queued(&database_url).await, 1);

    // The service runs while the relay is still down, then the relay comes up.
    let log = logs.path().join("serve.log");
    let mut serve = avis(&["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(logs.path().join("serve.err")).unwrap())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let relay = Relay::start(port, Some((RELAY_USER, RELAY_PASSWORD)));
    let received = relay.wait_for(1, Duration::from_secs(20)).await;
    let _ = serve.kill();
    let _ = serve.wait();

    assert_eq!(received.len(), 1, "delivered exactly once: {received:?}");
    let mail = &received[0];
    assert_eq!(mail["authenticated_as"], RELAY_USER);
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("Invitation à"),
        "French by default"
    );
    let link = stdout.trim();
    assert!(mail["text"].as_str().unwrap().contains(link));
    let mut everything = stdout.clone() + &stderr;
    for file in ["serve.log", "serve.err"] {
        everything += &std::fs::read_to_string(logs.path().join(file)).unwrap();
    }
    assert!(
        everything.contains("mail not sent") || everything.contains("mail sent"),
        "{everything}"
    );
    assert!(
        !everything.contains(RELAY_PASSWORD) && !everything.contains(RELAY_USER),
        "credentials never show: {everything}"
    );
}
