//! Signing in and out, invitation links (the first account's, and to an organisation) and
//! password reset links.

use avis::domain::people::{Email, Grant, Role};
use reqwest::StatusCode;

use super::{Browser, PASSWORD, World, hidden, location, page_text, person};
use crate::helpers::{TestApp, spawn_app};

/// Accepts an invitation through its page, as a person does.
async fn accept(
    app: &TestApp,
    link: &str,
    fields: &[(&str, &str)],
) -> (Browser, reqwest::Response) {
    let mut browser = Browser::new(app);
    let page = page_text(browser.get(link).await).await;
    let token = hidden(&page, "csrf_token");
    let mut form = fields.to_vec();
    form.push(("csrf_token", &token));
    let base = browser.base.clone();
    let response = browser.post_exactly(link, &form, Some(&base)).await;
    browser.keep_cookie(&response);
    (browser, response)
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    let wrong = browser
        .sign_in(&world.admin.email, "not the password at all")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    let wrong = page_text(wrong).await;
    let unknown = browser
        .sign_in("nobody@caf.fr", "not the password at all")
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = page_text(unknown).await;
    let message = "Adresse e-mail ou mot de passe incorrect.";
    assert!(wrong.contains(message) && unknown.contains(message));
    // The pages differ only by the address typed and the form's token.
    let strip = |page: &str, email: &str| {
        page.replace(email, "EMAIL")
            .replace(&hidden(page, "csrf_token"), "TOKEN")
    };
    assert_eq!(
        strip(&wrong, &world.admin.email),
        strip(&unknown, "nobody@caf.fr")
    );
    let failures = app.store.list_events(None, "", None, 10).await.unwrap();
    assert_eq!(
        failures
            .iter()
            .filter(|e| e.action == "sign_in_failed")
            .count(),
        2
    );
}

#[tokio::test]
async fn signing_in_gives_a_new_session_whatever_the_browser_had_before() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    // Fixation: an id an attacker planted before sign-in is not the session's after it.
    let mut planted = Browser::new(&app);
    planted.cookie = Some("avis_session=chosen-by-an-attacker".into());
    planted.sign_in(&world.admin.email, PASSWORD).await;
    assert_ne!(
        planted.cookie.as_deref(),
        Some("avis_session=chosen-by-an-attacker")
    );
    // A session the browser had before signing in again is ended, not reused.
    let mut browser = world.browser(&app, Some(&world.member)).await;
    let before = browser.cookie.clone().unwrap();
    let response = browser.sign_in(&world.admin.email, PASSWORD).await;
    assert_eq!(location(&response), "/admin/");
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set.starts_with("avis_session="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let after = browser.cookie.clone().unwrap();
    assert_ne!(before, after);
    // The session the browser had is over; the new one works.
    let mut old = Browser::new(&app);
    old.cookie = Some(before);
    assert!(location(&old.get("/admin/").await).starts_with("/admin/login"));
    let home = page_text(browser.get("/admin/").await).await;
    assert!(home.contains("Prime d&#39;activité") || home.contains("Prime d'activité"));
    // Only paths of the back-office are followed after signing in.
    let mut browser = Browser::new(&app);
    let page = page_text(browser.get("/admin/login?next=//attacker.example/").await).await;
    assert!(page.contains(r#"name="next" value="/admin/""#));
    let response = browser.sign_in(&world.admin.email, PASSWORD).await;
    assert_eq!(location(&response), "/admin/");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&world.member.email, PASSWORD).await;
    let cookie = browser.cookie.clone().unwrap();
    let response = browser.post("/admin/logout", &[]).await;
    assert_eq!(location(&response), "/admin/login");
    let set = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("Max-Age=0") || set.contains("expires"),
        "{set}"
    );
    // Replaying the old cookie does not bring the session back.
    browser.cookie = Some(cookie);
    assert!(location(&browser.get("/admin/").await).starts_with("/admin/login"));
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_with_a_clear_page() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let mut browser = Browser::new(&app);
    for _ in 0..10 {
        let response = browser
            .sign_in(&world.admin.email, "guessing the password")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, and the person is told why.
    let response = browser.sign_in(&world.admin.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let page = page_text(response).await;
    assert!(page.contains("Trop de tentatives"), "{page}");
    assert!(browser.cookie.is_none());
    // Another account is not held up by it.
    let response = browser.sign_in(&world.member.email, PASSWORD).await;
    assert_eq!(location(&response), "/admin/");
}

#[tokio::test]
async fn the_first_account_link_makes_a_superadmin_once() {
    let app = spawn_app().await;
    let (_, token) = app
        .store
        .create_invitation(None, Grant::Superadmin, None, 3_600, None)
        .await
        .unwrap();
    let link = format!("/admin/invitations/{token}");
    // Errors are shown on the form, and nothing is created.
    let (_, response) = accept(
        &app,
        &link,
        &[
            ("email", "not an address"),
            ("name", ""),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_text(response).await;
    for message in [
        "Saisissez une adresse e-mail valide",
        "Ce champ est obligatoire.",
        "12 caractères au moins",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert_eq!(app.store.count_users().await.unwrap(), 0);
    let fields = [
        ("email", "Root@Numerique.gouv.fr"),
        ("name", "Camille"),
        ("password", PASSWORD),
    ];
    let (browser, response) = accept(&app, &link, &fields).await;
    assert_eq!(location(&response), "/admin/");
    let home = page_text(browser.get("/admin/organisations").await).await;
    assert!(home.contains("Nouvelle organisation"));
    let (user, _) = app
        .store
        .find_user_by_email(&Email::parse("root@numerique.gouv.fr").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(user.is_superadmin);
    // Single use.
    let again = Browser::new(&app).get(&link).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(
        page_text(again)
            .await
            .contains("Ce lien n'est plus valable")
    );
}

#[tokio::test]
async fn an_invitation_to_an_organisation_gives_its_role_and_an_existing_account_confirms_with_its_password()
 {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let admin = world.browser(&app, Some(&world.admin)).await;
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let response = admin
        .post(
            &format!("{org}/members/invite"),
            &[("email", "agent@caf.fr"), ("role", "admin")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = page_text(response).await;
    let start = page.find("/admin/invitations/").unwrap();
    let link = page[start..].split('<').next().unwrap().to_owned();
    let fields = [("name", "Dominique"), ("password", PASSWORD)];
    let (browser, response) = accept(&app, &link, &fields).await;
    assert_eq!(location(&response), "/admin/");
    let members = page_text(browser.get(&format!("{org}/keys")).await).await;
    assert!(
        members.contains("Nouvelle clé"),
        "an admin reads the keys page"
    );
    // Someone with an account already, invited to another organisation, types their password.
    let other = app.store.list_organisations().await.unwrap();
    let other = other
        .iter()
        .find(|o| o.id != world.organisation.id)
        .unwrap();
    let (_, token) = app
        .store
        .create_invitation(
            Some(&Email::parse(&world.member.email).unwrap()),
            Grant::Organisation(other.id, Role::Member),
            None,
            3_600,
            None,
        )
        .await
        .unwrap();
    let link = format!("/admin/invitations/{token}");
    let page = page_text(Browser::new(&app).get(&link).await).await;
    assert!(page.contains("Vous avez déjà un compte"));
    let (_, wrong) = accept(&app, &link, &[("password", "not my password at all")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, right) = accept(&app, &link, &[("password", PASSWORD)]).await;
    assert_eq!(location(&right), "/admin/");
    let roles = app.store.memberships(world.member.id).await.unwrap();
    assert_eq!(roles.len(), 2);
}

#[tokio::test]
async fn a_password_reset_link_sets_a_new_password_and_ends_every_session() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.browser(&app, Some(&world.member)).await;
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let response = root
        .post(&format!("/admin/users/{}/reset", world.member.id), &[])
        .await;
    let page = page_text(response).await;
    let start = page.find("/admin/reset/").unwrap();
    let link = page[start..].split('<').next().unwrap().to_owned();
    let mut browser = Browser::new(&app);
    let form = page_text(browser.get(&link).await).await;
    let token = hidden(&form, "csrf_token");
    let base = browser.base.clone();
    let new_password = "une toute nouvelle phrase de passe";
    let response = browser
        .post_exactly(
            &link,
            &[("password", new_password), ("csrf_token", &token)],
            Some(&base),
        )
        .await;
    assert_eq!(location(&response), "/admin/login?done=password");
    assert!(location(&member.get("/admin/").await).starts_with("/admin/login"));
    assert_eq!(
        browser
            .sign_in(&world.member.email, PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(&browser.sign_in(&world.member.email, new_password).await),
        "/admin/"
    );
    assert_eq!(
        Browser::new(&app).get(&link).await.status(),
        StatusCode::GONE
    );
}

#[tokio::test]
async fn people_created_by_invitation_sign_in_with_their_password() {
    let app = spawn_app().await;
    let organisation = app
        .store
        .create_organisation(&avis::domain::catalog::Name::parse("Préfecture").unwrap())
        .await
        .unwrap();
    let user = person(
        &app,
        "agent@prefecture.fr",
        Grant::Organisation(organisation.id, Role::Member),
    )
    .await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        location(&browser.sign_in(" Agent@Prefecture.FR ", PASSWORD).await),
        "/admin/"
    );
    let account = page_text(browser.get("/admin/account").await).await;
    assert!(account.contains(&user.email));
}
