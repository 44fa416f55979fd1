//! Exports of an organisation's or a procedure's reviews: a CSV downloaded at once, a workbook
//! prepared in the background with a page that follows its progress (it reloads itself, no
//! script needed) until it links the file. Anyone of the organisation may export its reviews;
//! only its admins may add the contact addresses. Every export goes to the audit log.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::html;
use uuid::Uuid;

use super::{agent_page, agent_page_status, path_id, procedures, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::export::Layout;
use crate::domain::people::Role;
use crate::export::Request;
use crate::routes::api::exports::workbook_response;
use crate::routes::exporting::{
    Requester, audit_details, csv_response, file_name, filter_query, lang, start_workbook,
};
use crate::routes::pages::error::PageError;
use crate::routes::pages::see_other;
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::exports::{Export, Status};
pub use crate::views::exports::export_forms;
use crate::views::exports::progress;
use crate::views::words::W;

/// The reviews behind a path: a procedure's (`Some`) or a whole organisation's, checked
/// against the person's organisations; with the organisation and the person's role in it.
async fn scope(
    state: &AppState,
    agent: &Agent,
    kind: &str,
    raw: &str,
) -> Result<(Option<Uuid>, Uuid, Role), PageError> {
    if kind == "procedures" {
        let (procedure, role) = procedures::visible(state, agent, raw).await?;
        return Ok((Some(procedure.id), procedure.organisation_id, role));
    }
    let id = path_id(raw, agent)?;
    let role = agent.require_member(id)?;
    state
        .store
        .find_organisation(id)
        .await?
        .ok_or(PageError::NotFound(agent.lang))?;
    Ok((None, id, role))
}

/// What to export: the filters of the request's query string, confined to the scope; the
/// addresses only for an admin who asked for them.
fn request_of(
    req: &HttpRequest,
    scope: Option<Uuid>,
    organisation: Uuid,
    role: Role,
    (lang_field, contacts_field): (Option<&str>, bool),
) -> Option<(Request, String)> {
    let params = Params::of(req);
    let mut filter = params.reviews().ok()?.filter;
    filter.organisation = Some(organisation);
    filter.excluded = None;
    let mut query = filter_query(req.query_string());
    if let Some(procedure) = scope {
        // The path names the procedure, whatever the query string says.
        filter.procedure = Some(procedure);
        let rest: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "procedure")
            .collect();
        query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("procedure", &procedure.to_string())
            .extend_pairs(rest)
            .finish();
    }
    let layout = Layout {
        lang: lang(lang_field).ok()?,
        contacts: contacts_field && role == Role::Admin,
    };
    Some((Request { filter, layout }, query))
}

fn invalid_filters(agent: &Agent) -> HttpResponse {
    let w = |word: W| word.text(agent.lang);
    let body = html! {
        h1 { (w(W::ExportPageTitle)) }
        p { (w(W::ExportInvalidFilters)) }
    };
    agent_page_status(
        agent,
        StatusCode::UNPROCESSABLE_ENTITY,
        w(W::ExportPageTitle),
        None,
        body,
    )
}

#[get("/admin/{kind:procedures|organisations}/{id}/reviews/export.csv")]
#[tracing::instrument(skip_all)]
pub async fn csv(
    agent: Agent,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (kind, raw) = path.into_inner();
    let (scope, organisation, role) = scope(&state, &agent, &kind, &raw).await?;
    let params = Params::of(&req);
    let asked = (
        params.get("lang"),
        params.get("contact_emails") == Some("true"),
    );
    let Some((request, query)) = request_of(&req, scope, organisation, role, asked) else {
        return Ok(invalid_filters(&agent));
    };
    record(
        &state,
        &agent,
        Some(organisation),
        "reviews_exported",
        Some(raw),
        audit_details("csv", request.layout, &query),
    )
    .await?;
    Ok(csv_response(&state, request, &file_name("csv")))
}

#[post("/admin/{kind:procedures|organisations}/{id}/reviews/export.xlsx")]
#[tracing::instrument(skip_all)]
pub async fn xlsx(
    form: Submitted,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (kind, raw) = path.into_inner();
    let (scope, organisation, role) = scope(&state, agent, &kind, &raw).await?;
    let asked = (
        Some(form.fields.text("lang")),
        form.fields.ticked("contact_emails"),
    );
    let Some((request, query)) = request_of(&req, scope, organisation, role, asked) else {
        return Ok(invalid_filters(agent));
    };
    record(
        &state,
        agent,
        Some(organisation),
        "reviews_exported",
        Some(raw),
        audit_details("xlsx", request.layout, &query),
    )
    .await?;
    let id = start_workbook(
        &state,
        request,
        Some(organisation),
        query,
        Requester::Person(agent.user.id),
    )
    .await?;
    Ok(see_other(&format!("/admin/exports/{id}")))
}

/// The export behind a path, if this person asked for it: nobody else sees it.
async fn own(state: &AppState, agent: &Agent, raw: &str) -> Result<Export, PageError> {
    let id = path_id(raw, agent)?;
    match state.store.find_export(id).await? {
        Some(export) if export.created_by_user == Some(agent.user.id) => Ok(export),
        _ => Err(PageError::NotFound(agent.lang)),
    }
}

#[get("/admin/exports/{id}")]
pub async fn show(
    agent: Agent,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let export = own(&state, &agent, &path).await?;
    let automatic = !query.iter().any(|(k, v)| k == "auto" && v == "off");
    let body = progress(agent.lang, &export, automatic);
    let title = W::ExportPageTitle.text(agent.lang);
    let mut response = agent_page(&agent, title, None, body);
    if export.status == Status::Running && automatic {
        // The standard `Refresh` header: the page reloads itself without any script.
        response.headers_mut().insert(
            HeaderName::from_static("refresh"),
            HeaderValue::from_static("2"),
        );
    }
    Ok(response)
}

#[get("/admin/exports/{id}/download")]
pub async fn download(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let export = own(&state, &agent, &path).await?;
    if export.status != Status::Done {
        return Ok(see_other(&format!("/admin/exports/{}", export.id)));
    }
    Ok(workbook_response(&state, &export))
}
