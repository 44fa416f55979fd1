//! Reviews in the back-office: lists filtered and searched, a review's page, exclusion and
//! restoration by admins only, and the audit log of who read comments and contact addresses.

use avis::domain::answers::{Answers, Channel, Satisfaction};
use reqwest::StatusCode;

use super::{World, location, page_text};
use crate::helpers::{TestApp, spawn_app};

async fn events(app: &TestApp, action: &str) -> Vec<avis::store::audit::Event> {
    let all = app.store.list_events(None, "", None, 1_000).await.unwrap();
    all.into_iter().filter(|e| e.action == action).collect()
}

fn commented(satisfaction: Satisfaction, text: &str) -> Answers {
    Answers {
        satisfaction: Some(satisfaction),
        contact_tried: Some([Channel::Phone].into()),
        verbatim: Some(text.to_owned()),
        ..Answers::default()
    }
}

#[tokio::test]
async fn people_read_their_organisations_reviews_and_nobody_elses() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let review = app
        .review_at(
            &world.button,
            "2026-05-04T09:00:00Z",
            &commented(Satisfaction::Bad, "Trop long"),
        )
        .await;
    let pages = [
        format!("/admin/procedures/{}/reviews", world.procedure.id),
        format!("/admin/organisations/{}/reviews", world.organisation.id),
        format!("/admin/reviews/{review}"),
    ];
    for page in &pages {
        let signed_out = world.browser(&app, None).await.get(page).await;
        assert_eq!(signed_out.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(location(&signed_out).starts_with("/admin/login"), "{page}");
        let stranger = world.browser(&app, Some(&world.other_admin)).await;
        assert_eq!(
            stranger.get(page).await.status(),
            StatusCode::NOT_FOUND,
            "{page}"
        );
        for user in [&world.member, &world.admin, &world.superadmin] {
            let response = world.browser(&app, Some(user)).await.get(page).await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{page} by {}",
                user.email
            );
            assert!(page_text(response).await.contains("Trop long"), "{page}");
        }
    }
    for page in ["/admin/reviews/not-an-id", "/admin/procedures/x/reviews"] {
        let browser = world.browser(&app, Some(&world.admin)).await;
        assert_eq!(
            browser.get(page).await.status(),
            StatusCode::NOT_FOUND,
            "{page}"
        );
    }
    // Who read the comments, and where: in the audit log.
    let read = events(&app, "review.read").await;
    assert_eq!(read.len(), 3);
    assert!(
        read.iter()
            .all(|e| e.subject.as_deref() == Some(review.to_string().as_str()))
    );
    assert_eq!(events(&app, "reviews.read").await.len(), 6);
}

#[tokio::test]
async fn filters_and_search_narrow_the_list_and_a_bad_filter_is_said() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    app.review_at(
        &world.button,
        "2026-05-01T09:00:00Z",
        &commented(Satisfaction::Bad, "La DÉMARCHE est longue"),
    )
    .await;
    app.review_at(
        &world.button,
        "2026-05-02T09:00:00Z",
        &commented(Satisfaction::Good, "Parfait, merci"),
    )
    .await;
    let browser = world.browser(&app, Some(&world.member)).await;
    let list = format!("/admin/procedures/{}/reviews", world.procedure.id);
    let cases = [
        ("", vec!["DÉMARCHE", "Parfait"], vec![]),
        ("?q=demarche", vec!["DÉMARCHE"], vec!["Parfait"]),
        ("?satisfaction=good&q=", vec!["Parfait"], vec!["DÉMARCHE"]),
        (
            "?from=2026-05-02&to=2026-05-31",
            vec!["Parfait"],
            vec!["DÉMARCHE"],
        ),
        ("?q=%22%29+OR+1%3D1+--", vec![], vec!["DÉMARCHE", "Parfait"]),
    ];
    for (query, present, absent) in cases {
        let response = browser.get(&format!("{list}{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let page = page_text(response).await;
        for text in present {
            assert!(page.contains(text), "{query} lacks {text}");
        }
        for text in absent {
            assert!(!page.contains(text), "{query} shows {text}");
        }
    }
    let response = browser
        .get(&format!("{list}?satisfaction=great&from=2026-13-01"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_text(response).await;
    assert!(page.contains("role=\"alert\""));
    assert!(!page.contains("Parfait"));
    let other_procedures_button = uuid::Uuid::now_v7();
    let response = browser
        .get(&format!("{list}?button={other_procedures_button}"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_long_list_pages_on_without_repeating_a_review() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    for n in 0..55 {
        let at = format!("2026-05-01T09:{:02}:00Z", n);
        app.review_at(
            &world.button,
            &at,
            &commented(Satisfaction::Good, &format!("avis numéro {n}.")),
        )
        .await;
    }
    let browser = world.browser(&app, Some(&world.member)).await;
    let first = page_text(
        browser
            .get(&format!(
                "/admin/procedures/{}/reviews?q=avis",
                world.procedure.id
            ))
            .await,
    )
    .await;
    assert!(first.contains("avis numéro 54.") && first.contains("avis numéro 5."));
    assert!(!first.contains("avis numéro 4."));
    let older = first
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("after="))
        .expect("a link to older reviews")
        .replace("&amp;", "&");
    assert!(older.contains("q=avis"), "{older}");
    let second = page_text(browser.get(&older).await).await;
    for n in 0..5 {
        assert!(second.contains(&format!("avis numéro {n}.")), "{n}");
    }
    assert!(!second.contains("avis numéro 5."));
    assert!(!second.contains("after="), "no older page after the last");
}

#[tokio::test]
async fn admins_exclude_and_restore_with_a_reason_and_members_cannot() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let review = app
        .review_at(
            &world.button,
            "2026-05-04T09:00:00Z",
            &commented(Satisfaction::Bad, "Spam"),
        )
        .await;
    let exclude = format!("/admin/reviews/{review}/exclude");
    let excluded = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .find_review(review)
                .await
                .unwrap()
                .unwrap()
                .excluded_reason
        }
    };

    let signed_out = world.browser(&app, None).await;
    let response = signed_out.post(&exclude, &[("reason", "spam")]).await;
    assert!(location(&response).starts_with("/admin/login"));
    let member = world.browser(&app, Some(&world.member)).await;
    assert_eq!(
        member.post(&exclude, &[("reason", "spam")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let stranger = world.browser(&app, Some(&world.other_admin)).await;
    assert_eq!(
        stranger
            .post(&exclude, &[("reason", "spam")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let admin = world.browser(&app, Some(&world.admin)).await;
    let no_token = admin
        .post_exactly(&exclude, &[("reason", "spam")], Some(&admin.base))
        .await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let no_reason = admin.post(&exclude, &[("reason", "  ")]).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(excluded(&app).await, None, "nothing changed when refused");
    assert!(app.store.audit_of(review).await.unwrap().is_empty());

    let response = admin.post(&exclude, &[("reason", "Publicité")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/admin/reviews/{review}?done=excluded")
    );
    assert_eq!(excluded(&app).await.as_deref(), Some("Publicité"));
    let history = app.store.audit_of(review).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].user_id, Some(world.admin.id));
    assert_eq!(history[0].key_id, None);
    let page = page_text(admin.get(&format!("/admin/reviews/{review}")).await).await;
    assert!(page.contains(&world.admin.display_name) && page.contains("Publicité"));

    let restore = format!("/admin/reviews/{review}/restore");
    assert_eq!(
        member.post(&restore, &[("reason", "x")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = admin.post(&restore, &[("reason", "Erreur")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(excluded(&app).await, None);
    assert_eq!(app.store.audit_of(review).await.unwrap().len(), 2);
    assert_eq!(events(&app, "review.excluded").await.len(), 1);
    assert_eq!(events(&app, "review.restored").await.len(), 1);
}

#[tokio::test]
async fn only_admins_see_a_contact_address_and_each_look_is_recorded() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let review = app
        .review_at(
            &world.button,
            "2026-05-04T09:00:00Z",
            &commented(Satisfaction::Medium, "Rappelez-moi"),
        )
        .await;
    app.store
        .save_contact_email(review, "jeanne@example.fr", jiff::Timestamp::now(), 30)
        .await
        .unwrap();
    let page = format!("/admin/reviews/{review}");
    let member = world.browser(&app, Some(&world.member)).await;
    let seen = page_text(member.get(&page).await).await;
    assert!(!seen.contains("jeanne@example.fr"));
    assert!(
        !seen.contains("/contact\""),
        "no form to show it to a member"
    );
    let reveal = format!("/admin/reviews/{review}/contact");
    assert_eq!(
        member.post(&reveal, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(events(&app, "review.contact_read").await.is_empty());

    let admin = world.browser(&app, Some(&world.admin)).await;
    let seen = page_text(admin.get(&page).await).await;
    assert!(
        !seen.contains("jeanne@example.fr"),
        "not shown before asked"
    );
    let response = admin.post(&reveal, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page_text(response).await.contains("jeanne@example.fr"));
    let looks = events(&app, "review.contact_read").await;
    assert_eq!(looks.len(), 1);
    assert_eq!(looks[0].actor, world.admin.email);
}
