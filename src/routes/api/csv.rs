//! Indicators as CSV: UTF-8, one header row, one row per procedure (or bucket) and indicator,
//! numbers with a dot, so it opens cleanly in a spreadsheet and parses trivially in a script;
//! and any table of figures as a CSV download for people, with a byte-order mark.

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::domain::indicators::Indicators;
use crate::domain::window::Window;
use crate::error::ApiError;

const HEADER: [&str; 14] = [
    "procedure_id",
    "external_id",
    "title",
    "from",
    "to",
    "indicator",
    "value",
    "n",
    "ci95_low",
    "ci95_high",
    "level",
    "publishable",
    "distribution",
    "organisation_id",
];

/// One procedure's identity as CSV cells.
pub struct Subject<'a> {
    pub procedure_id: String,
    pub external_id: Option<&'a str>,
    pub title: &'a str,
    pub organisation_id: String,
}

impl<'a> Subject<'a> {
    pub fn new(
        id: uuid::Uuid,
        external_id: Option<&'a str>,
        title: &'a str,
        organisation: uuid::Uuid,
    ) -> Subject<'a> {
        Subject {
            procedure_id: id.to_string(),
            external_id,
            title,
            organisation_id: organisation.to_string(),
        }
    }
}

/// Writes rows for each (subject, window, indicators) and wraps them in a response.
pub fn respond<'a>(
    rows: impl Iterator<Item = (Subject<'a>, Window, &'a Indicators)>,
    filename: &str,
    cache: (header::HeaderName, &'static str),
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| ApiError::Internal(e.into());
    writer.write_record(HEADER).map_err(failed)?;
    for (subject, window, indicators) in rows {
        for (name, indicator) in indicators.named() {
            let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let distribution: Vec<String> = indicator
                .distribution
                .iter()
                .map(|(k, n)| format!("{k}={n}"))
                .collect();
            writer
                .write_record([
                    subject.procedure_id.as_str(),
                    subject.external_id.unwrap_or_default(),
                    subject.title,
                    &window.from.to_string(),
                    &window.to.to_string(),
                    name,
                    &number(indicator.value),
                    &indicator.n.to_string(),
                    &number(indicator.ci95.map(|ci| ci[0])),
                    &number(indicator.ci95.map(|ci| ci[1])),
                    indicator.level.map(level_code).unwrap_or_default(),
                    if indicator.publishable {
                        "true"
                    } else {
                        "false"
                    },
                    &distribution.join(";"),
                    subject.organisation_id.as_str(),
                ])
                .map_err(failed)?;
        }
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{filename}\""),
        ))
        .insert_header(cache)
        .body(body))
}

/// A table as CSV for people's spreadsheets: UTF-8 with a byte-order mark (so that accents
/// open right), commas between cells, and quotes around those that need them.
pub fn download(
    header: &[&str],
    rows: Vec<Vec<String>>,
    filename: &str,
    cache: (header::HeaderName, &'static str),
) -> Result<HttpResponse, csv::Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(cache)
        .body(body))
}

/// A number as a cell: with a dot, empty when there is none.
pub fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn level_code(level: crate::domain::indicators::Level) -> &'static str {
    use crate::domain::indicators::Level;
    match level {
        Level::Good => "good",
        Level::Medium => "medium",
        Level::Bad => "bad",
    }
}
