//! Who is signed in: the session cookie, the person behind it and what they may do.
//!
//! The cookie holds a random secret; the database holds its hash, so every node shares the
//! session and ending it anywhere ends it everywhere. Every page takes an [`Agent`] (or a
//! [`MaybeAgent`]); its `require_*` methods are the one place roles are checked.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use uuid::Uuid;

use crate::domain::people::Role;
use crate::domain::questionnaire::Lang;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::people::{Membership, User};
use crate::store::sessions::{Session, SessionLimits};

/// How the back-office runs.
#[derive(Debug, Clone)]
pub struct BackOffice {
    /// Served over HTTPS: cookies are `Secure` and `__Host-` prefixed.
    pub secure_cookies: bool,
    pub sessions: SessionLimits,
    /// How long an invitation link stays valid.
    pub invitation_ttl_seconds: i64,
    /// Sign-in with ProConnect, when an operator configured it.
    pub oidc: Option<std::sync::Arc<super::oidc::Oidc>>,
}

impl Default for BackOffice {
    fn default() -> BackOffice {
        BackOffice {
            secure_cookies: false,
            sessions: SessionLimits::default(),
            invitation_ttl_seconds: 7 * 86_400,
            oidc: None,
        }
    }
}

impl BackOffice {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-avis_session"
        } else {
            "avis_session"
        }
    }

    /// The cookie that carries a new session's secret; it lasts as long as the session may.
    pub fn session_cookie(&self, secret: String) -> Cookie<'static> {
        let mut cookie = Cookie::build(self.cookie_name(), secret)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::seconds(
                self.sessions.absolute_seconds,
            ))
            .finish();
        cookie.set_secure(self.secure_cookies);
        cookie
    }

    /// The cookie that remembers a ProConnect sign-in under way (`value`), or forgets it (`None`).
    /// `SameSite=Lax`: the provider sends the browser back with a top-level GET from its site.
    pub fn oidc_cookie(&self, value: Option<String>) -> Cookie<'static> {
        let name = if self.secure_cookies {
            "__Host-avis_oidc"
        } else {
            "avis_oidc"
        };
        let mut cookie = Cookie::build(name, value.clone().unwrap_or_default())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::seconds(
                super::oidc::pending_seconds(),
            ))
            .finish();
        if value.is_none() {
            cookie.make_removal();
        }
        cookie
    }

    /// The cookie that tells the browser to forget the session.
    pub fn removal_cookie(&self) -> Cookie<'static> {
        let mut cookie = self.session_cookie(String::new());
        cookie.make_removal();
        cookie
    }
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Agent {
    pub user: User,
    pub session: Session,
    pub memberships: Vec<Membership>,
    pub lang: Lang,
}

/// A signed-in person, or nobody (the sign-in page, the landing page).
pub struct MaybeAgent(pub Option<Agent>);

impl Agent {
    /// The person's role in an organisation; a superadmin is admin everywhere.
    pub fn role_in(&self, organisation: Uuid) -> Option<Role> {
        if self.user.is_superadmin {
            return Some(Role::Admin);
        }
        self.memberships
            .iter()
            .find(|m| m.organisation_id == organisation)
            .map(|m| m.role)
    }

    /// Reading an organisation's things: anyone of it; to anyone else they do not exist.
    pub fn require_member(&self, organisation: Uuid) -> Result<Role, PageError> {
        self.role_in(organisation)
            .ok_or(PageError::NotFound(self.lang))
    }

    /// Changing an organisation's things: its admins (and superadmins); its members are
    /// forbidden; anyone else finds nothing.
    pub fn require_admin(&self, organisation: Uuid) -> Result<(), PageError> {
        match self.require_member(organisation)? {
            Role::Admin => Ok(()),
            Role::Member => Err(PageError::Forbidden(self.lang)),
        }
    }

    /// The whole instance: superadmins only.
    pub fn require_superadmin(&self) -> Result<(), PageError> {
        if self.user.is_superadmin {
            Ok(())
        } else {
            Err(PageError::Forbidden(self.lang))
        }
    }

    /// The organisations whose things this person reads, or `None` for all of them.
    pub fn organisations(&self) -> Option<Vec<Uuid>> {
        (!self.user.is_superadmin)
            .then(|| self.memberships.iter().map(|m| m.organisation_id).collect())
    }
}

/// The language of a request from someone not signed in: `?lang=`, else `Accept-Language`.
pub fn request_lang(req: &HttpRequest) -> Lang {
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| {
            q.iter()
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|part| Lang::parse(part.split(';').next().unwrap_or_default().trim()))
        });
    query.or(accepted).unwrap_or_default()
}

pub(crate) fn state(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError::Internal(anyhow::anyhow!("application state missing")))
}

async fn signed_in(req: &HttpRequest) -> Result<Option<Agent>, PageError> {
    let state = state(req)?;
    let Some(cookie) = req.cookie(state.backoffice.cookie_name()) else {
        return Ok(None);
    };
    let limits = state.backoffice.sessions;
    let Some(session) = state.store.find_session(cookie.value(), limits).await? else {
        return Ok(None);
    };
    let Some(user) = state.store.find_user(session.user_id).await? else {
        return Ok(None);
    };
    let memberships = state.store.memberships(user.id).await?;
    let lang = Lang::parse(&user.lang).unwrap_or_default();
    Ok(Some(Agent {
        user,
        session,
        memberships,
        lang,
    }))
}

/// Where a signed-out person comes back to after signing in: this page, if it is a page.
fn next_of(req: &HttpRequest) -> String {
    let is_page = req.method() == actix_web::http::Method::GET;
    match (is_page, req.query_string()) {
        (false, _) => "/admin/".to_owned(),
        (true, "") => req.path().to_owned(),
        (true, query) => format!("{}?{query}", req.path()),
    }
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, PageError>>>>;

impl FromRequest for Agent {
    type Error = PageError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            signed_in(&req).await?.ok_or_else(|| PageError::SignIn {
                next: next_of(&req),
            })
        })
    }
}

impl FromRequest for MaybeAgent {
    type Error = PageError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeAgent(signed_in(&req).await?)) })
    }
}
