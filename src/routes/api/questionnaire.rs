//! `GET /api/v1/buttons/{id}/questionnaire`: what a button asks, in the citizen's language.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::questionnaire::{self, CURRENT_VERSION, Kind, Lang, QUESTIONS};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
struct Questionnaire {
    button_id: Uuid,
    procedure_id: Uuid,
    version: i64,
    lang: Lang,
    title: &'static str,
    intro: &'static str,
    questions: Vec<QuestionView>,
}

#[derive(Serialize, ToSchema)]
struct QuestionView {
    code: &'static str,
    label: &'static str,
    #[serde(rename = "type")]
    kind: Kind,
    required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<OptionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    asked_for: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_length: Option<usize>,
    /// For the contact address: the consent to tick, sent as `contact_consent: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    consent: Option<&'static str>,
}

#[derive(Serialize, ToSchema)]
struct OptionView {
    value: &'static str,
    label: &'static str,
}

/// The questionnaire a button shows, with every label in the citizen's language.
#[utoipa::path(
    operation_id = "questionnaire_show",
    tag = "reviews",
    params(
        ("id" = Uuid, Path, description = "Button id"),
        ("lang" = Option<String>, Query, description = "`fr` or `en`; default from `Accept-Language`, else `fr`"),
    ),
    responses(
        (status = 200, description = "The questionnaire", body = Questionnaire),
        (status = 404, description = "No such button", body = Problem),
        (status = 410, description = "The button is closed", body = Problem),
        (status = 422, description = "Unsupported language", body = Problem),
    )
)]
#[get("/buttons/{id}/questionnaire")]
#[tracing::instrument(skip_all, fields(button = %path))]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_lang(&req)?;
    let button = crate::routes::client::open_button(&state, &path).await?;
    let offered = button
        .asks_contact_email
        .then_some(&questionnaire::CONTACT_EMAIL);
    let questions = QUESTIONS
        .iter()
        .chain(offered)
        .map(|q| QuestionView {
            code: q.code,
            label: q.label.get(lang),
            kind: q.kind,
            required: q.required,
            options: q
                .options
                .iter()
                .map(|(value, text)| OptionView {
                    value,
                    label: text.get(lang),
                })
                .collect(),
            asked_for: q.asked_for,
            max_length: q.max_chars,
            consent: (q.code == questionnaire::CONTACT_EMAIL.code)
                .then(|| questionnaire::CONTACT_CONSENT.get(lang)),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::VARY, "Accept-Language"))
        .json(Questionnaire {
            button_id: button.id,
            procedure_id: button.procedure_id,
            version: CURRENT_VERSION,
            lang,
            title: questionnaire::TITLE.get(lang),
            intro: questionnaire::INTRO.get(lang),
            questions,
        }))
}

/// `?lang=` when given (and then it must be supported), else the first supported language of
/// `Accept-Language`, else French.
fn requested_lang(req: &HttpRequest) -> Result<Lang, ApiError> {
    let asked = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == "lang")
        .map(|(_, value)| value.into_owned());
    if let Some(tag) = asked {
        return Lang::parse(&tag).ok_or_else(|| {
            ApiError::InvalidRequest(vec![FieldError::new("lang", "must be \"fr\" or \"en\"")])
        });
    }
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(accepted
        .split(',')
        .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or_default().trim()))
        .next()
        .unwrap_or_default())
}
