//! Alerts and digests through the real relay: a person subscribes on the procedure's page, the
//! service mails what is due — new reviews at most once per chosen time and within the day's
//! cap, satisfaction crossing a level, a burst of excluded reviews, the digest of the period
//! gone by with its figures — and every message's link turns its kind off. Time is moved by
//! writing the subscription's clock back, as if it had been saved earlier.

use std::time::Duration;

use avis::domain::answers::{Answers, Satisfaction};
use avis::domain::time::paris;
use avis::startup::Options;
use jiff::{Timestamp, ToSpan};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Relay, free_port, mail_options};
use crate::backoffice::{Browser, World, page_text};
use crate::helpers::{TestApp, UNSCREENED, new_review, rated, spawn_app_with};

/// An application mailing through a relay on `port`, looking for alerts every 200 ms.
async fn app_with_alerts(port: u16) -> TestApp {
    spawn_app_with(Options {
        look_interval: Duration::from_millis(200),
        ..mail_options(port)
    })
    .await
}

/// A connection of the test's own to the application's database.
async fn connect(app: &TestApp) -> sqlx::AnyConnection {
    use sqlx::Connection;
    let url = avis::config::DatabaseUrl::parse(&app.database_url).unwrap();
    sqlx::AnyConnection::connect(&url.connection_string())
        .await
        .unwrap()
}

/// Runs one statement on the application's database.
async fn execute(app: &TestApp, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connect(app).await)
        .await
        .unwrap();
}

/// A number read from the application's database.
async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut connect(app).await)
        .await
        .unwrap()
}

/// Stores `count` reviews of the world's button at `at`, each with `answers`.
async fn reviews(app: &TestApp, world: &World, at: Timestamp, count: usize, answers: &Answers) {
    for _ in 0..count {
        let review = new_review(&world.button, at, answers.clone());
        app.store.create_review(&review, &UNSCREENED).await.unwrap();
    }
}

fn commented() -> Answers {
    Answers {
        verbatim: Some("Très bien expliqué".into()),
        ..rated(Satisfaction::Good)
    }
}

/// The member's browser, with their alerts saved as `fields`.
async fn subscribe(app: &TestApp, world: &World, fields: &[(&str, &str)]) -> Browser {
    let member = world.browser(app, Some(&world.member)).await;
    let path = format!("/admin/procedures/{}/alerts", world.procedure.id);
    let response = member.post(&path, fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "saved");
    member
}

fn text(mail: &Value, field: &str) -> String {
    mail[field].as_str().unwrap_or_default().to_owned()
}

/// The subscription's `seen_until`, in Unix ms.
async fn seen_until(app: &TestApp) -> i64 {
    scalar(app, "SELECT seen_until FROM alert_subscriptions").await
}

#[tokio::test]
async fn new_reviews_are_mailed_once_per_chosen_time_and_within_the_day_s_cap() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = app_with_alerts(port).await;
    let world = World::new(&app).await;
    subscribe(&app, &world, &[("new_reviews", "true"), ("every", "15")]).await;
    // Three reviews came, one with a comment…
    let since = Timestamp::now() - 30.seconds();
    reviews(&app, &world, since, 2, &rated(Satisfaction::Bad)).await;
    reviews(&app, &world, since, 1, &commented()).await;
    // A review on a test button and an excluded one do not count.
    let test_button = app.sibling(&world.button, true).await;
    let on_test = new_review(&test_button, since, rated(Satisfaction::Good));
    app.store
        .create_review(&on_test, &UNSCREENED)
        .await
        .unwrap();
    let mut excluded = new_review(&world.button, since, rated(Satisfaction::Good));
    excluded.excluded_reason = Some("burst");
    app.store
        .create_review(&excluded, &UNSCREENED)
        .await
        .unwrap();
    // …since the person subscribed, as if a minute ago.
    execute(
        &app,
        "UPDATE alert_subscriptions SET seen_until = seen_until - 60000",
    )
    .await;

    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail["envelope_to"], serde_json::json!(["member@caf.fr"]));
    assert!(text(mail, "subject").contains("3 nouveaux avis"), "{mail}");
    assert!(text(mail, "text").contains("dont 1 avec un commentaire"));
    let reviews_page = format!("/admin/procedures/{}/reviews", world.procedure.id);
    assert!(text(mail, "text").contains(&reviews_page));
    assert!(text(mail, "list_unsubscribe").contains("/unsubscribe/"));
    assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");

    // Two more come: nothing before the 15 minutes are over…
    let seen = seen_until(&app).await;
    let next = avis::domain::time::from_millis(seen + 1);
    reviews(&app, &world, next, 2, &rated(Satisfaction::Medium)).await;
    assert_eq!(relay.wait_for(2, Duration::from_secs(2)).await.len(), 1);
    // …then one message with those two only.
    execute(
        &app,
        "UPDATE alert_subscriptions SET alerted_at = alerted_at - 15 * 60000",
    )
    .await;
    let received = relay.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(text(&received[1], "subject").contains("2 nouveaux avis"));

    // The day's cap reached, reviews wait for the next day.
    execute(
        &app,
        "UPDATE alert_subscriptions SET alerted_at = alerted_at - 60 * 60000, alerts_on_day = 12",
    )
    .await;
    let next = avis::domain::time::from_millis(seen_until(&app).await + 1);
    reviews(&app, &world, next, 1, &rated(Satisfaction::Good)).await;
    assert_eq!(relay.wait_for(3, Duration::from_secs(3)).await.len(), 2);
    // A new day: it goes, with the day's count starting again.
    execute(
        &app,
        "UPDATE alert_subscriptions SET alerts_day = '2000-01-01'",
    )
    .await;
    let received = relay.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 3, "{received:?}");
    assert!(text(&received[2], "subject").contains("1 nouveaux avis"));
    assert_eq!(
        scalar(&app, "SELECT alerts_on_day FROM alert_subscriptions").await,
        1
    );
}

#[tokio::test]
async fn satisfaction_crossing_a_level_is_mailed_each_way_once_and_not_at_the_first_look() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = app_with_alerts(port).await;
    let world = World::new(&app).await;
    app.store
        .set_user_lang(world.member.id, "en")
        .await
        .unwrap();
    let earlier = Timestamp::now() - 2.hours();
    reviews(&app, &world, earlier, 20, &rated(Satisfaction::Good)).await;
    subscribe(&app, &world, &[("below", "6"), ("above", "")]).await;
    // The first look notes where satisfaction stands (10/10): no message.
    let start = std::time::Instant::now();
    while scalar(
        &app,
        "SELECT COUNT(*) FROM alert_subscriptions WHERE side = 'between'",
    )
    .await
        == 0
    {
        assert!(start.elapsed() < Duration::from_secs(10), "side noted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(relay.received().is_empty());
    // 30 bad reviews: (10 × 20) / 50 = 4, below 6. The level is set aside while they are
    // written one by one, so that the message sees them all.
    execute(&app, "UPDATE alert_subscriptions SET below = NULL").await;
    reviews(&app, &world, earlier, 30, &rated(Satisfaction::Bad)).await;
    execute(&app, "UPDATE alert_subscriptions SET below = 6").await;
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(
        text(&received[0], "subject").contains("falls below 6.0"),
        "{}",
        received[0]
    );
    assert!(text(&received[0], "text").contains("4.0/10 (50 reviews)"));
    // 60 good ones: (10 × 80) / 110 ≈ 7.3, back between.
    execute(&app, "UPDATE alert_subscriptions SET below = NULL").await;
    reviews(&app, &world, earlier, 60, &rated(Satisfaction::Good)).await;
    execute(&app, "UPDATE alert_subscriptions SET below = 6").await;
    let received = relay.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(text(&received[1], "subject").contains("back between"));
    assert!(text(&received[1], "text").contains("7.3/10 (110 reviews)"));
}

#[tokio::test]
async fn a_burst_of_excluded_reviews_is_mailed_once() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = app_with_alerts(port).await;
    let world = World::new(&app).await;
    subscribe(&app, &world, &[("exclusions", "true")]).await;
    let recent = Timestamp::now() - 5.minutes();
    // All in one transaction: the alerts' task, looking every so often, could otherwise see
    // the burst while it grows and tell a smaller one.
    let burst: Vec<_> = (0..25)
        .map(|_| {
            let mut review = new_review(&world.button, recent, rated(Satisfaction::Bad));
            review.excluded_reason = Some("burst");
            review
        })
        .collect();
    app.store.create_reviews(&burst, &UNSCREENED).await.unwrap();
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received_later = relay.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received_later.len(), 1, "only once: {received_later:?}");
    assert!(text(&received[0], "subject").contains("25 avis exclus en une heure"));
}

#[tokio::test]
async fn a_daily_digest_gives_yesterday_s_reviews_and_indicators_beside_the_day_before() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = app_with_alerts(port).await;
    let world = World::new(&app).await;
    let today = Timestamp::now().to_zoned(paris()).date();
    let noon = |days: i64| {
        (today - days.days())
            .at(12, 0, 0, 0)
            .to_zoned(paris())
            .unwrap()
            .timestamp()
    };
    reviews(&app, &world, noon(1), 3, &rated(Satisfaction::Good)).await;
    reviews(&app, &world, noon(1), 1, &rated(Satisfaction::Bad)).await;
    reviews(&app, &world, noon(2), 2, &rated(Satisfaction::Medium)).await;
    subscribe(&app, &world, &[("digest", "daily")]).await;
    // Subscribing counts from the period under way: yesterday's digest is not due…
    assert!(relay.wait_for(1, Duration::from_secs(2)).await.is_empty());
    // …unless the last one went the day before yesterday.
    let before = (today - 2.days()).to_string();
    execute(
        &app,
        &format!("UPDATE alert_subscriptions SET digest_until = '{before}'"),
    )
    .await;
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    let yesterday = (today - 1.days()).to_string();
    assert!(text(mail, "subject").contains(&yesterday), "{mail}");
    let body = text(mail, "text");
    assert!(
        body.contains("Nouveaux avis\u{a0}: 4 (période précédente\u{a0}: 2)"),
        "{body}"
    );
    // Satisfaction (10 × 3) / 4 = 7.5, the day before 5.0.
    assert!(body.contains("7,5") && body.contains("5,0"), "{body}");
    assert!(body.contains(&world.procedure.title));
    // Once: the digest moved on.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(relay.received().len(), 1);

    // Its link, clicked in one go by a mail program, stops digests.
    let link = text(mail, "list_unsubscribe");
    let link = link.trim_matches(|c| c == '<' || c == '>');
    let response = app
        .client
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM alert_subscriptions").await,
        0
    );
}

#[tokio::test]
async fn an_alert_s_link_asks_then_stops_that_procedure_s_alerts_and_a_wrong_one_says_so() {
    let port = free_port();
    let relay = Relay::start(port, None);
    let app = app_with_alerts(port).await;
    let world = World::new(&app).await;
    let member = subscribe(
        &app,
        &world,
        &[
            ("new_reviews", "true"),
            ("every", "5"),
            ("digest", "weekly"),
        ],
    )
    .await;
    execute(
        &app,
        "UPDATE alert_subscriptions SET seen_until = seen_until - 60000",
    )
    .await;
    reviews(
        &app,
        &world,
        Timestamp::now() - 30.seconds(),
        1,
        &commented(),
    )
    .await;
    let received = relay.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let body = text(&received[0], "text");
    let start = body.find("/unsubscribe/").unwrap();
    let link = format!(
        "{}{}",
        app.address,
        body[start..].split_whitespace().next().unwrap()
    );
    // Opening the link changes nothing: it asks.
    let page = page_text(app.client.get(&link).send().await.unwrap()).await;
    assert!(page.contains("Me désabonner"), "{page}");
    assert_eq!(
        scalar(&app, "SELECT new_reviews FROM alert_subscriptions").await,
        1
    );
    let response = app.client.post(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = page_text(response).await;
    assert!(page.contains(&world.procedure.title), "{page}");
    // The alerts stop; the weekly digest stays, as the page shows.
    let page = page_text(
        member
            .get(&format!("/admin/procedures/{}/alerts", world.procedure.id))
            .await,
    )
    .await;
    assert!(page.contains("value=\"weekly\" selected"), "{page}");
    assert!(!page.contains("name=\"new_reviews\" value=\"true\" checked"));
    execute(
        &app,
        "UPDATE alert_subscriptions SET seen_until = seen_until - 60000",
    )
    .await;
    reviews(
        &app,
        &world,
        Timestamp::now() - 30.seconds(),
        1,
        &commented(),
    )
    .await;
    assert_eq!(relay.wait_for(2, Duration::from_secs(2)).await.len(), 1);

    let unknown = format!("{}/unsubscribe/not-a-key", app.address);
    let response = app.client.post(&unknown).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(page_text(response).await.contains("pas reconnu"));
}

#[tokio::test]
async fn the_alerts_page_refuses_a_level_it_cannot_read_and_says_when_mail_is_off() {
    let app = spawn_app_with(Options::default()).await;
    let world = World::new(&app).await;
    let member = world.browser(&app, Some(&world.member)).await;
    let path = format!("/admin/procedures/{}/alerts", world.procedure.id);
    let page = page_text(member.get(&path).await).await;
    assert!(page.contains("pas configuré"), "{page}");
    let response = member
        .post(&path, &[("below", "onze"), ("above", "12")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_text(response).await;
    assert!(page.contains("entre 0 et 10"), "{page}");
    assert!(page.contains("value=\"onze\""));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM alert_subscriptions").await,
        0
    );
    // Choosing nothing removes the subscription.
    member.post(&path, &[("below", "7,5")]).await;
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM alert_subscriptions").await,
        1
    );
    // The person's account lists their alerts, each with a way to its page.
    let account = page_text(member.get("/admin/account").await).await;
    assert!(account.contains(&format!("href=\"{path}\"")), "{account}");
    assert!(account.contains("&lt; 7,5"), "{account}");
    member.post(&path, &[("below", "")]).await;
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM alert_subscriptions").await,
        0
    );
}

#[tokio::test]
async fn two_nodes_on_one_database_send_each_alert_and_each_message_once() {
    let port = free_port();
    let app = app_with_alerts(port).await;
    let other = app
        .beside(Options {
            look_interval: Duration::from_millis(150),
            ..mail_options(port)
        })
        .await;
    let world = World::new(&app).await;
    subscribe(&app, &world, &[("new_reviews", "true"), ("every", "5")]).await;
    // Thirty invitations wait in the outbox while the relay is down.
    for n in 0..30 {
        let email = avis::domain::people::Email::parse(&format!("agent{n}@caf.fr")).unwrap();
        let compose = |token: &str| avis::domain::mail::Mail {
            to: email.clone(),
            subject: format!("Invitation {n}"),
            text: token.to_owned(),
            html: token.to_owned(),
            unsubscribe: None,
        };
        app.store
            .create_invitation(
                Some(&email),
                avis::domain::people::Grant::Superadmin,
                None,
                3_600,
                Some(&compose),
            )
            .await
            .unwrap();
    }
    // Four reviews, counted once all are in: as if subscribed a minute ago.
    reviews(
        &app,
        &world,
        Timestamp::now() - 30.seconds(),
        4,
        &commented(),
    )
    .await;
    execute(
        &app,
        "UPDATE alert_subscriptions SET seen_until = seen_until - 60000",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let relay = Relay::start(port, None);
    let received = relay.wait_for(31, Duration::from_secs(40)).await;
    let mut subjects: Vec<String> = received.iter().map(|m| text(m, "subject")).collect();
    subjects.sort();
    let before = subjects.len();
    subjects.dedup();
    assert_eq!(before, subjects.len(), "a message came twice: {subjects:?}");
    assert_eq!(subjects.len(), 31, "{subjects:?}");
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.contains("4 nouveaux avis"))
            .count(),
        1
    );
    drop(other);
}
