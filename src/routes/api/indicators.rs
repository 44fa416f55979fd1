//! The observatory API: indicators of every visible procedure in one call, of one procedure, and
//! as a time series; JSON or CSV. Procedures marked public are readable without a key.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{MaybeKey, ReaderKey, Visibility};
use super::csv::{self, Subject};
use crate::domain::breakdown;
use crate::domain::indicators::{self, Indicators};
use crate::domain::time::paris_day;
use crate::domain::window::{Interval, Window, WindowQuery};
use crate::error::{ApiError, Problem};
use crate::routes::query::{Format, Params};
use crate::startup::AppState;
use crate::store::catalog::Procedure;

/// One procedure and its indicators over a window.
#[derive(Serialize, ToSchema)]
pub struct ProcedureIndicators {
    pub id: Uuid,
    /// The observatory's id of the procedure.
    pub external_id: Option<String>,
    pub title: String,
    pub organisation_id: Uuid,
    pub is_essential: bool,
    pub is_public: bool,
    pub indicators: Indicators,
}

/// Every visible procedure's indicators over one window.
#[derive(Serialize, ToSchema)]
pub struct IndicatorList {
    pub window: Window,
    pub publication_threshold: i64,
    pub procedures: Vec<ProcedureIndicators>,
}

/// One procedure's indicators with their window.
#[derive(Serialize, ToSchema)]
pub struct OneProcedure {
    pub window: Window,
    pub publication_threshold: i64,
    #[serde(flatten)]
    pub procedure: ProcedureIndicators,
}

/// One bucket of a series.
#[derive(Serialize, ToSchema)]
pub struct Bucket {
    pub from: String,
    pub to: String,
    pub indicators: Indicators,
}

/// A procedure's indicators bucket by bucket.
#[derive(Serialize, ToSchema)]
pub struct Series {
    pub id: Uuid,
    pub external_id: Option<String>,
    pub title: String,
    pub interval: Interval,
    pub window: Window,
    pub publication_threshold: i64,
    pub series: Vec<Bucket>,
}

fn today() -> jiff::civil::Date {
    paris_day(Timestamp::now())
}

fn resolve(window: WindowQuery) -> Result<Window, ApiError> {
    window.resolve(today()).map_err(ApiError::InvalidRequest)
}

fn with_indicators(procedure: Procedure, indicators: Indicators) -> ProcedureIndicators {
    ProcedureIndicators {
        id: procedure.id,
        external_id: procedure.external_id,
        title: procedure.title,
        organisation_id: procedure.organisation_id,
        is_essential: procedure.is_essential,
        is_public: procedure.is_public,
        indicators,
    }
}

fn subject(p: &ProcedureIndicators) -> Subject<'_> {
    Subject::new(p.id, p.external_id.as_deref(), &p.title, p.organisation_id)
}

fn cache(public: bool) -> (header::HeaderName, &'static str) {
    let policy = if public {
        "public, max-age=300"
    } else {
        "private, no-store"
    };
    (header::CACHE_CONTROL, policy)
}

/// Indicators of the procedures passing `keep`, over the window the query names.
async fn list_response(
    req: &HttpRequest,
    state: &AppState,
    keep: impl Fn(&Procedure) -> bool,
    public: bool,
) -> Result<HttpResponse, ApiError> {
    let params = Params::of(req);
    let format = params.format(req)?;
    let window = resolve(params.window())?;
    let organisation = params.uuid("organisation")?;
    let only = params.uuid("procedure")?;
    let essential = params.flag("essential")?;
    // Both reads at once, each on its own connection.
    let (mut sums, listed) = tokio::try_join!(
        state.store.sum_counters(window.from, window.to, only),
        state.store.list_procedures(organisation),
    )?;
    let procedures: Vec<ProcedureIndicators> = listed
        .into_iter()
        .filter(|p| {
            keep(p)
                && only.is_none_or(|id| id == p.id)
                && essential.is_none_or(|e| e == p.is_essential)
        })
        .map(|p| {
            let counts = sums.remove(&p.id).unwrap_or_default();
            with_indicators(p, indicators::compute(&counts, state.publication_threshold))
        })
        .collect();
    match format {
        Format::Csv => {
            let rows = procedures
                .iter()
                .map(|p| (subject(p), window, &p.indicators));
            csv::respond(rows, "indicators.csv", cache(public))
        }
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header(cache(public))
            .json(IndicatorList {
                window,
                publication_threshold: state.publication_threshold,
                procedures,
            })),
    }
}

/// `GET /api/v1/indicators`: every procedure the key may see, in one call.
#[utoipa::path(
    operation_id = "indicators_list",
    tag = "observatory",
    params(WindowQuery, ListFilters),
    responses(
        (status = 200, description = "Indicators of every visible procedure (JSON, or CSV with `format=csv` or `Accept: text/csv`)", body = IndicatorList),
        (status = 401, description = "No key, or an unknown or revoked key", body = Problem),
        (status = 422, description = "Invalid window or filter", body = Problem),
    ),
    security(("api_key" = []))
)]
#[get("/indicators")]
pub async fn list(
    key: ReaderKey,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list_response(&req, &state, |p| key.0.sees(p.organisation_id), false).await
}

/// `GET /api/v1/public/indicators`: every procedure marked public, without a key.
#[utoipa::path(
    operation_id = "indicators_public_list",
    tag = "open data",
    params(WindowQuery, ListFilters),
    responses(
        (status = 200, description = "Indicators of every public procedure", body = IndicatorList),
        (status = 422, description = "Invalid window or filter", body = Problem),
    )
)]
#[get("/public/indicators")]
pub async fn public_list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list_response(&req, &state, |p| p.is_public, true).await
}

/// Filters of the indicator lists.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListFilters {
    /// Only this procedure.
    procedure: Option<Uuid>,
    /// Only this organisation's procedures.
    organisation: Option<Uuid>,
    /// Only essential procedures (`true`) or only the others (`false`).
    essential: Option<bool>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// The procedure behind `id` if the caller may read its indicators, and whether it reads them
/// as the public (no key) does.
pub(super) async fn readable_procedure(
    state: &AppState,
    key: &MaybeKey,
    id: &str,
) -> Result<(Procedure, bool), ApiError> {
    let hidden = || {
        if key.0.is_some() {
            ApiError::ProcedureNotFound
        } else {
            ApiError::MissingApiKey
        }
    };
    let id = Uuid::parse_str(id).map_err(|_| hidden())?;
    let procedure = state.store.find_procedure(id).await?.ok_or_else(hidden)?;
    match &key.0 {
        Some(key) if key.sees(procedure.organisation_id) => Ok((procedure, false)),
        None if procedure.is_public => Ok((procedure, true)),
        _ => Err(hidden()),
    }
}

/// `GET /api/v1/procedures/{id}/indicators`
#[utoipa::path(
    operation_id = "indicators_one",
    tag = "observatory",
    params(("id" = Uuid, Path, description = "Procedure id"), WindowQuery, ("format" = Option<String>, Query, description = "`json` (default) or `csv`")),
    responses(
        (status = 200, description = "The procedure's indicators; without a key only for public procedures", body = OneProcedure),
        (status = 401, description = "No key on a procedure that is not public, or an invalid key", body = Problem),
        (status = 404, description = "No such procedure visible to this key", body = Problem),
        (status = 422, description = "Invalid window", body = Problem),
    ),
    security((), ("api_key" = []))
)]
#[get("/procedures/{id}/indicators")]
pub async fn one(
    key: MaybeKey,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (procedure, public) = readable_procedure(&state, &key, &path).await?;
    let params = Params::of(&req);
    let format = params.format(&req)?;
    let window = resolve(params.window())?;
    let mut sums = state
        .store
        .sum_counters(window.from, window.to, Some(procedure.id))
        .await?;
    let counts = sums.remove(&procedure.id).unwrap_or_default();
    let procedure = with_indicators(
        procedure,
        indicators::compute(&counts, state.publication_threshold),
    );
    match format {
        Format::Csv => csv::respond(
            std::iter::once((subject(&procedure), window, &procedure.indicators)),
            "indicators.csv",
            cache(public),
        ),
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header(cache(public))
            .json(OneProcedure {
                window,
                publication_threshold: state.publication_threshold,
                procedure,
            })),
    }
}

/// `GET /api/v1/procedures/{id}/indicators/series`
#[utoipa::path(
    operation_id = "indicators_series",
    tag = "observatory",
    params(
        ("id" = Uuid, Path, description = "Procedure id"),
        ("interval" = Option<String>, Query, description = "`day`, `week` (Monday to Sunday) or `month` (default)"),
        WindowQuery,
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`"),
    ),
    responses(
        (status = 200, description = "Indicators bucket by bucket", body = Series),
        (status = 401, description = "No key on a procedure that is not public, or an invalid key", body = Problem),
        (status = 404, description = "No such procedure visible to this key", body = Problem),
        (status = 422, description = "Invalid window or interval, or too many buckets", body = Problem),
    ),
    security((), ("api_key" = []))
)]
#[get("/procedures/{id}/indicators/series")]
pub async fn series(
    key: MaybeKey,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (procedure, public) = readable_procedure(&state, &key, &path).await?;
    let params = Params::of(&req);
    let format = params.format(&req)?;
    let window = resolve(params.window())?;
    let interval = Interval::parse(params.get("interval").unwrap_or("month"))
        .map_err(ApiError::InvalidRequest)?;
    let buckets = interval.buckets(window).map_err(ApiError::InvalidRequest)?;
    let days = state
        .store
        .daily_counters(procedure.id, None, window.from, window.to)
        .await?;
    let series: Vec<Indicators> = breakdown::by_bucket(days, &buckets)
        .iter()
        .map(|counts| indicators::compute(counts, state.publication_threshold))
        .collect();
    let cache = cache(public);
    match format {
        Format::Csv => {
            let rows = buckets.iter().zip(&series).map(|(bucket, indicators)| {
                let subject = Subject::new(
                    procedure.id,
                    procedure.external_id.as_deref(),
                    &procedure.title,
                    procedure.organisation_id,
                );
                (subject, *bucket, indicators)
            });
            csv::respond(rows, "series.csv", cache)
        }
        Format::Json => Ok(HttpResponse::Ok().insert_header(cache).json(Series {
            id: procedure.id,
            external_id: procedure.external_id,
            title: procedure.title,
            interval,
            window,
            publication_threshold: state.publication_threshold,
            series: buckets
                .iter()
                .zip(series)
                .map(|(bucket, indicators)| Bucket {
                    from: bucket.from.to_string(),
                    to: bucket.to.to_string(),
                    indicators,
                })
                .collect(),
        })),
    }
}
