//! Every back-office page and form action against every kind of person: signed out, a member,
//! the admin of another organisation, the organisation's admin, a superadmin. Refused actions
//! change nothing; so does a form without its CSRF token or from another site.

use reqwest::StatusCode;

use super::{Browser, World, location, snapshot};
use crate::helpers::{TestApp, spawn_app};

/// Who may do a thing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum May {
    /// The organisation's people, whatever their role (and superadmins).
    Member,
    /// The organisation's admins (and superadmins).
    Admin,
    /// Superadmins only.
    Superadmin,
}

struct Action {
    path: String,
    fields: Vec<(&'static str, String)>,
    may: May,
    /// The answer of an allowed person: 303 after most forms, 200 when the page shows a secret.
    success: StatusCode,
}

fn actions(world: &World) -> Vec<Action> {
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let button = format!("/admin/buttons/{}", world.button.id);
    let act = |path: String, fields: &[(&'static str, &str)], may, success| Action {
        path,
        fields: fields.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        may,
        success,
    };
    let see = StatusCode::SEE_OTHER;
    let ok = StatusCode::OK;
    vec![
        act(
            format!("{org}/procedures"),
            &[("title", "Allocation logement")],
            May::Admin,
            see,
        ),
        act(
            format!("{procedure}/settings"),
            &[("title", "Prime d'activité 2027"), ("external_id", "1617")],
            May::Admin,
            see,
        ),
        act(
            format!("{procedure}/buttons"),
            &[("label", "Courriel"), ("source", "email")],
            May::Admin,
            see,
        ),
        act(
            button.clone(),
            &[
                ("label", "Pied de page"),
                ("source", "footer"),
                ("origins", "https://www.caf.fr"),
            ],
            May::Admin,
            see,
        ),
        act(format!("{button}/close"), &[], May::Admin, see),
        act(
            format!("{procedure}/alerts"),
            &[("new_reviews", "true"), ("every", "15"), ("below", "6,5")],
            May::Member,
            see,
        ),
        act(
            format!("{org}/members/invite"),
            &[("email", "agent@caf.fr"), ("role", "member")],
            May::Admin,
            ok,
        ),
        act(
            format!("{org}/members/{}/role", world.member.id),
            &[("role", "admin")],
            May::Admin,
            see,
        ),
        act(
            format!("{org}/members/{}/remove", world.member.id),
            &[],
            May::Admin,
            see,
        ),
        act(
            format!("{org}/invitations/{}/revoke", world.invitation),
            &[],
            May::Admin,
            see,
        ),
        act(format!("{org}/keys"), &[("scope", "admin")], May::Admin, ok),
        act(
            format!("{org}/keys/{}/revoke", world.key),
            &[],
            May::Admin,
            see,
        ),
        act(
            format!("{org}/webhooks"),
            &[
                ("url", "https://8.8.4.4/tickets"),
                ("review.created", "true"),
            ],
            May::Admin,
            ok,
        ),
        act(
            format!("{org}/webhooks/{}/disable", world.webhook),
            &[],
            May::Admin,
            see,
        ),
        act(
            format!("{org}/webhooks/{}/delete", world.webhook),
            &[],
            May::Admin,
            see,
        ),
        act(
            "/admin/organisations".into(),
            &[("name", "Ministère de l'Intérieur")],
            May::Superadmin,
            see,
        ),
        act(
            format!("{org}/name"),
            &[("name", "CAF")],
            May::Superadmin,
            see,
        ),
        act(
            format!("/admin/users/{}/disable", world.member.id),
            &[],
            May::Superadmin,
            see,
        ),
        act(
            format!("/admin/users/{}/reset", world.member.id),
            &[],
            May::Superadmin,
            ok,
        ),
    ]
}

async fn post(browser: &Browser, action: &Action) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = action
        .fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    browser.post(&action.path, &fields).await
}

/// Refused for everyone below `may`, with the right answer, and nothing changed.
async fn refused_below(app: &TestApp, world: &World, action: &Action) {
    let before = snapshot(app).await;
    let signed_out = world.browser(app, None).await;
    let response = post(&signed_out, action).await;
    assert!(
        location(&response).starts_with("/admin/login"),
        "{}",
        action.path
    );
    // (person, answer for members' actions, for admins' actions, for superadmins' actions)
    let people = [
        (
            &world.member,
            StatusCode::OK,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            &world.other_admin,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::FORBIDDEN,
        ),
        (
            &world.admin,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::FORBIDDEN,
        ),
    ];
    for (user, for_member_actions, for_admin_actions, for_superadmin_actions) in people {
        let expected = match action.may {
            May::Member => for_member_actions,
            May::Admin => for_admin_actions,
            May::Superadmin => for_superadmin_actions,
        };
        if expected == StatusCode::OK {
            continue;
        }
        let browser = world.browser(app, Some(user)).await;
        let response = post(&browser, action).await;
        assert_eq!(
            response.status(),
            expected,
            "{} by {}",
            action.path,
            user.email
        );
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/html"), "{kind}");
    }
    // A form without its token, with a wrong one, or from another site, by someone allowed.
    let allowed = world.browser(app, Some(&world.superadmin)).await;
    let fields: Vec<(&str, &str)> = action
        .fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let response = allowed
        .post_exactly(&action.path, &fields, Some(&allowed.base))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "{} without a token",
        action.path
    );
    let mut wrong = fields.clone();
    wrong.push(("csrf_token", "not the session's token"));
    let response = allowed
        .post_exactly(&action.path, &wrong, Some(&allowed.base))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "{} with a wrong token",
        action.path
    );
    let mut right = fields.clone();
    right.push(("csrf_token", &allowed.csrf));
    let response = allowed
        .post_exactly(&action.path, &right, Some("https://attacker.example"))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "{} from another site",
        action.path
    );
    assert_eq!(
        snapshot(app).await,
        before,
        "{} changed something when refused",
        action.path
    );
}

async fn succeeds(app: &TestApp, world: &World, action: &Action, by: &avis::store::people::User) {
    let before = snapshot(app).await;
    let browser = world.browser(app, Some(by)).await;
    let response = post(&browser, action).await;
    assert_eq!(
        response.status(),
        action.success,
        "{} by {}",
        action.path,
        by.email
    );
    assert_ne!(
        snapshot(app).await,
        before,
        "{} by {} changed nothing",
        action.path,
        by.email
    );
}

#[tokio::test]
async fn every_form_action_is_refused_below_its_role_and_done_for_those_allowed() {
    let probe = spawn_app().await;
    let count = actions(&World::new(&probe).await).len();
    probe.store.close().await;
    for i in 0..count {
        // A fresh world for each action: each success changes it.
        let app = spawn_app().await;
        let world = World::new(&app).await;
        let action = &actions(&world)[i];
        refused_below(&app, &world, action).await;
        if action.may == May::Member {
            succeeds(&app, &world, action, &world.member).await;
        }
        if action.may == May::Admin {
            succeeds(&app, &world, action, &world.admin).await;
        }
        // Each application's connections go with it: sixty of them kept open filled the
        // PostgreSQL server's slots.
        app.store.close().await;
        let app = spawn_app().await;
        let world = World::new(&app).await;
        succeeds(&app, &world, &actions(&world)[i], &world.superadmin).await;
        app.store.close().await;
    }
}

#[tokio::test]
async fn every_page_answers_each_person_as_their_role_allows() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let procedure = format!("/admin/procedures/{}", world.procedure.id);
    let ok = StatusCode::OK;
    let forbidden = StatusCode::FORBIDDEN;
    let missing = StatusCode::NOT_FOUND;
    // (path, member, admin of another organisation, admin, superadmin)
    let pages = [
        ("/admin/".to_owned(), ok, ok, ok, ok),
        ("/admin/account".to_owned(), ok, ok, ok, ok),
        (org.clone(), ok, missing, ok, ok),
        (format!("{org}/members"), ok, missing, ok, ok),
        (format!("{org}/keys"), forbidden, missing, ok, ok),
        (format!("{org}/webhooks"), forbidden, missing, ok, ok),
        (
            format!("{org}/webhooks/{}", world.webhook),
            forbidden,
            missing,
            ok,
            ok,
        ),
        (format!("{org}/audit"), forbidden, missing, ok, ok),
        (procedure.clone(), ok, missing, ok, ok),
        (format!("{procedure}/settings"), forbidden, missing, ok, ok),
        (format!("{procedure}/alerts"), ok, missing, ok, ok),
        (
            format!("/admin/buttons/{}", world.button.id),
            ok,
            missing,
            ok,
            ok,
        ),
        (
            "/admin/organisations".to_owned(),
            forbidden,
            forbidden,
            forbidden,
            ok,
        ),
        (
            "/admin/users".to_owned(),
            forbidden,
            forbidden,
            forbidden,
            ok,
        ),
        (
            "/admin/settings".to_owned(),
            forbidden,
            forbidden,
            forbidden,
            ok,
        ),
        (
            "/admin/audit".to_owned(),
            forbidden,
            forbidden,
            forbidden,
            ok,
        ),
        (
            format!("/admin/procedures/{}", uuid::Uuid::now_v7()),
            missing,
            missing,
            missing,
            missing,
        ),
        (
            "/admin/buttons/not-an-id".to_owned(),
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
        let next = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &path)
            .finish();
        assert_eq!(
            location(&response),
            format!("/admin/login?{next}"),
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
async fn an_organisation_keeps_its_last_admin() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let admin = world.browser(&app, Some(&world.admin)).await;
    let org = format!("/admin/organisations/{}", world.organisation.id);
    for (path, fields) in [
        (
            format!("{org}/members/{}/role", world.admin.id),
            vec![("role", "member")],
        ),
        (format!("{org}/members/{}/remove", world.admin.id), vec![]),
    ] {
        let before = snapshot(&app).await;
        let response = admin.post(&path, &fields).await;
        assert_eq!(
            location(&response),
            format!("{org}/members?done=last-admin")
        );
        assert_eq!(snapshot(&app).await, before);
    }
}
