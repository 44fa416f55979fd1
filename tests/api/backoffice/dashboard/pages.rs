//! Who may read which dashboard; a query that cannot be read is a 400 page saying why, never a
//! 500; a public procedure's page shows its figures and no comment.

use super::super::{World, location};
use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn dashboards_answer_each_person_as_their_role_allows() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let ok = StatusCode::OK;
    let missing = StatusCode::NOT_FOUND;
    // (path, member, admin of another organisation, admin, superadmin)
    let pages = [
        (format!("{procedure}?window=3m"), ok, missing, ok, ok),
        (
            format!("{procedure}/charts/satisfaction.csv"),
            ok,
            missing,
            ok,
            ok,
        ),
        (
            format!("{procedure}/charts/buttons.csv?window=3m"),
            ok,
            missing,
            ok,
            ok,
        ),
        (
            format!("{procedure}/charts/nothing.csv"),
            missing,
            missing,
            missing,
            missing,
        ),
        (format!("{org}?sort=n"), ok, missing, ok, ok),
        (format!("{org}/indicators.csv"), ok, missing, ok, ok),
        (
            format!(
                "/admin/procedures/{}/charts/satisfaction.csv",
                Uuid::now_v7()
            ),
            missing,
            missing,
            missing,
            missing,
        ),
    ];
    let signed_out = world.browser(&app, None).await;
    let people = [
        &world.member,
        &world.other_admin,
        &world.admin,
        &world.superadmin,
    ];
    for (path, member, other, admin, superadmin) in pages {
        let response = signed_out.get(&path).await;
        assert!(
            location(&response).starts_with("/admin/login?next="),
            "{path}"
        );
        for (user, expected) in people.iter().zip([member, other, admin, superadmin]) {
            let browser = world.browser(&app, Some(user)).await;
            let response = browser.get(&path).await;
            assert_eq!(response.status(), expected, "{path} for {}", user.email);
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn a_query_that_cannot_be_read_is_a_page_that_says_why() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let (other, other_buttons) =
        procedure_with_buttons(&app, world.organisation.id, "Autre démarche").await;
    let test_button = other_buttons.iter().find(|b| b.is_test).unwrap().id;
    let member = world.browser(&app, Some(&world.member)).await;
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let window = "Cette période n'est pas valable";
    let cases = [
        (format!("{procedure}?window=5x"), window),
        (format!("{procedure}?window=0m"), window),
        (format!("{procedure}?from=2026-02-30&to=2026-03-01"), window),
        (format!("{procedure}?from=2026-03-01&to=2026-02-01"), window),
        (format!("{procedure}?from=2026-03-01"), window),
        (format!("{procedure}?window=custom"), window),
        (format!("{procedure}?from=1990-01-01&to=2026-01-01"), window),
        (format!("{procedure}?at=hier"), window),
        (
            format!("{procedure}?button=nope"),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("{procedure}?button={}", other_buttons[0].id),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("/admin/procedures/{}?button={test_button}", other.id),
            "Ce bouton n'est pas un des boutons",
        ),
        (
            format!("{procedure}?interval=year"),
            "Ce regroupement n'est pas valable",
        ),
        (
            format!("{procedure}?interval=day&from=2016-01-01&to=2025-12-31"),
            "Trop de périodes",
        ),
        (
            format!("{procedure}/charts/satisfaction.csv?window=5x"),
            window,
        ),
        (format!("{org}?sort=verbatim"), "Ce tri n'est pas valable"),
        (format!("{org}?sort=n&dir=up"), "Ce tri n'est pas valable"),
        (format!("{org}?from=2026-13-01&to=2026-12-31"), window),
        (
            format!("{org}/indicators.csv?sort=nothing"),
            "Ce tri n'est pas valable",
        ),
    ];
    for (path, message) in cases {
        let response = member.get(&path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let page = page_text(response).await.replace("&#39;", "'");
        assert!(page.contains(message), "{path}: {page}");
        assert!(page.contains(r#"role="alert""#), "{path}");
    }
    // The form keeps what was asked, to be put right.
    let page = page_text(
        member
            .get(&format!(
                "{procedure}?window=custom&from=2026-03-01&to=2026-02-01"
            ))
            .await,
    )
    .await;
    assert!(
        page.contains(r#"value="2026-03-01""#)
            && page.contains(r#"<option value="custom" selected>"#)
    );
    let root = world.browser(&app, Some(&world.superadmin)).await;
    assert_eq!(
        root.get("/admin/observatory?window=99m").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        root.get("/admin/observatory.csv?dir=sideways")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_public_procedure_has_a_public_dashboard_without_comments() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let comment = "Mon dossier 12 est bloqué depuis des mois";
    let yesterday = Timestamp::now()
        .checked_sub(24.hours())
        .unwrap()
        .to_string();
    let mut review = rated(Satisfaction::Medium);
    review.verbatim = Some(comment.to_owned());
    app.review_at(&world.button, &yesterday, &review).await;
    let public = format!("/p/{}", world.procedure.id);
    let anyone = Browser::new(&app);
    for path in [
        public.clone(),
        format!("{public}/charts/questions.csv"),
        format!("/p/{}", Uuid::now_v7()),
        "/p/not-an-id".to_owned(),
    ] {
        let response = anyone.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        page_text(response).await;
    }
    let mut procedure = world.procedure.clone();
    procedure.is_public = true;
    app.store.save_procedure(&procedure).await.unwrap();

    let response = anyone.get(&format!("{public}?window=3m")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("style-src 'self'") && !policy.contains("unsafe"),
        "{policy}"
    );
    let page = page_text(response).await;
    assert!(
        !page.contains(comment) && !page.contains("bloqué"),
        "no comment"
    );
    assert!(
        !page.contains("Menu principal")
            && !page.contains("Se déconnecter")
            && !page.contains("csrf_token")
    );
    assert!(
        !page.contains("/admin/procedures/"),
        "no link into the back-office"
    );
    assert!(
        !page.contains(" style="),
        "no inline style under the policy"
    );
    let satisfaction = tile(&page, "satisfaction");
    assert_eq!((satisfaction.value, satisfaction.n), (Some(5.0), 1));
    assert!(page.contains(r#"role="img""#) && page.contains("<table id=\"data-satisfaction\">"));
    assert!(page.contains(&format!(
        r#"href="{public}/charts/satisfaction.csv?window=3m""#
    )));
    let records = csv(&anyone, &format!("{public}/charts/questions.csv?window=3m")).await;
    let medium = records
        .iter()
        .find(|r| r["question"] == "satisfaction" && r["value"] == "medium")
        .unwrap();
    assert_eq!(medium["count"], "1");
    assert!(records.iter().all(|r| r["question"] != "verbatim"));
    // In English when asked.
    let english = page_text(anyone.get(&format!("{public}?lang=en&window=3m")).await).await;
    assert!(english.contains("Satisfaction over time"));
    assert!(
        english.contains(r#"<input type="hidden" name="lang" value="en">"#),
        "the form keeps the language"
    );
    assert!(english.contains(&format!(
        r#"href="{public}/charts/questions.csv?window=3m&amp;lang=en""#
    )));
    // Its dashboard in the back-office links to it.
    let member = world.browser(&app, Some(&world.member)).await;
    let page = page_text(
        member
            .get(&format!("/admin/procedures/{}", world.procedure.id))
            .await,
    )
    .await;
    assert!(page.contains(&format!(r#"<a href="{public}">"#)));
}
