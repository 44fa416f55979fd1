//! `GET /api/v1/procedures/{id}/badge.svg`: a public procedure's satisfaction as a small image an
//! administration can show on its site (score, number of reviews, level colour).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::auth::MaybeKey;
use super::indicators::readable_procedure;
use crate::domain::indicators::{self, Indicator, Level};
use crate::domain::questionnaire::Lang;
use crate::domain::time::paris_day;
use crate::domain::window::WindowQuery;
use crate::error::{ApiError, Problem};
use crate::routes::query::Params;
use crate::startup::AppState;

/// Colours of the French State design system's success, warning and error tones.
fn colour(indicator: &Indicator) -> &'static str {
    match (indicator.publishable, indicator.level) {
        (true, Some(Level::Good)) => "#18753c",
        (true, Some(Level::Medium)) => "#b34000",
        (true, Some(Level::Bad)) => "#ce0500",
        _ => "#666666",
    }
}

/// `1234567` as `1 234 567` (French) or `1,234,567` (English).
fn grouped(n: i64, lang: Lang) -> String {
    let digits = n.to_string();
    let separator = if lang == Lang::Fr { '\u{202f}' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn message(indicator: &Indicator, lang: Lang) -> String {
    let n = grouped(indicator.n, lang);
    match (lang, indicator.value) {
        (Lang::Fr, Some(v)) if indicator.publishable => {
            format!("{}/10 · {n} avis", format!("{v:.1}").replace('.', ","))
        }
        (Lang::En, Some(v)) if indicator.publishable => format!("{v:.1}/10 · {n} reviews"),
        (Lang::Fr, _) => format!("{n} avis, pas encore assez"),
        (Lang::En, _) => format!("{n} reviews, not enough yet"),
    }
}

/// Approximate width of a text in 11 px Verdana-like type.
fn text_width(text: &str) -> usize {
    text.chars().count() * 7 + 10
}

pub fn svg(indicator: &Indicator, lang: Lang) -> String {
    let label = "Satisfaction";
    let value = message(indicator, lang);
    let (left, right) = (text_width(label), text_width(&value));
    let width = left + right;
    let fill = colour(indicator);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label} : {value}"><title>{label} : {value}</title><rect width="{left}" height="20" fill="#3a3a3a"/><rect x="{left}" width="{right}" height="20" fill="{fill}"/><g fill="#fff" font-family="Marianne,Arial,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{value}</text></g></svg>"##,
        lx = left / 2,
        rx = left + right / 2,
    )
}

#[utoipa::path(
    operation_id = "badge",
    tag = "open data",
    params(("id" = uuid::Uuid, Path, description = "Procedure id"), WindowQuery, ("lang" = Option<String>, Query, description = "`fr` (default) or `en`")),
    responses(
        (status = 200, description = "An SVG image of the satisfaction score", content_type = "image/svg+xml", body = String),
        (status = 401, description = "The procedure is not public", body = Problem),
        (status = 422, description = "A bad window or date", body = Problem),
    )
)]
#[get("/procedures/{id}/badge.svg")]
pub async fn badge(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (procedure, _) = readable_procedure(&state, &MaybeKey(None), &path).await?;
    let params = Params::of(&req);
    let lang = params.get("lang").and_then(Lang::parse).unwrap_or_default();
    let window = params
        .window()
        .resolve(paris_day(jiff::Timestamp::now()))
        .map_err(ApiError::InvalidRequest)?;
    let mut sums = state
        .store
        .sum_counters(window.from, window.to, Some(procedure.id))
        .await?;
    let counts = sums.remove(&procedure.id).unwrap_or_default();
    let satisfaction = indicators::compute(&counts, state.publication_threshold).satisfaction;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(svg(&satisfaction, lang)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_the_french_or_english_way() {
        assert_eq!(grouped(1_234_567, Lang::Fr), "1\u{202f}234\u{202f}567");
        assert_eq!(grouped(1_234, Lang::En), "1,234");
        assert_eq!(grouped(999, Lang::Fr), "999");
    }
}
