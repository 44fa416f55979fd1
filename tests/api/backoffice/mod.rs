//! The back-office over real HTTP: people with sessions, their forms, and what the database
//! holds before and after.

mod access;
mod dashboard;
mod lists;
mod proconnect;
mod reviews;
mod sessions;
mod sign_in;
mod snippets;

use avis::domain::catalog::{Name, Origin, Scope, Tag};
use avis::domain::people::{Email, Grant, Password, Role};
use avis::store::catalog::{Button, NewButton, NewProcedure, Organisation, Procedure};
use avis::store::people::User;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue, ORIGIN};
use reqwest::{Response, StatusCode, redirect};
use uuid::Uuid;

use crate::helpers::TestApp;

/// The password every test person has.
pub const PASSWORD: &str = "une phrase de passe assez longue";

/// Its hash, computed once: Argon2 takes a noticeable time per hash.
static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn hash() -> &'static str {
    HASH.get_or_init(|| async {
        avis::accounts::password::hash(Password::parse(PASSWORD).unwrap())
            .await
            .unwrap()
    })
    .await
}

/// A client that keeps its cookie by hand and never follows redirects, so every 303 is seen.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.address.clone(),
            client: crate::helpers::http_client()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
            csrf: String::new(),
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(cookie) = &self.cookie {
            headers.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        headers
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .headers(self.headers())
            .send()
            .await
            .unwrap()
    }

    /// Posts a form as our own pages do: same origin, with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &self.csrf));
        self.post_exactly(path, &form, Some(&self.base)).await
    }

    /// Posts exactly these fields, from `origin` if given.
    pub async fn post_exactly(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Response {
        let mut headers = self.headers();
        if let Some(origin) = origin {
            headers.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.client
            .post(format!("{}{path}", self.base))
            .headers(headers)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Keeps the session cookie a response sets, if it sets one.
    pub fn keep_cookie(&mut self, response: &Response) {
        if let Some(set) = response.headers().get("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
    }

    /// Signs in through the form, as a person does; returns the response.
    /// The form's token comes from a page read without the cookie: signed in, the sign-in page
    /// sends the person on.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let cookie = self.cookie.take();
        let page = self.get("/admin/login").await.text().await.unwrap();
        self.cookie = cookie;
        let token = hidden(&page, "csrf_token");
        let response = self
            .post_exactly(
                "/admin/login",
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf_token", &token),
                ],
                Some(&self.base.clone()),
            )
            .await;
        self.keep_cookie(&response);
        if response.status() == StatusCode::SEE_OTHER {
            let account = self.get("/admin/account").await.text().await.unwrap();
            self.csrf = hidden(&account, "csrf_token");
        }
        response
    }
}

/// The value of the first hidden field `name` of a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Where a 303 sends the browser.
pub fn location(response: &Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.url()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// An organisation with a procedure, a button, an admin, a member and a pending invitation;
/// another organisation with its own admin; a superadmin.
pub struct World {
    pub organisation: Organisation,
    pub procedure: Procedure,
    pub button: Button,
    pub admin: User,
    pub member: User,
    pub other_admin: User,
    pub superadmin: User,
    pub invitation: Uuid,
    pub key: Uuid,
    pub webhook: Uuid,
}

/// A person with an account and a password, given `grant`.
pub async fn person(app: &TestApp, email: &str, grant: Grant) -> User {
    let (_, token) = app
        .store
        .create_invitation(
            Some(&Email::parse(email).unwrap()),
            grant,
            None,
            3_600,
            None,
        )
        .await
        .unwrap();
    app.store
        .accept_invitation(
            &token,
            &Email::parse(email).unwrap(),
            email,
            Some(hash().await),
        )
        .await
        .unwrap()
}

impl World {
    pub async fn new(app: &TestApp) -> World {
        let organisation = app
            .store
            .create_organisation(&Name::parse("Caisse d'allocations familiales").unwrap())
            .await
            .unwrap();
        let other = app
            .store
            .create_organisation(&Name::parse("Direction des impôts").unwrap())
            .await
            .unwrap();
        let procedure = app
            .store
            .create_procedure(&NewProcedure {
                organisation_id: organisation.id,
                title: Name::parse("Prime d'activité").unwrap(),
                external_id: Some(Tag::parse("1617").unwrap()),
                is_essential: true,
                is_public: false,
                yearly_volume: None,
            })
            .await
            .unwrap();
        let button = app
            .store
            .create_button(&NewButton {
                procedure_id: procedure.id,
                label: Name::parse("Fin de démarche").unwrap(),
                source: Tag::parse("web").unwrap(),
                allowed_origins: vec![Origin::parse("https://www.caf.fr").unwrap()],
                is_test: false,
            })
            .await
            .unwrap();
        let org = |role| Grant::Organisation(organisation.id, role);
        let admin = person(app, "admin@caf.fr", org(Role::Admin)).await;
        let member = person(app, "member@caf.fr", org(Role::Member)).await;
        let other_admin = person(
            app,
            "admin@impots.fr",
            Grant::Organisation(other.id, Role::Admin),
        )
        .await;
        let superadmin = person(app, "root@numerique.gouv.fr", Grant::Superadmin).await;
        let (invitation, _) = app
            .store
            .create_invitation(
                Some(&Email::parse("new@caf.fr").unwrap()),
                org(Role::Member),
                Some(admin.id),
                3_600,
                None,
            )
            .await
            .unwrap();
        let key = app
            .store
            .create_api_key(Scope::IndicatorsRead, Some(organisation.id))
            .await
            .unwrap()
            .key
            .id;
        let (webhook, _) = app
            .store
            .create_webhook(
                organisation.id,
                None,
                "https://192.0.2.10/avis",
                &[avis::domain::webhooks::Event::ReviewCreated],
            )
            .await
            .unwrap();
        World {
            organisation,
            procedure,
            button,
            admin,
            member,
            other_admin,
            superadmin,
            invitation: invitation.id,
            key,
            webhook: webhook.id,
        }
    }

    /// A browser signed in as `user`, its session opened straight in the store.
    pub async fn browser(&self, app: &TestApp, user: Option<&User>) -> Browser {
        let mut browser = Browser::new(app);
        if let Some(user) = user {
            let opened = app
                .store
                .open_session(user.id, "test", Default::default(), None)
                .await
                .unwrap();
            browser.cookie = Some(format!("avis_session={}", opened.secret));
            browser.csrf = opened.session.csrf_token;
        }
        browser
    }
}

/// Everything a back-office form can change, as text, to compare before and after.
pub async fn snapshot(app: &TestApp) -> String {
    let store = &app.store;
    let mut text = String::new();
    for o in store.list_organisations().await.unwrap() {
        text += &format!("org {} {}\n", o.id, o.name);
        for (user, role) in store.members(o.id).await.unwrap() {
            text += &format!("member {} {:?}\n", user.email, role);
        }
        for i in store.pending_invitations(o.id).await.unwrap() {
            text += &format!("invitation {} {:?}\n", i.id, i.email);
        }
    }
    for p in store.list_procedures(None).await.unwrap() {
        text += &format!("{p:?}\n");
    }
    for b in store.list_buttons(None).await.unwrap() {
        text += &format!("{b:?}\n");
    }
    for k in store.list_api_keys().await.unwrap() {
        text += &format!("key {} {:?}\n", k.id, k.revoked_at);
    }
    for h in store.list_webhooks(None).await.unwrap() {
        text += &format!("webhook {} {} {} {:?}\n", h.id, h.url, h.enabled, h.events);
    }
    for u in store.list_users("", 0, 1_000).await.unwrap().0 {
        text += &format!("user {} {} {:?}\n", u.email, u.is_superadmin, u.disabled_at);
    }
    let events = store.list_events(None, "", None, 10_000).await.unwrap();
    text += &format!("{} audit events\n", events.len());
    text
}

/// Whether the response is a back-office page (HTML), not a problem document.
pub async fn page_text(response: Response) -> String {
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    response.text().await.unwrap()
}
