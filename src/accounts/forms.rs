//! The one way a back-office form reaches a handler: its fields, once the request is known to
//! come from our own pages.
//!
//! A signed-in person's form ([`Submitted`]) carries the session's CSRF token in `csrf_token`;
//! a signed-out form ([`PublicForm`]: sign-in, invitations, resets) carries a signed, expiring
//! token instead. Both refuse a cross-site `Origin` or `Sec-Fetch-Site`. A refused form is a 403
//! and its handler never runs, so nothing changes.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::session::{Agent, request_lang, state};
use crate::domain::questionnaire::Lang;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;

/// The largest form the back-office takes.
const FORM_LIMIT: usize = 64 * 1024;

/// How long a signed-out form stays valid.
const PUBLIC_FORM_SECONDS: i64 = 2 * 3_600;

const PUBLIC_FORM_SUBJECT: &str = "backoffice-form";

/// A form's fields, in order; a name may repeat.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The value of `name` exactly as sent (passwords).
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == "true")
    }

    fn parse(body: &[u8]) -> Fields {
        Fields(url::form_urlencoded::parse(body).into_owned().collect())
    }
}

/// A signed-in person's form, its CSRF token checked.
pub struct Submitted {
    pub agent: Agent,
    pub fields: Fields,
}

/// A signed-out form, its signed token checked.
pub struct PublicForm {
    pub lang: Lang,
    pub fields: Fields,
}

/// The token a signed-out form carries.
pub fn public_form_token(state: &AppState) -> String {
    let expires = Timestamp::now().as_second() + PUBLIC_FORM_SECONDS;
    state.signing_key.sign(PUBLIC_FORM_SUBJECT, expires)
}

/// Whether the browser says the request comes from another site. Requests without these
/// headers (scripts, old browsers) are judged by their token alone.
fn cross_site(req: &HttpRequest, state: &AppState) -> bool {
    let value = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return true;
    }
    let Some(origin) = value(header::ORIGIN.as_str()) else {
        return false;
    };
    let host = req.connection_info().host().to_owned();
    let ours = |origin: &str| {
        url::Url::parse(origin).is_ok_and(|url| {
            let authority = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            };
            authority == host
        })
    };
    let public = state
        .public_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization());
    !(ours(origin) || public.as_deref() == Some(origin))
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

async fn body(req: &HttpRequest, payload: &mut Payload) -> Result<Fields, PageError> {
    let lang = request_lang(req);
    let bytes = web::Bytes::from_request(req, payload)
        .await
        .map_err(|_| PageError::Forbidden(lang))?;
    if bytes.len() > FORM_LIMIT {
        return Err(PageError::Forbidden(lang));
    }
    Ok(Fields::parse(&bytes))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, PageError>>>>;

impl FromRequest for Submitted {
    type Error = PageError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let agent = Agent::extract(&req).await?;
            let state = state(&req)?;
            let fields = body(&req, &mut payload).await?;
            let token = fields.raw("csrf_token");
            if cross_site(&req, &state)
                || token.is_empty()
                || !same_secret(token, &agent.session.csrf_token)
            {
                return Err(PageError::Forbidden(agent.lang));
            }
            Ok(Submitted { agent, fields })
        })
    }
}

impl FromRequest for PublicForm {
    type Error = PageError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let state = state(&req)?;
            let fields = body(&req, &mut payload).await?;
            let lang = Lang::parse(fields.text("lang")).unwrap_or_else(|| request_lang(&req));
            let fresh = state.signing_key.verify(
                fields.raw("csrf_token"),
                PUBLIC_FORM_SUBJECT,
                Timestamp::now().as_second(),
            );
            if cross_site(&req, &state) || !fresh {
                return Err(PageError::Forbidden(lang));
            }
            Ok(PublicForm { lang, fields })
        })
    }
}
