//! `/`: what this service is, with links to the back-office, the API documentation and the
//! open data.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get};
use maud::html;

use crate::accounts::session::request_lang;
use crate::domain::questionnaire::Lang;
use crate::views::layout::{Frame, page};
use crate::views::words::W;

#[utoipa::path(
    operation_id = "landing_page",
    tag = "pages",
    params(("lang" = Option<String>, Query, description = "`fr` or `en`")),
    responses((status = 200, description = "What this service is, as an HTML page", content_type = "text/html", body = String))
)]
#[get("/")]
pub async fn show(req: HttpRequest) -> HttpResponse {
    let lang = request_lang(&req);
    let w = |word: W| word.text(lang);
    let other = match lang {
        Lang::Fr => "en",
        Lang::En => "fr",
    };
    let body = html! {
        h1 { (w(W::LandingTitle)) }
        p { (w(W::LandingIntro)) }
        h2 { (w(W::LandingAgents)) }
        p { (w(W::LandingAgentsText)) }
        p { a class="button" href="/admin/" { (w(W::GoToBackOffice)) } }
        h2 { (w(W::LandingDevelopers)) }
        ul {
            li { a href="/api/docs/" { (w(W::LandingApi)) } }
            li { a href="/api/v1/public/indicators" { (w(W::LandingOpenData)) } " (JSON, " a href="/api/v1/public/indicators?format=csv" { "CSV" } ")" }
        }
        p { a href=(format!("/?lang={other}")) lang=(other) { (w(W::OtherLanguage)) } }
    };
    let frame = Frame {
        lang,
        title: w(W::Site),
        viewer: None,
        current: None,
        refresh: None,
    };
    super::html(StatusCode::OK, page(&frame, body))
}
