//! The incumbent's review links and button images, and the flag that turns them on.

use avis::startup::Options;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use serde_json::json;

use super::{Imported, no_redirects, product, spawn_compat};
use crate::helpers::{TestApp, assert_problem, spawn_app_with};

/// Where `path` redirects, without following.
async fn location(app: &TestApp, path: &str) -> String {
    let response = no_redirects()
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "{path}");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_form_of_review_link_redirects_to_its_button_s_questionnaire() {
    let app = spawn_compat().await;
    let (_, buttons) = product(
        &app,
        3977,
        true,
        &[
            (4400, Some("site"), false, false),
            (4401, Some("button"), false, false),
            (4402, Some("email"), false, true),
        ],
    )
    .await;
    let (_, others) = product(&app, 5000, true, &[(6000, None, false, false)]).await;
    let f = |b: &Imported| format!("/f/{}", b.id);

    assert_eq!(
        location(&app, "/Demarches/3977?button=4400").await,
        f(&buttons[0])
    );
    let checked = no_redirects()
        .head(format!("{}/Demarches/3977?button=4400", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::FOUND);
    assert_eq!(
        location(&app, "/Demarches/avis/77?button=4401").await,
        f(&buttons[1])
    );
    // XWiki era: by démarche id; its source, else the one titled `button`, else the first.
    let xwiki = "/Demarches/13977?view-mode=formulaire-avis&nd_mode=en-ligne-enti%C3%A8rement";
    assert_eq!(
        location(&app, &format!("{xwiki}&nd_source=site&key=k")).await,
        f(&buttons[0])
    );
    assert_eq!(
        location(&app, &format!("{xwiki}&nd_source=qr&key=k")).await,
        f(&buttons[1])
    );
    assert_eq!(
        location(&app, "/Demarches/15000?nd_source=site").await,
        f(&others[0])
    );

    // A closed button leads to its questionnaire, which says it is closed.
    let closed = location(&app, "/Demarches/3977?button=4402").await;
    assert_eq!(closed, f(&buttons[2]));
    let page = app.get(&closed).await;
    assert_eq!(page.status(), StatusCode::GONE);
}

#[tokio::test]
async fn a_link_that_leads_nowhere_gets_a_page_that_says_so() {
    let app = spawn_compat().await;
    product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    product(&app, 5000, true, &[(6000, None, false, false)]).await;
    for path in [
        "/Demarches/3977?button=9999",
        // A button of another product.
        "/Demarches/3977?button=6000",
        "/Demarches/3977?button=abc",
        "/Demarches/99999",
        "/Demarches/abc",
        "/Demarches/avis/1?button=9999",
        "/Demarches/avis/1",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("Accept-Language", "en-GB,en;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let body = response.text().await.unwrap();
        assert!(
            body.contains("This link leads to no questionnaire"),
            "{body}"
        );
        assert!(body.contains("lang=\"en\""), "{body}");
    }
    let french = app.get("/Demarches/99999?button=1").await;
    let body = french.text().await.unwrap();
    assert!(
        body.contains("Ce lien ne mène à aucun questionnaire"),
        "{body}"
    );
}

#[tokio::test]
async fn the_button_images_are_served_in_four_variants_and_cached_long() {
    let app = spawn_compat().await;
    for name in [
        "bouton-bleu-clair",
        "bouton-bleu-sombre",
        "bouton-blanc-clair",
        "bouton-blanc-sombre",
    ] {
        let response = app.get(&format!("/static/{name}.svg")).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=2592000");
        let svg = response.text().await.unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(r#"width="200" height="85""#));
        assert!(svg.contains("Je donne mon avis"));
    }
    let head = app
        .client
        .head(format!("{}/static/bouton-bleu-clair.svg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[CONTENT_TYPE], "image/svg+xml; charset=utf-8");
    assert_eq!(
        app.get("/static/bouton-rouge-clair.svg").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn with_compatibility_off_the_incumbent_s_paths_are_ordinary_404s() {
    let app = spawn_app_with(Options::default()).await;
    product(&app, 3977, true, &[(4400, Some("button"), false, false)]).await;
    for path in [
        "/Demarches/3977?button=4400",
        "/Demarches/avis/1?button=4400",
        "/static/bouton-bleu-clair.svg",
        "/api/trpc/answer.getObservatoireStats?input=%7B%22json%22%3A%7B%22product_id%22%3A3977%7D%7D",
    ] {
        let response = app.get(path).await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let response = app
        .client
        .post(format!("{}/api/open-api/setTop250", app.address))
        .json(&json!({"product_ids": [3977]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
