//! Exports of an organisation's or a procedure's reviews: a CSV downloaded at once, a workbook
//! prepared in the background with a page that follows its progress (it reloads itself, no
//! script needed) until it links the file. Anyone of the organisation may export its reviews;
//! only its admins may add the contact addresses. Every export goes to the audit log.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};
use uuid::Uuid;

use super::{agent_page, agent_page_status, path_id, procedures, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::export::Layout;
use crate::domain::people::Role;
use crate::domain::questionnaire::Lang;
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
use crate::views::forms::select;
use crate::views::layout::{csrf_field, lang_code, when};
use crate::views::words::W;

/// The forms that export the reviews a list shows: `action_base` is the list's path (e.g.
/// `/admin/procedures/{id}/reviews`), `query_string` its filters; `contacts` offers to add the
/// contact addresses (for admins).
pub fn export_forms(
    lang: Lang,
    csrf: &str,
    action_base: &str,
    query_string: &str,
    contacts: bool,
) -> Markup {
    let w = |word: W| word.text(lang);
    let filters = filter_query(query_string);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(filters.as_bytes())
        .into_owned()
        .collect();
    let languages = [("fr", w(W::ExportFrench)), ("en", w(W::ExportEnglish))];
    let xlsx_action = if filters.is_empty() {
        format!("{action_base}/export.xlsx")
    } else {
        format!("{action_base}/export.xlsx?{filters}")
    };
    html! {
        section class="exports" aria-labelledby="exports-heading" {
            h2 id="exports-heading" { (w(W::ExportHeading)) }
            p class="hint" { (w(W::ExportWhat)) }
            form method="get" action=(format!("{action_base}/export.csv")) {
                fieldset {
                    legend { (w(W::ExportCsvLegend)) }
                    @for (name, value) in &pairs {
                        input type="hidden" name=(name) value=(value);
                    }
                    (select("export-csv-lang", "lang", w(W::ExportLabelsLanguage), &languages, lang_code(lang)))
                    @if contacts { (checkbox_with_id("export-csv-contacts", w(W::ExportWithContacts))) }
                    div class="actions" { button type="submit" { (w(W::ExportCsvButton)) } }
                }
            }
            form method="post" action=(xlsx_action) {
                fieldset {
                    legend { (w(W::ExportXlsxLegend)) }
                    (csrf_field(csrf))
                    (select("export-xlsx-lang", "lang", w(W::ExportLabelsLanguage), &languages, lang_code(lang)))
                    @if contacts { (checkbox_with_id("export-xlsx-contacts", w(W::ExportWithContacts))) }
                    div class="actions" { button type="submit" { (w(W::ExportXlsxButton)) } }
                }
            }
        }
    }
}

/// The contact addresses' checkbox, under an id of its own (both forms have one).
fn checkbox_with_id(id: &str, label: &str) -> Markup {
    html! {
        div class="check" {
            input type="checkbox" id=(id) name="contact_emails" value="true";
            label for=(id) { (label) }
        }
    }
}

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
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let automatic = !query.iter().any(|(k, v)| k == "auto" && v == "off");
    let here = format!("/admin/exports/{}", export.id);
    let back = back_link(&export);
    let percent = (export.progress * 100.0).floor() as u32;
    let body = html! {
        p class="crumbs" { a href=(back.0) { (w(back.1)) } }
        h1 { (w(W::ExportPageTitle)) }
        @match export.status {
            Status::Running => {
                @if automatic {
                    p { (w(W::ExportRunning)) " " a href=(format!("{here}?auto=off")) { (w(W::ExportStopRefresh)) } }
                } @else {
                    p { (w(W::ExportAutoOff)) " " a href=(here) { (w(W::ExportRefreshNow)) } }
                }
                div class="field" {
                    label for="export-progress" { (w(W::ExportProgress)) }
                    progress id="export-progress" max="100" value=(percent) { (percent_text(lang, percent)) }
                }
                p {
                    (figure(lang, export.rows_done)) " "
                    @if let Some(total) = export.rows_total {
                        (w(W::ExportRowsWritten)) " " (figure(lang, total.max(export.rows_done)))
                    } @else {
                        (w(W::ExportRowsWrittenSoFar))
                    }
                }
            }
            Status::Done => {
                p role="status" { (w(W::ExportReady)) }
                p {
                    a href=(format!("{here}/download")) download {
                        (w(W::ExportDownload))
                        " (XLSX, " (size(lang, export.size_bytes)) ")"
                    }
                }
                p { (figure(lang, export.rows_done)) " " (w(W::ExportRows).to_lowercase()) "." }
                @if export.sheets > 1 { p { (w(W::ExportSplitPage)) } }
                p class="hint" { (w(W::ExportKeptUntil)) " " (when(export.expires_at)) (w(W::ExportThenDeleted)) }
            }
            Status::Failed => {
                p role="alert" { (w(W::ExportFailed)) }
            }
        }
    };
    let mut response = agent_page(&agent, w(W::ExportPageTitle), None, body);
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

/// Where the export's reviews are listed: its procedure, else its organisation.
fn back_link(export: &Export) -> (String, W) {
    let procedure = url::form_urlencoded::parse(export.filter.as_bytes())
        .find(|(k, _)| k == "procedure")
        .and_then(|(_, v)| Uuid::parse_str(&v).ok());
    match (procedure, export.organisation_id) {
        (Some(p), _) => (format!("/admin/procedures/{p}"), W::ExportBack),
        (None, Some(o)) => (
            format!("/admin/organisations/{o}"),
            W::ExportBackOrganisation,
        ),
        (None, None) => ("/admin/".to_owned(), W::Home),
    }
}

/// A count as people read it: thin spaces between thousands in French, commas in English.
fn figure(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn percent_text(lang: Lang, percent: u32) -> String {
    match lang {
        Lang::Fr => format!("{percent}\u{a0}%"),
        Lang::En => format!("{percent}%"),
    }
}

/// A file's size in kilobytes or megabytes, with one decimal.
fn size(lang: Lang, bytes: i64) -> String {
    let (value, unit) = if bytes < 1_000_000 {
        (bytes as f64 / 1_000.0, W::ExportKilobytes)
    } else {
        (bytes as f64 / 1_000_000.0, W::ExportMegabytes)
    };
    let number = format!("{value:.1}");
    let number = match lang {
        Lang::Fr => number.replace('.', ","),
        Lang::En => number,
    };
    format!("{number}\u{a0}{}", unit.text(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_sizes_read_as_each_language_writes_them() {
        assert_eq!(figure(Lang::Fr, 1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(figure(Lang::En, 1_234), "1,234");
        assert_eq!(figure(Lang::En, 999), "999");
        assert_eq!(size(Lang::Fr, 1_250_000), "1,2\u{a0}Mo");
        assert_eq!(size(Lang::En, 2_500), "2.5\u{a0}kB");
    }

    #[test]
    fn the_forms_carry_only_the_filters_of_the_list() {
        let forms = export_forms(
            Lang::Fr,
            "token",
            "/admin/procedures/p/reviews",
            "satisfaction=good&page=3&after=x&excluded=true&q=",
            false,
        )
        .into_string();
        assert!(
            forms.contains(r#"name="satisfaction" value="good""#),
            "{forms}"
        );
        assert!(
            forms.contains(r#"action="/admin/procedures/p/reviews/export.xlsx?satisfaction=good""#)
        );
        for gone in ["page", "after", "excluded", r#"name="q""#] {
            assert!(!forms.contains(gone), "{gone} in {forms}");
        }
        assert!(!forms.contains("contact_emails"));
    }
}
