//! The hosted questionnaire at `/f/{button}`: the target of the « Je donne mon avis » button, of
//! email links and QR codes. Server-rendered, one step per page, works without JavaScript:
//! each step posts, then redirects to the next (post/redirect/get).
//!
//! The first form carries a signed, expiring token bound to its button; later steps carry the
//! review's edit token, as the API does.

mod forms;
mod pages;
mod text;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use jiff::Timestamp;
use serde_json::{Map, json};
use uuid::Uuid;

use self::forms::{field, form_fields, step_answers};
use self::text::words;
use crate::domain::FieldError;
use crate::domain::answers::Answers;
use crate::domain::answers_patch::AnswersPatch;
use crate::domain::questionnaire::Lang;
use crate::domain::secret;
use crate::error::{ApiError, Problem};
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::catalog::Button;
use crate::store::reviews::Update;

/// How long the first form of a page stays valid.
const FORM_TOKEN_SECONDS: i64 = 2 * 3_600;

/// Headers of every hosted page: no script, no framing, no referrer, no sniffing.
fn page(status: actix_web::http::StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

fn ok(html: String) -> HttpResponse {
    page(actix_web::http::StatusCode::OK, html)
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// `?lang=`, else `Accept-Language`, else French.
fn lang_of(req: &HttpRequest, form: Option<&[(String, String)]>) -> Lang {
    let from_form = form
        .and_then(|f| f.iter().find(|(k, _)| k == "lang"))
        .and_then(|(_, v)| Lang::parse(v));
    let from_query = Params::of(req).get("lang").and_then(Lang::parse);
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|part| Lang::parse(part.split(';').next().unwrap_or_default().trim()))
        });
    from_form.or(from_query).or(accepted).unwrap_or_default()
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// The open button behind `id`, or the page that says why there is none.
async fn open_button(
    state: &AppState,
    id: &str,
    lang: Lang,
) -> Result<Result<Button, HttpResponse>, ApiError> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(ApiError::ButtonNotFound);
    };
    let button = state
        .store
        .find_button_recent(id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    if !button.is_open {
        let w = words(lang);
        return Ok(Err(page(
            actix_web::http::StatusCode::GONE,
            pages::notice(lang, w.closed_title, w.closed),
        )));
    }
    Ok(Ok(button))
}

/// The page for a link that leads to no button (the incumbent's links, see
/// [`crate::compat`]): 404, in the visitor's language, with the hosted pages' layout.
pub fn unknown_link(req: &HttpRequest) -> HttpResponse {
    let lang = lang_of(req, None);
    let w = words(lang);
    page(
        actix_web::http::StatusCode::NOT_FOUND,
        pages::notice(lang, w.unknown_link_title, w.unknown_link),
    )
}

fn form_token(state: &AppState, button: Uuid) -> String {
    let expires = Timestamp::now().as_second() + FORM_TOKEN_SECONDS;
    state.signing_key.sign(&format!("form:{button}"), expires)
}

#[utoipa::path(
    operation_id = "hosted_first_step",
    tag = "pages",
    params(("id" = Uuid, Path, description = "Button id"), ("lang" = Option<String>, Query, description = "`fr` or `en`")),
    responses((status = 200, description = "The first question, as an HTML page", content_type = "text/html", body = String), (status = 404, description = "No such button", body = Problem), (status = 410, description = "The button is closed", content_type = "text/html", body = String))
)]
#[get("/f/{id}")]
pub async fn start(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req, None);
    let button = match open_button(&state, &path, lang).await? {
        Ok(button) => button,
        Err(closed) => return Ok(closed),
    };
    Ok(ok(pages::first(lang, &form_token(&state, button.id), &[])))
}

#[utoipa::path(
    operation_id = "hosted_first_answer",
    tag = "pages",
    params(("id" = Uuid, Path, description = "Button id")),
    request_body(content = String, description = "`form_token`, `satisfaction`, `lang`", content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Created; on to the next step"), (status = 403, description = "Expired or forged form", content_type = "text/html", body = String), (status = 404, description = "No such button", body = Problem), (status = 410, description = "The button is closed", content_type = "text/html", body = String), (status = 422, description = "No answer chosen", content_type = "text/html", body = String), (status = 429, description = "Too many requests from this address", body = Problem), (status = 503, description = "Too many reviews waiting to be written; try again shortly", body = Problem))
)]
#[post("/f/{id}")]
pub async fn answer_first(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::routes::client::check_address(&req, &state)?;
    let form = form_fields(body).await?;
    let lang = lang_of(&req, Some(&form));
    let w = words(lang);
    let button = match open_button(&state, &path, lang).await? {
        Ok(button) => button,
        Err(closed) => return Ok(closed),
    };
    let now = Timestamp::now();
    let token_ok = field(&form, "form_token").is_some_and(|token| {
        state
            .signing_key
            .verify(token, &format!("form:{}", button.id), now.as_second())
    });
    if !token_ok {
        return Ok(page(
            actix_web::http::StatusCode::FORBIDDEN,
            pages::notice(lang, w.expired_title, w.expired),
        ));
    }
    state
        .limits
        .button(button.id)
        .map_err(crate::routes::client::limited("button"))?;
    let answers = Map::from_iter([(
        "satisfaction".to_owned(),
        json!(field(&form, "satisfaction").unwrap_or_default()),
    )]);
    let parsed =
        AnswersPatch::parse(&answers).and_then(|patch| patch.apply_to(&Answers::default()));
    let Ok(answers) = parsed else {
        let errors = [("satisfaction".to_owned(), w.pick_one.to_owned())];
        let html = pages::first(lang, &form_token(&state, button.id), &errors);
        return Ok(page(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            html,
        ));
    };
    let trap = field(&form, crate::routes::api::reviews::HONEYPOT).map(|v| json!(v));
    let (review, token) = crate::routes::api::reviews::store_new(
        &req,
        &state,
        address,
        &button,
        answers,
        0,
        trap.as_ref(),
        "hosted",
    )
    .await?;
    Ok(see_other(step_url(button.id, review.id, 2, &token, lang)))
}

fn step_url(button: Uuid, review: Uuid, step: u8, token: &str, lang: Lang) -> String {
    format!(
        "/f/{button}/{review}?step={step}&lang={}&t={token}",
        lang_code(lang)
    )
}

/// The review behind the path if `token` is its edit token and still valid.
async fn own_review(
    state: &AppState,
    path: &(String, String),
    token: &str,
    lang: Lang,
) -> Result<Result<(Uuid, Answers), HttpResponse>, ApiError> {
    let (Ok(button), Ok(review_id)) = (Uuid::parse_str(&path.0), Uuid::parse_str(&path.1)) else {
        return Err(ApiError::ReviewNotFound);
    };
    let review = state
        .store
        .find_review(review_id)
        .await?
        .filter(|r| r.button_id == button)
        .ok_or(ApiError::ReviewNotFound)?;
    if review.edit_token_hash != secret::hash(token)
        || Timestamp::now() > review.edit_token_expires_at
    {
        let w = words(lang);
        return Ok(Err(page(
            actix_web::http::StatusCode::FORBIDDEN,
            pages::notice(lang, w.expired_title, w.expired),
        )));
    }
    Ok(Ok((button, review.answers)))
}

#[utoipa::path(
    operation_id = "hosted_later_step",
    tag = "pages",
    params(("button" = Uuid, Path, description = "Button id"), ("review" = Uuid, Path, description = "Review id"), ("step" = Option<u8>, Query, description = "2, 3 or 4"), ("t" = String, Query, description = "The review's edit token")),
    responses((status = 200, description = "An optional step, as an HTML page", content_type = "text/html", body = String), (status = 403, description = "Wrong or expired token", content_type = "text/html", body = String), (status = 404, description = "No such review", body = Problem))
)]
#[get("/f/{button}/{review}")]
pub async fn show_step(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req, None);
    let params = Params::of(&req);
    let token = params.get("t").unwrap_or_default().to_owned();
    let (_, answers) = match own_review(&state, &path, &token, lang).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    Ok(ok(match params.get("step") {
        Some("3") => pages::reached_and_quality(lang, &token, &answers),
        Some("4") => {
            let button = state
                .store
                .find_button_recent(Uuid::parse_str(&path.0).map_err(|_| ApiError::ButtonNotFound)?)
                .await?;
            pages::comment(lang, &token, button.is_some_and(|b| b.asks_contact_email))
        }
        _ => pages::clarity_and_help(lang, &token),
    }))
}

#[utoipa::path(
    operation_id = "hosted_later_answer",
    tag = "pages",
    params(("button" = Uuid, Path, description = "Button id"), ("review" = Uuid, Path, description = "Review id")),
    request_body(content = String, description = "`t`, `step`, `lang`, `action` and the step's answers", content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved; on to the next step"), (status = 403, description = "Wrong or expired token", content_type = "text/html", body = String), (status = 404, description = "No such review", body = Problem), (status = 422, description = "Invalid answers", body = Problem), (status = 429, description = "Too many requests from this address", body = Problem), (status = 503, description = "Too many reviews waiting to be written; try again shortly", body = Problem))
)]
#[post("/f/{button}/{review}")]
pub async fn answer_step(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    crate::routes::client::check_address(&req, &state)?;
    let form = form_fields(body).await?;
    let lang = lang_of(&req, Some(&form));
    let token = field(&form, "t").unwrap_or_default().to_owned();
    let (button, mut answers) = match own_review(&state, &path, &token, lang).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let review_id = Uuid::parse_str(&path.1).map_err(|_| ApiError::ReviewNotFound)?;
    let step = field(&form, "step").unwrap_or("2").to_owned();
    let mut email_skipped = false;
    if field(&form, "action") != Some("skip") {
        let mut changes = step_answers(&step, &form);
        // Without the consent ticked, the address must not be kept: say so on the last page.
        if changes.get("contact_consent") == Some(&json!(false)) {
            changes.remove("contact_email");
            changes.remove("contact_consent");
            email_skipped = true;
        }
        if !changes.is_empty() {
            let patch = AnswersPatch::parse(&changes).map_err(ApiError::InvalidAnswers)?;
            if patch.contact_email().is_some() {
                let offering = state
                    .store
                    .find_button_recent(button)
                    .await?
                    .ok_or(ApiError::ButtonNotFound)?;
                crate::routes::api::reviews::check_contact(&patch, &offering)?;
            }
            let token_hash = secret::hash(&token);
            let patch = std::sync::Arc::new(patch);
            let decided = patch.clone();
            let outcome = state
                .writer
                .amend(
                    review_id,
                    Timestamp::now(),
                    patch.redactions(),
                    move |review| {
                        if review.edit_token_hash != token_hash {
                            let wrong = FieldError::new("t", "is not this review's token");
                            return Err(ApiError::InvalidAnswers(vec![wrong]));
                        }
                        decided
                            .apply_to(&review.answers)
                            .map_err(ApiError::InvalidAnswers)
                    },
                )
                .await?;
            answers = match outcome {
                Update::Done(answers) => {
                    crate::routes::api::reviews::apply_contact(&state, review_id, &patch).await?;
                    answers
                }
                Update::NotFound => return Err(ApiError::ReviewNotFound),
                Update::Refused(refusal) => return Err(refusal),
            };
        }
    }
    let tried_administration = answers
        .contact_tried
        .iter()
        .flatten()
        .any(|c| c.is_administration());
    let next = match step.as_str() {
        "2" if tried_administration => 3,
        "2" | "3" => 4,
        _ => {
            let note = if email_skipped { "&email=skipped" } else { "" };
            return Ok(see_other(format!(
                "/f/{button}/merci?lang={}{note}",
                lang_code(lang)
            )));
        }
    };
    Ok(see_other(step_url(button, review_id, next, &token, lang)))
}

#[utoipa::path(
    operation_id = "hosted_thanks",
    tag = "pages",
    params(("button" = Uuid, Path, description = "Button id"), ("lang" = Option<String>, Query, description = "`fr` or `en`")),
    responses((status = 200, description = "The thank-you page", content_type = "text/html", body = String))
)]
#[get("/f/{button}/merci")]
pub async fn thanks(req: HttpRequest) -> HttpResponse {
    let skipped = Params::of(&req).get("email") == Some("skipped");
    ok(pages::thanks(lang_of(&req, None), skipped))
}

#[utoipa::path(
    operation_id = "demo_page",
    tag = "pages",
    responses((status = 200, description = "A sample procedure page with the widget embedded (with `avis serve --demo`)", content_type = "text/html", body = String), (status = 404, description = "Not serving the demo", body = Problem))
)]
#[get("/demo")]
pub async fn demo(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let button = state.demo_button.ok_or(ApiError::ButtonNotFound)?;
    let html = pages::demo(lang_of(&req, None), button);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(html))
}
