//! Query-string parameters, read by hand so that every bad value gets a named field error.

use actix_web::HttpRequest;
use actix_web::http::header;
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::window::WindowQuery;
use crate::error::ApiError;

/// The decoded `name=value` pairs of a request's query string.
pub struct Params(Vec<(String, String)>);

/// How a response body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::InvalidRequest(vec![FieldError::new(field, message)])
}

impl Params {
    pub fn of(req: &HttpRequest) -> Params {
        Params(
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn window(&self) -> WindowQuery {
        let owned = |name: &str| self.get(name).map(str::to_owned);
        WindowQuery {
            window: owned("window"),
            at: owned("at"),
            from: owned("from"),
            to: owned("to"),
        }
    }

    pub fn uuid(&self, name: &str) -> Result<Option<Uuid>, ApiError> {
        self.get(name)
            .map(|raw| Uuid::parse_str(raw).map_err(|_| invalid(name, "must be a UUID")))
            .transpose()
    }

    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(invalid(name, "must be true or false")),
        }
    }

    /// `?format=` when given, else CSV when the client accepts it and not JSON first.
    pub fn format(&self, req: &HttpRequest) -> Result<Format, ApiError> {
        match self.get("format") {
            Some("json") => return Ok(Format::Json),
            Some("csv") => return Ok(Format::Csv),
            Some(_) => return Err(invalid("format", "must be json or csv")),
            None => {}
        }
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let position = |mime: &str| accept.find(mime);
        Ok(match (position("text/csv"), position("application/json")) {
            (Some(csv), Some(json)) if json < csv => Format::Json,
            (Some(_), _) => Format::Csv,
            _ => Format::Json,
        })
    }
}
