//! What the API's and the back-office's exports of reviews share: their options read from a
//! request, the CSV response, a workbook's start, and the line the audit log keeps of each.

use actix_web::HttpResponse;
use actix_web::http::header;
use jiff::Timestamp;
use uuid::Uuid;

use super::query::Params;
use crate::domain::FieldError;
use crate::domain::export::Layout;
pub use crate::domain::export::filter_query;
use crate::domain::questionnaire::Lang;
use crate::error::ApiError;
use crate::export::{Request, Rows, csv, job};
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::exports::NewExport;
use crate::views::layout::lang_code;

/// `lang=fr|en`, French when absent.
pub fn lang(value: Option<&str>) -> Result<Lang, ApiError> {
    match value.map(str::trim) {
        None | Some("") | Some("fr") => Ok(Lang::Fr),
        Some("en") => Ok(Lang::En),
        Some(_) => Err(ApiError::InvalidRequest(vec![FieldError::new(
            "lang",
            "must be fr or en",
        )])),
    }
}

/// Whether `name` asks for the contact addresses: `true` does.
pub fn wants_contacts(params: &Params, name: &str) -> bool {
    params.get(name) == Some("true")
}

/// The CSV file of `request`, streamed.
pub fn csv_response(state: &AppState, request: Request, filename: &str) -> HttpResponse {
    let rows = Rows::new(state.store.clone(), request);
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(csv::stream(rows))
}

/// Who asks for a workbook.
pub enum Requester {
    Person(Uuid),
    Key(Uuid),
}

/// Records a workbook to build and starts building it; returns its id.
pub async fn start_workbook(
    state: &AppState,
    request: Request,
    organisation: Option<Uuid>,
    filter: String,
    requester: Requester,
) -> Result<Uuid, StoreError> {
    let now = Timestamp::now();
    let id = Uuid::now_v7();
    let (user, key) = match requester {
        Requester::Person(user) => (Some(user), None),
        Requester::Key(key) => (None, Some(key)),
    };
    state
        .store
        .create_export(&NewExport {
            id,
            organisation_id: organisation,
            filter: filter.clone(),
            lang: lang_code(request.layout.lang).to_owned(),
            with_contacts: request.layout.contacts,
            created_by_user: user,
            created_by_key: key,
            created_at: now,
            expires_at: crate::domain::time::after_seconds(now, state.exports.ttl_seconds),
        })
        .await?;
    job::spawn(state.store.clone(), state.exports, id, request, filter);
    Ok(id)
}

/// The audit log's account of an export: its format, language, filters, and whether it holds
/// contact addresses. Every export holds the comments.
pub fn audit_details(format: &str, layout: Layout, filter: &str) -> String {
    let filter = if filter.is_empty() { "-" } else { filter };
    let contacts = if layout.contacts {
        ", with contact addresses"
    } else {
        ""
    };
    format!(
        "{format}, {}, filters: {filter}, comments{contacts}",
        lang_code(layout.lang)
    )
}

/// A file name for an export made on `day`.
pub fn file_name(extension: &str) -> String {
    let day = crate::domain::time::paris_day(Timestamp::now());
    format!("avis-{day}.{extension}")
}
