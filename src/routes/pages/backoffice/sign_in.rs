//! Signing in and out. A wrong address and a wrong password get the same answer in the same time;
//! failed attempts are limited per client address and per account, on every node at once.

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use jiff::{Timestamp, ToSpan};
use maud::{Markup, html};

use super::{record, record_by};
use crate::accounts::forms::public_form_token;
use crate::accounts::session::request_lang;
use crate::accounts::{Agent, MaybeAgent, PublicForm, Submitted, password};
use crate::domain::people::Email;
use crate::domain::questionnaire::Lang;
use crate::routes::client;
use crate::routes::pages::error::PageError;
use crate::routes::pages::{html as respond, see_other};
use crate::startup::AppState;
use crate::store::audit::NewEvent;
use crate::store::people::User;
use crate::views::forms::{Errors, Input};
use crate::views::layout::{Frame, lang_code, notice, page};
use crate::views::words::W;

/// Failed sign-ins counted over this time.
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins allowed per account, then per client address, within the window.
const FAILURES_PER_ACCOUNT: i64 = 10;
const FAILURES_PER_ADDRESS: i64 = 30;

pub(super) fn signed_out_page(
    lang: Lang,
    status: StatusCode,
    title: W,
    body: Markup,
) -> HttpResponse {
    let frame = Frame {
        lang,
        title: title.text(lang),
        viewer: None,
        current: None,
        refresh: None,
    };
    respond(status, page(&frame, body))
}

/// The hidden fields of every signed-out form.
pub(super) fn public_fields(state: &AppState, lang: Lang) -> Markup {
    html! {
        input type="hidden" name="csrf_token" value=(public_form_token(state));
        input type="hidden" name="lang" value=(lang_code(lang));
    }
}

fn login_page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    email: &str,
    next: &str,
    errors: &Errors,
    message: Option<W>,
) -> HttpResponse {
    let w = |word: W| word.text(lang);
    let other = match lang {
        Lang::Fr => "en",
        Lang::En => "fr",
    };
    let body = html! {
        h1 { (w(W::SignIn)) }
        @if let Some(word) = message { (notice(w(word))) }
        (errors.summary(lang))
        @if state.backoffice.oidc.is_some() {
            div class="proconnect" {
                p { a class="button" href="/admin/login/oidc" { (w(W::ProConnectSignIn)) } }
                p class="hint" { (w(W::ProConnectWhat)) }
            }
            h2 { (w(W::OrWithPassword)) }
        }
        form method="post" action="/admin/login" novalidate {
            (public_fields(state, lang))
            input type="hidden" name="next" value=(next);
            (Input::text("email", w(W::Email), email).kind("email", "username").required().render(lang, errors))
            (Input::text("password", w(W::Password), "").kind("password", "current-password").required().render(lang, errors))
            div class="actions" { button type="submit" { (w(W::SignIn)) } }
        }
        p { a href=(format!("/admin/login?lang={other}")) lang=(other) { (w(W::OtherLanguage)) } }
    };
    signed_out_page(lang, status, W::SignIn, body)
}

/// Only back-office paths are followed after signing in: never another site.
fn safe_next(next: &str) -> &str {
    let inside = next.starts_with("/admin/") && !next.starts_with("//") && !next.contains('\\');
    if inside { next } else { "/admin/" }
}

#[get("/admin/login")]
pub async fn login_form(
    req: HttpRequest,
    agent: MaybeAgent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let next = query
        .iter()
        .find(|(k, _)| k == "next")
        .map_or("/admin/", |(_, v)| safe_next(v));
    if agent.0.is_some() {
        return Ok(see_other(next));
    }
    let message = super::done(&query)
        .filter(|d| *d == "password")
        .map(|_| W::PasswordChanged);
    Ok(login_page(
        &state,
        request_lang(&req),
        StatusCode::OK,
        "",
        next,
        &Errors::default(),
        message,
    ))
}

#[post("/admin/login")]
pub async fn login(
    req: HttpRequest,
    form: PublicForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = form.lang;
    let fields = &form.fields;
    let next = safe_next(fields.text("next"));
    let typed = fields.text("email");
    let address = client::address(&req, &state);
    let since = Timestamp::now() - FAILURE_WINDOW_MINUTES.minutes();
    let email = Email::parse(typed).ok();
    let subjects: Vec<String> = email
        .iter()
        .map(|e| format!("email:{e}"))
        .chain([format!("address:{address}")])
        .collect();
    for subject in &subjects {
        let limit = if subject.starts_with("email:") {
            FAILURES_PER_ACCOUNT
        } else {
            FAILURES_PER_ADDRESS
        };
        if state.store.sign_in_failures(subject, since).await? >= limit {
            return Err(PageError::TooManyAttempts {
                lang,
                retry_after: (FAILURE_WINDOW_MINUTES * 60) as u64,
            });
        }
    }
    let account = match &email {
        Some(email) => state.store.find_user_by_email(email).await?,
        None => None,
    };
    let (user, stored) = match account {
        Some((user, hash)) if user.disabled_at.is_none() => (Some(user), hash),
        _ => (None, None),
    };
    let matches = password::verify(fields.raw("password").to_owned(), stored).await;
    let Some(user) = user.filter(|_| matches) else {
        state.store.record_sign_in_failure(&subjects).await?;
        state
            .store
            .record_event(&NewEvent {
                user_id: None,
                actor: typed,
                organisation_id: None,
                action: "sign_in_failed",
                subject: None,
                details: format!("from {address}"),
            })
            .await?;
        let mut errors = Errors::default();
        errors.add("email", W::SignInFailed);
        return Ok(login_page(
            &state,
            lang,
            StatusCode::UNAUTHORIZED,
            typed,
            next,
            &errors,
            None,
        ));
    };
    start_session(&req, &state, &user, "sign_in", next, None).await
}

/// Opens a new session for `user` (a new id every time: none chosen before signing in
/// survives it), ends the one the browser had, and sends the person on. `id_token` is the
/// identity provider's, for a sign-in through it.
pub(super) async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    user: &User,
    action: &'static str,
    next: &str,
    id_token: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if let Ok(previous) = Agent::extract(req).await {
        state
            .store
            .end_session(previous.user.id, previous.session.id)
            .await?;
    }
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let opened = state
        .store
        .open_session(user.id, user_agent, state.backoffice.sessions, id_token)
        .await?;
    record_by(
        state,
        user,
        None,
        action,
        Some(opened.session.id.to_string()),
        format!("from {}", client::address(req, state)),
    )
    .await?;
    let mut response = see_other(next);
    response
        .add_cookie(&state.backoffice.session_cookie(opened.secret))
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(response)
}

/// The page that takes a person signed out of avis on to the provider's sign-out.
fn leaving_page(lang: Lang, url: &str) -> HttpResponse {
    let frame = Frame {
        lang,
        title: W::SignedOut.text(lang),
        viewer: None,
        current: None,
        refresh: Some(url),
    };
    let body = html! {
        h1 { (W::SignedOut.text(lang)) }
        p { (W::SignedOutProConnect.text(lang)) }
        p { a href=(url) { (W::Continue.text(lang)) } }
    };
    respond(StatusCode::OK, page(&frame, body))
}

#[post("/admin/logout")]
pub async fn logout(
    form: Submitted,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    state
        .store
        .end_session(agent.user.id, agent.session.id)
        .await?;
    record(
        &state,
        agent,
        None,
        "sign_out",
        Some(agent.session.id.to_string()),
        String::new(),
    )
    .await?;
    // Signed in through ProConnect: its session ends too, and it sends the browser back here.
    // A page goes on there, not a redirect: the form's policy allows redirects to this site only.
    let provider = match (&state.backoffice.oidc, &agent.session.id_token) {
        (Some(oidc), Some(id_token)) => oidc.logout_url(id_token).await,
        _ => None,
    };
    let mut response = match &provider {
        Some(url) => leaving_page(agent.lang, url.as_str()),
        None => see_other("/admin/login"),
    };
    response
        .add_cookie(&state.backoffice.removal_cookie())
        .map_err(|e| PageError::Internal(e.into()))?;
    Ok(response)
}
