//! Why a back-office page could not be shown, as a page: a person gets HTML, never a problem
//! document. Signed-out requests are sent to sign in; an object outside the person's
//! organisations is "not found", as in the API; a role too low, or a form without its token, is
//! "forbidden"; the cause of an internal error goes to the log only.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use maud::html;

use crate::domain::questionnaire::Lang;
use crate::store::StoreError;
use crate::views::layout::{Frame, page};
use crate::views::words::W;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not signed in: sign in, then come back to `next`.
    #[error("not signed in")]
    SignIn { next: String },
    #[error("not found")]
    NotFound(Lang),
    #[error("forbidden")]
    Forbidden(Lang),
    #[error("too many failed sign-ins")]
    TooManyAttempts { lang: Lang, retry_after: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for PageError {
    fn from(err: StoreError) -> PageError {
        PageError::Internal(err.into())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (lang, title, text) = match self {
            PageError::SignIn { next } => {
                let target = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next)
                    .finish();
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/admin/login?{target}")))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
            PageError::NotFound(lang) => (*lang, W::NotFoundTitle, W::NotFound),
            PageError::Forbidden(lang) => (*lang, W::ForbiddenTitle, W::Forbidden),
            PageError::TooManyAttempts { lang, .. } => {
                (*lang, W::TooManyAttemptsTitle, W::TooManyAttempts)
            }
            PageError::Internal(err) => {
                tracing::error!(error = ?err, "back-office page failed");
                (Lang::default(), W::ErrorTitle, W::Error)
            }
        };
        let frame = Frame {
            lang,
            title: title.text(lang),
            viewer: None,
            current: None,
            refresh: None,
        };
        let body = html! {
            h1 { (title.text(lang)) }
            p { (text.text(lang)) }
            p { a href="/admin/" { (W::BackHome.text(lang)) } }
        };
        let mut response = super::html(self.status_code(), page(&frame, body));
        if let PageError::TooManyAttempts { retry_after, .. } = self
            && let Ok(value) = retry_after.to_string().parse()
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
