//! HTML for people: the citizens' hosted questionnaire, the landing page, the back-office and the
//! public dashboards of procedures marked public.

pub mod backoffice;
pub mod dashboard;
pub mod error;
pub mod hosted;
pub mod landing;
pub mod public;
pub mod unsubscribe;

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};

/// A back-office or landing page with its headers: scripts and styles of our own only, no
/// framing, no referrer beyond the origin, never cached (pages show what a person may see).
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// 303 to `location`, after a form (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
