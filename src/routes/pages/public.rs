//! `/p/{procedure_id}`: the public, read-only dashboard of a procedure marked public — the same
//! tiles and charts as in the back-office, never a comment, no back-office menu — and its charts'
//! figures as CSV. Any other procedure, or none, is "not found".

use actix_web::{HttpRequest, HttpResponse, get, web};
use maud::html;
use uuid::Uuid;

use super::dashboard;
use super::error::PageError;
use crate::accounts::session::request_lang;
use crate::domain::questionnaire::Lang;
use crate::startup::AppState;
use crate::store::catalog::Procedure;
use crate::views::layout::{Frame, page};
use crate::views::words::W;

/// The procedure behind a path, if it is marked public.
async fn public(state: &AppState, raw: &str, lang: Lang) -> Result<Procedure, PageError> {
    let id = Uuid::parse_str(raw).map_err(|_| PageError::NotFound(lang))?;
    state
        .store
        .find_procedure(id)
        .await?
        .filter(|p| p.is_public)
        .ok_or(PageError::NotFound(lang))
}

#[get("/p/{id}")]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let procedure = public(&state, &path, lang).await?;
    let base = format!("/p/{}", procedure.id);
    let (status, shown) =
        dashboard::section(&state, lang, procedure.id, req.query_string(), &base).await?;
    let body = html! {
        h1 { (procedure.title) }
        p { (W::PublicIntro.text(lang)) }
        (shown)
    };
    let frame = Frame {
        lang,
        title: &procedure.title,
        viewer: None,
        current: None,
        refresh: None,
    };
    Ok(super::html(status, page(&frame, body)))
}

#[get("/p/{id}/charts/{name}.csv")]
pub async fn chart(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let (id, name) = path.into_inner();
    let procedure = public(&state, &id, lang).await?;
    dashboard::chart(&state, lang, procedure.id, req.query_string(), &name).await
}
