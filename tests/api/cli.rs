//! The operator's command line, run as the real binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use avis::config::DatabaseUrl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::fresh_database;

fn avis(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(args)
        .env("AVIS_DATABASE_URL", database_url)
        .env_remove("AVIS_CONFIG")
        .output()
        .unwrap()
}

/// Runs a command that must succeed and returns its standard output.
fn ok(database_url: &str, args: &[&str]) -> String {
    let output = avis(database_url, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "avis {args:?} failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

fn created_id(stdout: &str) -> Uuid {
    assert_eq!(
        stdout.lines().count(),
        1,
        "a create command prints its id alone: {stdout:?}"
    );
    Uuid::parse_str(stdout.trim()).unwrap()
}

#[tokio::test]
async fn the_cli_creates_lists_and_revokes_printing_ids_alone() {
    let (url, _dir) = fresh_database().await;
    let organisation = created_id(&ok(
        &url,
        &["organisations", "create", "--name", "Caisse d'allocations"],
    ));
    let org = organisation.to_string();
    let procedure = created_id(&ok(
        &url,
        &[
            "procedures",
            "create",
            "--organisation",
            &org,
            "--title",
            "Prime d'activité",
            "--external-id",
            "1617",
        ],
    ));
    let proc_id = procedure.to_string();
    let button = created_id(&ok(
        &url,
        &[
            "buttons",
            "create",
            "--procedure",
            &proc_id,
            "--label",
            "Fin de démarche",
            "--origin",
            "https://www.caf.example.fr/",
        ],
    ));
    assert!(
        ok(&url, &["organisations", "list"])
            .contains(&format!("{organisation}\tCaisse d'allocations"))
    );
    assert!(ok(&url, &["procedures", "list"]).contains(&format!(
        "{procedure}\t{organisation}\t1617\tPrime d'activité"
    )));
    let buttons = ok(&url, &["buttons", "list", "--procedure", &proc_id]);
    assert!(
        buttons.contains(&format!(
            "{button}\t{procedure}\tFin de démarche\tweb\thttps://www.caf.example.fr\tfalse\ttrue"
        )),
        "{buttons}"
    );

    let secret = ok(
        &url,
        &[
            "keys",
            "create",
            "--scope",
            "indicators:read",
            "--organisation",
            &org,
        ],
    );
    let secret = secret.trim();
    assert!(secret.starts_with("avis_") && secret.len() > 40, "{secret}");
    let keys = ok(&url, &["keys", "list"]);
    assert!(
        !keys.contains(secret) && keys.contains("indicators:read"),
        "{keys}"
    );
    let key_id = keys
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    ok(&url, &["keys", "revoke", &key_id]);
    assert!(
        ok(&url, &["keys", "list"])
            .lines()
            .nth(1)
            .unwrap()
            .split('\t')
            .nth(6)
            .unwrap()
            != "-"
    );

    for refused in [
        vec!["keys", "revoke", key_id.as_str()],
        vec!["keys", "create", "--scope", "root"],
        vec!["organisations", "create", "--name", "Caisse d'allocations"],
        vec!["organisations", "create", "--name", "   "],
        vec![
            "procedures",
            "create",
            "--organisation",
            &proc_id,
            "--title",
            "x",
        ],
        vec![
            "buttons",
            "create",
            "--procedure",
            &proc_id,
            "--label",
            "x",
            "--origin",
            "not a url",
        ],
    ] {
        let output = avis(&url, &refused);
        assert!(!output.status.success(), "{refused:?} should fail");
        assert!(output.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&output.stderr).starts_with("error: "),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn the_database_password_never_appears_in_errors() {
    let output = avis(
        "postgres://avis:Sup3rS3cretPw@127.0.0.1:9/avis",
        &["migrate"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("127.0.0.1:9"), "{stderr}");
    assert!(!stderr.contains("Sup3rS3cretPw"), "{stderr}");
}

/// With a password in the URL when the backend can have one (the test server ignores it).
fn with_password(url: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    if parsed.scheme().starts_with("postgres") {
        parsed.set_password(Some("Sup3rS3cretPw")).unwrap();
        parsed.to_string()
    } else {
        url.to_owned()
    }
}

#[tokio::test]
async fn serve_demo_takes_a_review_at_once_and_stops_gracefully() {
    let (url, _dir) = fresh_database().await;
    let url = if url.contains("://") {
        with_password(&url)
    } else {
        url
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ])
        .env("AVIS_DATABASE_URL", &url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, received) = mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        stdout
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(lines.send(l)))
    });
    let mut printed = Vec::new();
    while !printed
        .iter()
        .any(|l: &String| l.contains("/admin/invitations/"))
    {
        printed.push(
            received
                .recv_timeout(Duration::from_secs(30))
                .expect("the demo instructions and the first account's link are printed"),
        );
    }
    let find = |marker: &str| -> String {
        let line = printed.iter().find(|l| l.contains(marker)).unwrap();
        line.split_whitespace().last().unwrap().to_owned()
    };
    let button = find("Demo button ready:");
    let procedure = find("avis aggregates show");
    let questionnaire_url = find("/questionnaire");
    let base = questionnaire_url
        .split("/api/v1")
        .next()
        .unwrap()
        .to_owned();

    let client = crate::helpers::http_client().build().unwrap();
    assert_eq!(
        client
            .get(&questionnaire_url)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let created = client
        .post(format!("{base}/api/v1/reviews"))
        .json(&json!({"button_id": button, "answers": {"satisfaction": "good"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let token = created["edit_token"].as_str().unwrap().to_owned();
    let step = format!(
        "{base}/f/{button}/{}?step=2&t={token}",
        created["id"].as_str().unwrap()
    );
    assert_eq!(
        client.get(&step).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(find("/demo"), format!("{base}/demo"));
    let admin = printed
        .iter()
        .find(|l| l.starts_with("Back-office: "))
        .expect("the back-office's address is printed");
    assert_eq!(admin, &format!("Back-office: {base}/admin/"));
    let first = find("/admin/invitations/");
    let invitation = client.get(&first).send().await.unwrap();
    assert_eq!(
        invitation.status(),
        StatusCode::OK,
        "the first account's link works"
    );
    let demo_page = client
        .get(format!("{base}/demo"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(demo_page.contains(&format!("data-button=\"{button}\"")));
    let counters = ok(&url, &["aggregates", "show", "--procedure", &procedure]);
    assert!(
        counters.contains(&format!("{button}\tsatisfaction\tgood\t1")),
        "{counters}"
    );

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "a stop signal ends the service cleanly"
    );
    if let Some(file) = DatabaseUrl::parse(&url).unwrap().sqlite_file() {
        let mut log = file.into_os_string();
        log.push("-wal");
        assert!(
            !std::path::Path::new(&log).exists(),
            "a stopped service leaves its database in one file"
        );
    }
    let logs = String::from_utf8(output.stderr).unwrap();
    assert!(!logs.contains("Sup3rS3cretPw"), "{logs}");
    assert!(
        !logs.contains(&token),
        "edit tokens in URLs never reach the logs"
    );
    assert!(
        !logs.contains("127.0.0.1\"") && !logs.contains("reqwest"),
        "no client address or agent"
    );
    let events: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON log lines"))
        .collect();
    assert!(events.iter().any(|e| e["message"] == "avis is serving"));
    assert!(events.iter().any(|e| e["message"] == "review created"));
    assert!(events.iter().any(|e| e["message"] == "avis stopped"));
}

#[tokio::test]
async fn the_configuration_file_is_read_and_flags_take_precedence() {
    let (url, _dir) = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("avis.toml");
    std::fs::write(
        &file,
        format!("database_url = \"{url}\"\nlisten = \"127.0.0.1:0\"\n"),
    )
    .unwrap();
    let from_file = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args([
            "--config",
            file.to_str().unwrap(),
            "organisations",
            "create",
            "--name",
            "Depuis le fichier",
        ])
        .env_remove("AVIS_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    assert!(ok(&url, &["organisations", "list"]).contains("Depuis le fichier"));

    let (other, _other_dir) = fresh_database().await;
    let flagged = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args([
            "--config",
            file.to_str().unwrap(),
            "--database-url",
            &other,
            "organisations",
            "list",
        ])
        .env_remove("AVIS_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&flagged.stdout).contains("Depuis le fichier"));

    std::fs::write(&file, "databse_url = \"x\"\n").unwrap();
    let typo = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["--config", file.to_str().unwrap(), "organisations", "list"])
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("avis.toml"));
}

#[tokio::test]
async fn users_invite_prints_the_invitation_link_alone() {
    let (url, _dir) = fresh_database().await;
    let organisation = created_id(&ok(
        &url,
        &["organisations", "create", "--name", "Préfecture"],
    ));
    let link = ok(
        &url,
        &[
            "users",
            "--public-url",
            "https://avis.example.fr",
            "invite",
            "--email",
            "Agent@Prefecture.fr",
            "--superadmin",
        ],
    );
    assert_eq!(link.lines().count(), 1, "{link:?}");
    assert!(
        link.starts_with("https://avis.example.fr/admin/invitations/"),
        "{link}"
    );
    let org = organisation.to_string();
    let link = ok(
        &url,
        &[
            "users",
            "invite",
            "--email",
            "a@prefecture.fr",
            "--organisation",
            &org,
            "--role",
            "admin",
        ],
    );
    assert!(
        link.trim()
            .starts_with("http://127.0.0.1:8080/admin/invitations/"),
        "{link}"
    );
    for wrong in [
        vec!["users", "invite", "--email", "a@prefecture.fr"],
        vec![
            "users",
            "invite",
            "--email",
            "not an address",
            "--superadmin",
        ],
        vec![
            "users",
            "invite",
            "--email",
            "a@prefecture.fr",
            "--organisation",
            &org,
            "--role",
            "owner",
        ],
        vec![
            "users",
            "invite",
            "--email",
            "a@prefecture.fr",
            "--superadmin",
            "--organisation",
            &org,
        ],
    ] {
        let output = avis(&url, &wrong);
        assert!(!output.status.success(), "{wrong:?}");
        assert!(output.stdout.is_empty(), "{wrong:?}");
    }
    let missing = Uuid::now_v7().to_string();
    let output = avis(
        &url,
        &[
            "users",
            "invite",
            "--email",
            "a@prefecture.fr",
            "--organisation",
            &missing,
        ],
    );
    assert!(!output.status.success());
}
