//! ProConnect's side of the sign-in page without a provider to talk to: the link appears only
//! when configured, and a flow that cannot start or finish signs nobody in. The whole flow runs
//! in the browser tests, against a real OpenID provider on loopback.

use std::sync::Arc;

use avis::accounts::BackOffice;
use avis::accounts::oidc::{Oidc, OidcSettings};
use avis::config::Secret;
use avis::startup::Options;
use reqwest::StatusCode;

use super::{Browser, page_text};
use crate::helpers::{spawn_app, spawn_app_with};

/// An issuer on a loopback port nothing listens on.
fn unreachable_provider() -> Options {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = OidcSettings {
        issuer: format!("http://127.0.0.1:{port}"),
        client_id: "avis".into(),
        client_secret: Secret("secret".into()),
        allowed_domains: vec!["example.gouv.fr".into()],
    };
    Options {
        backoffice: BackOffice {
            oidc: Some(Arc::new(Oidc::new(settings, "http://127.0.0.1").unwrap())),
            ..BackOffice::default()
        },
        ..Options::default()
    }
}

#[tokio::test]
async fn without_proconnect_configured_the_sign_in_page_offers_passwords_only() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let page = page_text(browser.get("/admin/login").await).await;
    assert!(!page.contains("ProConnect"));
    for path in [
        "/admin/login/oidc",
        "/admin/login/oidc/callback?code=x&state=y",
    ] {
        assert_eq!(
            browser.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_proconnect_flow_that_cannot_start_or_finish_signs_nobody_in() {
    let app = spawn_app_with(unreachable_provider()).await;
    let browser = Browser::new(&app);
    let page = page_text(browser.get("/admin/login").await).await;
    assert!(
        page.contains(r#"href="/admin/login/oidc""#)
            && page.contains("Se connecter avec ProConnect")
    );
    // The provider cannot be reached: said, not a server error.
    let begun = browser.get("/admin/login/oidc").await;
    assert_eq!(begun.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page_text(begun)
            .await
            .contains("La connexion avec ProConnect a échoué")
    );
    // A callback with no flow under way in this browser, or with a forged one.
    let mut forged = Browser::new(&app);
    forged.cookie = Some("avis_oidc=state.nonce.123.c2lnbmF0dXJl".into());
    for browser in [&browser, &forged] {
        let response = browser
            .get("/admin/login/oidc/callback?code=abc&state=state")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let set = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            set.starts_with("avis_oidc=;") || set.starts_with("avis_oidc="),
            "{set}"
        );
        assert!(!set.contains("avis_session"), "{set}");
        assert!(
            page_text(response)
                .await
                .contains("La connexion avec ProConnect a échoué")
        );
    }
    let error = browser
        .get("/admin/login/oidc/callback?error=access_denied&state=x")
        .await;
    assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.store.count_users().await.unwrap(), 0);
}
