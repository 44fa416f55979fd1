//! Sessions end: at their idle and absolute limits, when the account is disabled, and when the
//! person signs out elsewhere. Over HTTPS the cookie is `Secure` and `__Host-` prefixed.

use std::time::Duration;

use avis::accounts::BackOffice;
use avis::startup::Options;
use avis::store::sessions::SessionLimits;
use reqwest::StatusCode;

use super::{Browser, PASSWORD, World, location, page_text};
use crate::helpers::{spawn_app, spawn_app_with};

fn with_sessions(sessions: SessionLimits, secure_cookies: bool) -> Options {
    Options {
        backoffice: BackOffice {
            sessions,
            secure_cookies,
            ..BackOffice::default()
        },
        ..Options::default()
    }
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_limit_even_when_in_use() {
    let limits = SessionLimits {
        idle_seconds: 3_600,
        absolute_seconds: 2,
    };
    let app = spawn_app_with(with_sessions(limits, false)).await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&world.admin.email, PASSWORD).await;
    assert_eq!(browser.get("/admin/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert!(location(&browser.get("/admin/").await).starts_with("/admin/login"));
}

#[tokio::test]
async fn a_session_left_idle_ends() {
    let limits = SessionLimits {
        idle_seconds: 1,
        absolute_seconds: 3_600,
    };
    let app = spawn_app_with(with_sessions(limits, false)).await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&world.admin.email, PASSWORD).await;
    assert_eq!(browser.get("/admin/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert!(location(&browser.get("/admin/").await).starts_with("/admin/login"));
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once_and_keeps_it_out() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut member = Browser::new(&app);
    member.sign_in(&world.member.email, PASSWORD).await;
    assert_eq!(member.get("/admin/").await.status(), StatusCode::OK);
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let response = root
        .post(&format!("/admin/users/{}/disable", world.member.id), &[])
        .await;
    assert_eq!(location(&response), "/admin/users?done=saved");
    assert!(location(&member.get("/admin/").await).starts_with("/admin/login"));
    let again = member.sign_in(&world.member.email, PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // Enabled again, the person signs in.
    root.post(&format!("/admin/users/{}/enable", world.member.id), &[])
        .await;
    assert_eq!(
        location(&member.sign_in(&world.member.email, PASSWORD).await),
        "/admin/"
    );
}

#[tokio::test]
async fn signing_out_elsewhere_keeps_only_this_session_and_the_account_page_lists_them() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut laptop = Browser::new(&app);
    laptop.sign_in(&world.admin.email, PASSWORD).await;
    let mut phone = Browser::new(&app);
    phone.sign_in(&world.admin.email, PASSWORD).await;
    let account = page_text(laptop.get("/admin/account").await).await;
    assert_eq!(
        account.matches("<tr>").count(),
        1 + 2,
        "a header row and two sessions"
    );
    let response = laptop.post("/admin/account/sessions/end-others", &[]).await;
    assert_eq!(location(&response), "/admin/account?done=sessions");
    assert_eq!(laptop.get("/admin/").await.status(), StatusCode::OK);
    assert!(location(&phone.get("/admin/").await).starts_with("/admin/login"));
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut laptop = Browser::new(&app);
    laptop.sign_in(&world.admin.email, PASSWORD).await;
    let mut phone = Browser::new(&app);
    phone.sign_in(&world.admin.email, PASSWORD).await;
    let new_password = "encore une autre phrase de passe";
    let wrong = laptop
        .post(
            "/admin/account/password",
            &[
                ("current_password", "a wrong guess here"),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(phone.get("/admin/").await.status(), StatusCode::OK);
    let right = laptop
        .post(
            "/admin/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(location(&right), "/admin/account?done=password");
    assert_eq!(laptop.get("/admin/").await.status(), StatusCode::OK);
    assert!(location(&phone.get("/admin/").await).starts_with("/admin/login"));
    assert_eq!(
        location(&phone.sign_in(&world.admin.email, new_password).await),
        "/admin/"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let app = spawn_app_with(with_sessions(SessionLimits::default(), true)).await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    let response = browser.sign_in(&world.admin.email, PASSWORD).await;
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set.starts_with("__Host-avis_session="), "{set}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Domain"), "{set}");
    assert_eq!(browser.get("/admin/").await.status(), StatusCode::OK);
}
