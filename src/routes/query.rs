//! Query-string parameters, read by hand so that every bad value gets a named field error.

use actix_web::HttpRequest;
use actix_web::http::header;
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::answers::{Channel, Satisfaction, Score};
use crate::domain::search::SearchTerms;
use crate::domain::window::WindowQuery;
use crate::error::ApiError;
use crate::store::review_list::{HelpFilter, ReviewFilter};

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

/// The filters a list of reviews, and its exports, take from a query string. An empty value is
/// no filter, as a form's « all » choice sends it.
pub struct ReviewQuery {
    pub filter: ReviewFilter,
    /// The last review of the previous page, if this is a later page.
    pub after: Option<Uuid>,
}

impl Params {
    fn given(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    fn given_flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.given(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(invalid(name, "must be true or false")),
        }
    }

    fn given_date(&self, name: &str) -> Result<Option<jiff::civil::Date>, ApiError> {
        self.given(name)
            .map(|raw| {
                raw.parse()
                    .map_err(|_| invalid(name, "must be a date as YYYY-MM-DD"))
            })
            .transpose()
    }

    fn given_uuid(&self, name: &str) -> Result<Option<Uuid>, ApiError> {
        self.given(name)
            .map(|raw| Uuid::parse_str(raw).map_err(|_| invalid(name, "must be a UUID")))
            .transpose()
    }

    /// The review filters of this query string: `procedure`, `button`, `from`, `to`,
    /// `satisfaction`, `comprehension`, `help`, `comment`, `contact`, `excluded`, `q` and `after`.
    pub fn reviews(&self) -> Result<ReviewQuery, ApiError> {
        let satisfaction = self
            .given("satisfaction")
            .map(|raw| {
                Satisfaction::parse(raw)
                    .ok_or_else(|| invalid("satisfaction", "must be bad, medium or good"))
            })
            .transpose()?;
        let comprehension = self
            .given("comprehension")
            .map(|raw| {
                raw.parse::<u8>()
                    .ok()
                    .and_then(|n| Score::try_from(n).ok())
                    .ok_or_else(|| invalid("comprehension", "must be an integer from 1 to 5"))
            })
            .transpose()?;
        let help = self
            .given("help")
            .map(|raw| match raw {
                "any" => Ok(HelpFilter::Any),
                code => Channel::parse(code)
                    .map(HelpFilter::Channel)
                    .ok_or_else(|| invalid("help", "must be any, none or a channel's code")),
            })
            .transpose()?;
        let from = self.given_date("from")?;
        let to = self.given_date("to")?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(invalid("to", "must not be before from"));
        }
        let filter = ReviewFilter {
            procedure: self.given_uuid("procedure")?,
            button: self.given_uuid("button")?,
            excluded: self.given_flag("excluded")?,
            search: self.given("q").and_then(SearchTerms::parse),
            from,
            to,
            satisfaction,
            comprehension,
            help,
            has_comment: self.given_flag("comment")?,
            has_contact: self.given_flag("contact")?,
            ..ReviewFilter::default()
        };
        Ok(ReviewQuery {
            filter,
            after: self.given_uuid("after")?,
        })
    }
}
