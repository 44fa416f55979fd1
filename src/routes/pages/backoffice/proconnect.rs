//! Sign-in with ProConnect (see [`crate::accounts::oidc`]): the link that starts it, and the
//! callback that ends it. The person is matched by email: an account invited before, or one
//! created now for an address of a domain the operator allows (member of no organisation until
//! an admin adds them). Anyone else, and a disabled account, is refused.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use maud::html;

use super::record_by;
use super::sign_in::{signed_out_page, start_session};
use crate::accounts::session::request_lang;
use crate::routes::client;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::audit::NewEvent;
use crate::views::words::W;

/// The link on the sign-in page: sends the browser to the provider.
#[get("/admin/login/oidc")]
pub async fn begin(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let Some(oidc) = &state.backoffice.oidc else {
        return Err(PageError::NotFound(lang));
    };
    match oidc.begin(&state.signing_key).await {
        Ok((url, pending)) => {
            let mut response = crate::routes::pages::see_other(url.as_str());
            response
                .add_cookie(&state.backoffice.oidc_cookie(Some(pending)))
                .map_err(|e| PageError::Internal(e.into()))?;
            Ok(response)
        }
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "ProConnect cannot be reached");
            Ok(failed(&state, lang, StatusCode::SERVICE_UNAVAILABLE))
        }
    }
}

/// The sign-in page's answer when the flow failed; the flow's cookie is forgotten.
fn failed(
    state: &AppState,
    lang: crate::domain::questionnaire::Lang,
    status: StatusCode,
) -> HttpResponse {
    let body = html! {
        h1 { (W::SignIn.text(lang)) }
        div class="summary" role="alert" { p { (W::ProConnectFailed.text(lang)) } }
        p { a href="/admin/login" { (W::SignIn.text(lang)) } }
    };
    forget_flow(state, signed_out_page(lang, status, W::SignIn, body))
}

fn forget_flow(state: &AppState, mut response: HttpResponse) -> HttpResponse {
    // Adding a cookie only fails on a value that is not a header value; ours are plain.
    let _ = response.add_cookie(&state.backoffice.oidc_cookie(None));
    response
}

#[get("/admin/login/oidc/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let Some(oidc) = &state.backoffice.oidc else {
        return Err(PageError::NotFound(lang));
    };
    let cookie = req.cookie(state.backoffice.oidc_cookie(None).name());
    let identity = match oidc
        .finish(
            &query,
            cookie.as_ref().map(|c| c.value()),
            &state.signing_key,
        )
        .await
    {
        Ok(identity) => identity,
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "a ProConnect sign-in was refused");
            return Ok(failed(&state, lang, StatusCode::UNAUTHORIZED));
        }
    };
    let account = state.store.find_user_by_email(&identity.email).await?;
    let user = match account {
        Some((user, _)) if user.disabled_at.is_none() => user,
        None if oidc.provisions(&identity.email) => {
            let user = state
                .store
                .create_user(&identity.email, &identity.name)
                .await?;
            record_by(
                &state,
                &user,
                None,
                "account_created",
                Some(user.id.to_string()),
                "at a first sign-in with ProConnect".to_owned(),
            )
            .await?;
            user
        }
        _ => {
            state
                .store
                .record_event(&NewEvent {
                    user_id: None,
                    actor: identity.email.as_str(),
                    organisation_id: None,
                    action: "sign_in_failed",
                    subject: None,
                    details: format!(
                        "with ProConnect, no account, from {}",
                        client::address(&req, &state)
                    ),
                })
                .await?;
            let body = html! {
                h1 { (W::SignIn.text(lang)) }
                div class="summary" role="alert" { p { (W::NoAccountForEmail.text(lang)) " " strong { (identity.email) } } }
                p { (W::NoAccountHint.text(lang)) }
                p { a href="/admin/login" { (W::SignIn.text(lang)) } }
            };
            let page = signed_out_page(lang, StatusCode::FORBIDDEN, W::SignIn, body);
            return Ok(forget_flow(&state, page));
        }
    };
    let response = start_session(
        &req,
        &state,
        &user,
        "sign_in_proconnect",
        "/admin/",
        Some(&identity.id_token),
    )
    .await?;
    Ok(forget_flow(&state, response))
}
