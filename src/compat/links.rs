//! The incumbent's review links, redirected to avis's hosted questionnaire of their button:
//!
//! - `/Demarches/{product_id}?button={button_id}`: the button, which must belong to that product;
//! - `/Demarches/avis/{form_id}?button={button_id}`: the button (its legacy id is enough to
//!   find it; every form's questionnaire is avis's own);
//! - `/Demarches/{xwiki_id}?view-mode=formulaire-avis&nd_source=…&key=…`, the XWiki era's: a
//!   link without `button` names a démarche by its XWiki id, and its button is the one whose
//!   legacy title is `nd_source`, else the one titled `button`, else the first (the incumbent's
//!   `webapp-form/src/pages/[id].tsx`). Open buttons are looked at before closed ones.
//!
//! Link checkers' `HEAD` gets the same answer as `GET`. The redirect is temporary (302) and not cached: where a link leads is avis's data, which can
//! change. A closed button still leads to its questionnaire, which tells the citizen it no
//! longer collects reviews; a link that leads nowhere gets a page that says so, never a bare 404.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, route, web};
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::pages::hosted;
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::compat::LegacyButton;

/// The legacy title of the button an XWiki-era link falls back on.
const DEFAULT_SOURCE: &str = "button";

/// A positive integer id as the incumbent's links carry it.
fn legacy_id(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    (!raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse().ok())
        .flatten()
}

fn redirect(button: Uuid) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, format!("/f/{button}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// The XWiki-era choice among a démarche's buttons (already in the order to look at them).
pub fn pick_xwiki_button<'a>(
    buttons: &'a [LegacyButton],
    nd_source: Option<&str>,
) -> Option<&'a LegacyButton> {
    let titled = |title: &str| {
        buttons
            .iter()
            .find(|b| b.legacy_source.as_deref() == Some(title))
    };
    nd_source
        .and_then(titled)
        .or_else(|| titled(DEFAULT_SOURCE))
        .or_else(|| buttons.first())
}

#[route("/Demarches/avis/{form_id}", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all, fields(form = %path))]
pub async fn by_form(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::of(&req);
    let button = match (legacy_id(&path), params.get("button").and_then(legacy_id)) {
        (Some(_), Some(button)) => state.store.legacy_button(button).await?,
        _ => None,
    };
    Ok(match button {
        Some(button) => redirect(button.id),
        None => hosted::unknown_link(&req),
    })
}

#[route("/Demarches/{product_id}", method = "GET", method = "HEAD")]
#[tracing::instrument(skip_all, fields(product = %path))]
pub async fn by_product(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(product) = legacy_id(&path) else {
        return Ok(hosted::unknown_link(&req));
    };
    let params = Params::of(&req);
    let button = match params.get("button").filter(|b| !b.is_empty()) {
        Some(raw) => match legacy_id(raw) {
            Some(button) => state
                .store
                .legacy_button(button)
                .await?
                .filter(|b| b.procedure_legacy_id == Some(product)),
            None => None,
        },
        None => match state.store.legacy_procedure(product, true).await? {
            Some(procedure) => {
                let buttons = state.store.legacy_buttons_of(procedure.id).await?;
                pick_xwiki_button(&buttons, params.get("nd_source")).cloned()
            }
            None => None,
        },
    };
    Ok(match button {
        Some(button) => redirect(button.id),
        None => hosted::unknown_link(&req),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn button(n: u128, source: Option<&str>) -> LegacyButton {
        LegacyButton {
            id: Uuid::from_u128(n),
            procedure_id: Uuid::nil(),
            procedure_legacy_id: Some(1),
            legacy_source: source.map(str::to_owned),
        }
    }

    #[test]
    fn an_xwiki_link_takes_its_source_then_the_button_titled_button_then_the_first() {
        let buttons = [
            button(1, Some("site")),
            button(2, Some("button")),
            button(3, Some("email")),
        ];
        let pick = |source| pick_xwiki_button(&buttons, source).map(|b| b.id.as_u128());
        assert_eq!(pick(Some("email")), Some(3));
        assert_eq!(pick(Some("courrier")), Some(2));
        assert_eq!(pick(None), Some(2));
        let untitled = [button(7, None), button(8, Some("site"))];
        assert_eq!(
            pick_xwiki_button(&untitled, Some("qr")).map(|b| b.id.as_u128()),
            Some(7)
        );
        assert!(pick_xwiki_button(&[], Some("site")).is_none());
    }

    #[test]
    fn ids_are_plain_digits() {
        assert_eq!(legacy_id("4079"), Some(4079));
        for bad in ["", "-1", "12abc", "1e3", "99999999999999999999"] {
            assert_eq!(legacy_id(bad), None, "{bad}");
        }
    }
}
