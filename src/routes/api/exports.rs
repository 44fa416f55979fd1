//! Exports of reviews for administrations' scripts: `GET /reviews/export` answers a CSV stream at
//! once, or starts a workbook (`202`) whose status `GET /exports/{id}` tells until it links the
//! file.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{AdminKey, Visibility};
use super::moderation::{ReviewFilterParams, review_filter};
use crate::domain::FieldError;
use crate::domain::export::Layout;
use crate::error::{ApiError, Problem};
use crate::export::Request;
use crate::routes::exporting::{
    Requester, audit_details, csv_response, file_name, filter_query, lang, start_workbook,
    wants_contacts,
};
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::audit::NewEvent;
use crate::store::exports::{Export, Status};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an export takes beside the filters of the list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// `csv` (the default) streams at once; `xlsx` starts a workbook to poll.
    #[param(pattern = "^(csv|xlsx)$")]
    format: Option<String>,
    /// The language of the answers' labels; codes never change.
    #[param(pattern = "^(fr|en)$")]
    lang: Option<String>,
    /// Adds the addresses citizens left to be contacted back (within their retention); the
    /// export is recorded in the audit log.
    contact_emails: Option<bool>,
}

/// Where a workbook has got.
#[derive(Serialize, ToSchema)]
pub struct ExportState {
    id: Uuid,
    status: Status,
    /// From 0 to 1.
    progress: f64,
    /// Reviews written so far.
    rows: i64,
    /// Reviews that matched when it started.
    rows_total: Option<i64>,
    /// Sheets of reviews in the finished workbook (a sheet holds at most 1,048,575).
    sheets: i64,
    created_at: jiff::Timestamp,
    /// When the file is deleted.
    expires_at: jiff::Timestamp,
    /// Once done: where to download the workbook, with the same key.
    download_url: Option<String>,
}

impl From<&Export> for ExportState {
    fn from(export: &Export) -> ExportState {
        ExportState {
            id: export.id,
            status: export.status,
            progress: if export.status == Status::Done {
                1.0
            } else {
                export.progress
            },
            rows: export.rows_done,
            rows_total: export.rows_total,
            sheets: export.sheets,
            created_at: export.created_at,
            expires_at: export.expires_at,
            download_url: (export.status == Status::Done)
                .then(|| format!("/api/v1/exports/{}/download", export.id)),
        }
    }
}

#[utoipa::path(
    operation_id = "reviews_export",
    tag = "administration",
    params(ReviewFilterParams, ExportParams),
    responses(
        (status = 200, description = "The reviews as CSV (UTF-8 with a byte order mark), streamed: procedure by procedure (by title), each one's newest first, excluded ones included", content_type = "text/csv", body = String),
        (status = 202, description = "A workbook is being built: poll `Location`", body = ExportState,
            headers(("Location" = String, description = "Its status"))),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "The procedure or button of the filter is not visible to this key", body = Problem),
        (status = 422, description = "Invalid filter", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/reviews/export")]
#[tracing::instrument(skip_all)]
pub async fn start(
    key: AdminKey,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::of(&req);
    let xlsx = match params.get("format") {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(_) => return Err(invalid("format", "must be csv or xlsx")),
    };
    if params.get("excluded").is_some() {
        return Err(invalid(
            "excluded",
            "is not a filter of exports: they hold both kinds, and their excluded column says which",
        ));
    }
    if params.get("after").is_some() {
        return Err(invalid(
            "after",
            "is not a filter of exports: they hold every page",
        ));
    }
    let layout = Layout {
        lang: lang(params.get("lang"))?,
        contacts: wants_contacts(&params, "contact_emails"),
    };
    let filter = review_filter(&state, &params, &key).await?;
    let mut organisation = key.0.organisation();
    if let Some(procedure) = filter.procedure {
        let found = state.store.find_procedure(procedure).await?;
        match found {
            Some(p) if key.0.sees(p.organisation_id) => organisation = Some(p.organisation_id),
            _ => return Err(ApiError::ProcedureNotFound),
        }
    }
    if let Some(button) = filter.button {
        let found = state.store.find_button(button).await?;
        let procedure = match found {
            Some(b) => state.store.find_procedure(b.procedure_id).await?,
            None => None,
        };
        if !procedure.is_some_and(|p| key.0.sees(p.organisation_id)) {
            return Err(ApiError::ButtonNotFound);
        }
    }
    let query = filter_query(req.query_string());
    let format = if xlsx { "xlsx" } else { "csv" };
    let actor = format!("API key {}", key.0.prefix);
    state
        .store
        .record_event(&NewEvent {
            user_id: None,
            actor: &actor,
            organisation_id: organisation,
            action: "reviews_exported",
            subject: filter.procedure.map(|p| p.to_string()),
            details: audit_details(format, layout, &query),
        })
        .await?;
    let request = Request { filter, layout };
    if !xlsx {
        return Ok(csv_response(&state, request, &file_name("csv")));
    }
    let id = start_workbook(
        &state,
        request,
        organisation,
        query,
        Requester::Key(key.0.id),
    )
    .await?;
    let export = state
        .store
        .find_export(id)
        .await?
        .ok_or(ApiError::ExportNotFound)?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/exports/{id}")))
        .json(ExportState::from(&export)))
}

/// The export behind `id`, if a key made it and this key sees its organisation.
async fn visible(state: &AppState, key: &AdminKey, id: &str) -> Result<Export, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ExportNotFound)?;
    let export = state
        .store
        .find_export(id)
        .await?
        .ok_or(ApiError::ExportNotFound)?;
    let seen = match (key.0.organisation(), export.organisation_id) {
        (None, _) => true,
        (Some(own), Some(theirs)) => own == theirs,
        (Some(_), None) => false,
    };
    if export.created_by_key.is_none() || !seen {
        return Err(ApiError::ExportNotFound);
    }
    Ok(export)
}

#[utoipa::path(
    operation_id = "exports_show",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Export id")),
    responses(
        (status = 200, description = "Where the workbook has got", body = ExportState),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "No such export visible to this key, or it has expired", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/exports/{id}")]
pub async fn show(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let export = visible(&state, &key, &path).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ExportState::from(&export)))
}

#[utoipa::path(
    operation_id = "exports_download",
    tag = "administration",
    params(("id" = Uuid, Path, description = "Export id")),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, description = "This key may not do this", body = Problem),
        (status = 404, description = "No such export visible to this key, or it has expired", body = Problem),
        (status = 409, description = "Not finished yet", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/exports/{id}/download")]
pub async fn download(
    key: AdminKey,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let export = visible(&state, &key, &path).await?;
    match export.status {
        Status::Done => Ok(workbook_response(&state, &export)),
        Status::Running => Err(ApiError::ExportNotReady),
        Status::Failed => Err(ApiError::ExportNotFound),
    }
}

/// A finished workbook, read from the database one chunk at a time.
pub fn workbook_response(state: &AppState, export: &Export) -> HttpResponse {
    let (store, id) = (state.store.clone(), export.id);
    let chunks = futures_util::stream::try_unfold(0i64, move |seq| {
        let store = store.clone();
        async move {
            let chunk = store.export_chunk(id, seq).await?;
            Ok::<_, crate::store::StoreError>(chunk.map(|data| (web::Bytes::from(data), seq + 1)))
        }
    });
    HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"avis-{}.xlsx\"",
                crate::domain::time::paris_day(export.created_at)
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .no_chunking(export.size_bytes.max(0) as u64)
        .streaming(chunks)
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::InvalidRequest(vec![FieldError::new(field, message)])
}
