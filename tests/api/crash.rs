//! Killing the server in the middle of a load loses no acknowledged review and leaves the
//! counters equal to a recomputation from the reviews.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use avis::config::DatabaseUrl;
use avis::store::Store;
use serde_json::{Value, json};

use crate::helpers::fresh_database;

/// Starts `avis serve` on a free port; returns the process and its base URL.
pub(crate) fn serve(url: &str) -> (Child, String) {
    serve_with(url, &[])
}

/// [`serve`] with more environment variables.
pub(crate) fn serve_with(url: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .envs(env.iter().copied())
        .env("AVIS_DATABASE_URL", url)
        .env("AVIS_RATE_LIMIT_EXEMPT", "127.0.0.0/8")
        .env("AVIS_LIMIT_PER_BUTTON", "100000")
        .env("AVIS_BURST_PER_MINUTE", "100000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str::<Value>(&line)
                && event["message"] == "avis is serving"
            {
                let _ = sender.send(event["port"].as_u64().unwrap());
            }
        }
    });
    let port = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("avis starts");
    (child, format!("http://127.0.0.1:{port}"))
}

pub(crate) fn cli(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(args)
        .env("AVIS_DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "avis {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_load_loses_no_acknowledged_review() {
    let (url, _dir) = fresh_database().await;
    let organisation = cli(&url, &["organisations", "create", "--name", "Crash"]);
    let procedure = cli(
        &url,
        &[
            "procedures",
            "create",
            "--organisation",
            organisation.trim(),
            "--title",
            "Sous charge",
        ],
    );
    let button = cli(
        &url,
        &[
            "buttons",
            "create",
            "--procedure",
            procedure.trim(),
            "--label",
            "B",
        ],
    )
    .trim()
    .to_owned();

    let (mut child, base) = serve(&url);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (base, button, acknowledged) = (base.clone(), button.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            let client = crate::helpers::http_client().timeout(Duration::from_secs(5)).build().unwrap();
            for n in 0u32.. {
                let satisfaction = ["good", "medium", "bad"][(n % 3) as usize];
                let body = json!({"button_id": button, "answers": {"satisfaction": satisfaction, "comprehension": 1 + n % 5}});
                let sent = client
                    .post(format!("{base}/api/v1/reviews"))
                    .header("User-Agent", format!("load-{worker}-{n}"))
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 201 => {
                        let created: Value = response.json().await.unwrap_or_default();
                        if let Some(id) = created["id"].as_str() {
                            acknowledged.lock().unwrap().push(id.to_owned());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
                if started.elapsed() > Duration::from_secs(20) {
                    break;
                }
            }
        }));
    }
    // Let the load run, then cut the power, as far as the process can tell.
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 300,
        "only {} reviews acknowledged before the kill",
        acknowledged.len()
    );

    let (mut again, base) = serve(&url);
    assert!(
        crate::helpers::http_client()
            .build()
            .unwrap()
            .get(format!("{base}/api/v1/health/ready"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let stopped = Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    again.wait().unwrap();

    let store = Store::connect(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    for id in &acknowledged {
        let review = store.find_review(id.parse().unwrap()).await.unwrap();
        assert!(
            review.is_some(),
            "acknowledged review {id} is missing after the crash"
        );
    }
    // The server closed the days before today when it started (or before yesterday, if
    // midnight passed since).
    let today = avis::domain::time::paris_day(jiff::Timestamp::now());
    let closed = store.closed_through().await.unwrap();
    let yesterday = today.yesterday().unwrap();
    assert!(
        [yesterday, yesterday.yesterday().unwrap()]
            .map(|d| d.to_string())
            .contains(&closed),
        "closed through {closed}"
    );
    store.close().await;
    let report = cli(&url, &["check"]);
    assert!(report.contains("0 counters differ"), "{report}");
}

#[tokio::test]
async fn check_finds_drift_and_repairs_it() {
    let app = crate::helpers::spawn_app().await;
    let button = app.button().await;
    app.rate(&button, "good").await;
    app.rate(&button, "bad").await;
    // Today is closed too, so that today's running totals exist and can drift.
    let today = avis::domain::time::paris_day(jiff::Timestamp::now());
    app.store.close_days(today).await.unwrap();
    let url = app.database_url.clone();
    assert!(cli(&url, &["check"]).contains("0 counters differ"));

    let mut connection =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&connection_string(&url))
            .await
            .unwrap();
    sqlx::query(
        "UPDATE daily_counters SET satisfaction_good = satisfaction_good + 5, satisfaction_bad = 0",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    let drifted = || {
        let output = Command::new(env!("CARGO_BIN_EXE_avis"))
            .arg("check")
            .env("AVIS_DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // Two day counters; the running totals were left alone.
    assert!(drifted().contains("2 counters differ"));

    assert!(cli(&url, &["check", "--repair"]).contains("repaired"));
    assert!(cli(&url, &["check"]).contains("0 counters differ"));

    // Running totals drift on their own too: a row lost, then a row that should not be there.
    sqlx::query("DELETE FROM running_counters")
        .execute(&mut connection)
        .await
        .unwrap();
    assert!(drifted().contains("2 counters differ"));
    assert!(cli(&url, &["check", "--repair"]).contains("repaired"));
    stray_running_row(&mut connection, "2020-01-01").await;
    assert!(drifted().contains("1 counters differ"));
    assert!(cli(&url, &["check", "--repair"]).contains("repaired"));
    assert!(cli(&url, &["check"]).contains("0 counters differ"));
    // A row after the last closed day is read by no one, and replaced when its day is closed.
    stray_running_row(&mut connection, "9999-01-01").await;
    assert!(cli(&url, &["check"]).contains("0 counters differ"));
    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("satisfaction=bad", 1), ("satisfaction=good", 1)])
    );
}

/// Adds running totals of `day` for a button that does not exist.
async fn stray_running_row(connection: &mut sqlx::AnyConnection, day: &str) {
    sqlx::query(
        "INSERT INTO running_counters (procedure_id, button_id, day, verbatim_answered) \
         VALUES ('p', 'b', $1, 3)",
    )
    .bind(day)
    .execute(connection)
    .await
    .unwrap();
}

fn connection_string(url: &str) -> String {
    DatabaseUrl::parse(url).unwrap().connection_string()
}

#[tokio::test]
async fn a_second_server_on_one_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("avis.db").display().to_string();
    let (mut first, base) = serve(&url);
    let mut second = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("AVIS_DATABASE_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if waited.elapsed() > Duration::from_secs(20) {
            for server in [&mut first, &mut second] {
                server.kill().unwrap();
                server.wait().unwrap();
            }
            panic!("a second server started on the same SQLite file");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut said).unwrap();
    assert!(
        said.contains("another avis serve is already using"),
        "{said}"
    );
    // The first goes on serving; once it is killed, the file is free again.
    let health = crate::helpers::http_client()
        .build()
        .unwrap()
        .get(format!("{base}/api/v1/health/ready"))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    first.kill().unwrap();
    first.wait().unwrap();
    let (mut again, _) = serve(&url);
    again.kill().unwrap();
    again.wait().unwrap();
}

#[tokio::test]
async fn a_sqlite_database_is_backed_up_while_serving() {
    let app = crate::helpers::spawn_app().await;
    let button = app.button().await;
    app.rate(&button, "good").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let output = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["backup", copy.to_str().unwrap()])
        .env("AVIS_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    if DatabaseUrl::parse(&app.database_url).unwrap().backend() == avis::store::Backend::Postgres {
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let copied = cli(
        copy.to_str().unwrap(),
        &[
            "aggregates",
            "show",
            "--procedure",
            &button.procedure_id.to_string(),
        ],
    );
    assert!(copied.contains("satisfaction\tgood\t1"), "{copied}");
}

#[tokio::test]
async fn checkpoints_under_load_lose_nothing() {
    // The server empties SQLite's write-ahead log while it writes; no request may fail for it.
    let app = crate::helpers::spawn_app_with(avis::startup::Options {
        exempt_networks: avis::domain::network::Networks::parse("127.0.0.0/8").unwrap(),
        limits: avis::limits::LimitSettings {
            per_button_per_second: 100_000,
            ..avis::limits::LimitSettings::default()
        },
        ..avis::startup::Options::default()
    })
    .await;
    let button = app.button().await;
    let store = app.store.clone();
    let checkpoints = tokio::spawn(async move {
        for n in 0..200 {
            store.checkpoint(n % 2 == 0).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    });
    let body = serde_json::json!({"button_id": button.id, "answers": {"satisfaction": "good"}});
    let posts = (0..300).map(|_| app.post_review(&body));
    let statuses: Vec<_> = futures_util::future::join_all(posts)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    checkpoints.await.unwrap();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(
        app.counters(&button).await,
        crate::helpers::counts(&[("satisfaction=good", 300)])
    );
}

#[tokio::test]
async fn the_review_writer_leaves_the_write_connection_durable_for_the_others() {
    // On SQLite the review writer's commits do not wait for the disk: it syncs the log itself
    // before answering. Whoever takes the write connection after it must commit durably again.
    let app = crate::helpers::spawn_app().await;
    let button = app.button().await;
    app.rate(&button, "good").await;
    let mut conn = app.store.write_connection().await.unwrap();
    if app.store.backend() == avis::store::Backend::Postgres {
        let on: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(on, "on");
        return;
    }
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(synchronous, 2, "FULL");
    let checkpoint_pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(checkpoint_pages, 1000);
}
