//! `/unsubscribe/{key}`: the link every alert and digest carries. Opening it asks; the form's
//! `POST` (or a mail program's one-click `POST`, RFC 8058) stops that procedure's alerts, or the
//! person's digests. The key is the authority: it is secret, drawn for one message, and only
//! ever turns messages off.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};

use crate::accounts::session::request_lang;
use crate::domain::questionnaire::Lang;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::views::layout::{Frame, page};
use crate::views::words::W;

fn unsubscribe_page(lang: Lang, status: StatusCode, body: Markup) -> HttpResponse {
    let frame = Frame {
        lang,
        title: W::Unsubscribe.text(lang),
        viewer: None,
        current: None,
        refresh: None,
    };
    super::html(status, page(&frame, body))
}

#[get("/unsubscribe/{key}")]
pub async fn ask(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let lang = request_lang(&req);
    let w = |word: W| word.text(lang);
    let lang_code = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    let body = html! {
        h1 { (w(W::Unsubscribe)) }
        p { (w(W::UnsubscribeAsk)) }
        form method="post" action=(format!("/unsubscribe/{}?lang={lang_code}", path.as_str())) {
            div class="actions" { button type="submit" { (w(W::UnsubscribeConfirm)) } }
        }
    };
    unsubscribe_page(lang, StatusCode::OK, body)
}

#[post("/unsubscribe/{key}")]
pub async fn confirm(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let w = |word: W| word.text(lang);
    let Some(stopped) = state.store.unsubscribe(&path).await? else {
        let body = html! {
            h1 { (w(W::Unsubscribe)) }
            p { (w(W::UnsubscribeUnknown)) }
            p { a href="/admin/" { (w(W::GoToBackOffice)) } }
        };
        return Ok(unsubscribe_page(lang, StatusCode::NOT_FOUND, body));
    };
    let body = html! {
        h1 { (w(W::Unsubscribe)) }
        @match stopped {
            Some(title) => p role="status" { (w(W::UnsubscribedAlerts)) " « " (title) " »." },
            None => p role="status" { (w(W::UnsubscribedDigests)) },
        }
        p { a href="/admin/" { (w(W::GoToBackOffice)) } }
    };
    Ok(unsubscribe_page(lang, StatusCode::OK, body))
}
