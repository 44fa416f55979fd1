//! Static files built into the binary: the widget, its stylesheet, the hosted pages' stylesheet,
//! and the « Je donne mon avis » button image.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha384};
use uuid::Uuid;

use super::query::Params;
use crate::domain::questionnaire::{Lang, TITLE};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

/// One embedded file with its validators.
struct Asset {
    body: &'static str,
    content_type: &'static str,
}

const WIDGET: Asset = Asset {
    body: include_str!("../../widget/dist/widget.js"),
    content_type: "text/javascript; charset=utf-8",
};
const WIDGET_STEPS: Asset = Asset {
    body: include_str!("../../widget/dist/widget-steps.js"),
    content_type: "text/javascript; charset=utf-8",
};
const WIDGET_PROOF: Asset = Asset {
    body: include_str!("../../widget/dist/widget-proof.js"),
    content_type: "text/javascript; charset=utf-8",
};
const WIDGET_CSS: Asset = Asset {
    body: include_str!("../../widget/dist/widget.css"),
    content_type: "text/css; charset=utf-8",
};
const PAGES_CSS: Asset = Asset {
    body: include_str!("../../widget/src/pages.css"),
    content_type: "text/css; charset=utf-8",
};

const ADMIN_CSS: Asset = Asset {
    body: include_str!("../../widget/src/admin.css"),
    content_type: "text/css; charset=utf-8",
};
const ADMIN_SCRIPT: Asset = Asset {
    body: include_str!("../../widget/src/admin.js"),
    content_type: "text/javascript; charset=utf-8",
};

impl Asset {
    fn etag(&self) -> String {
        let digest = Sha256::digest(self.body.as_bytes());
        format!("\"{}\"", crate::domain::secret::hex(&digest[..8]))
    }

    /// The file, or 304 when the client already has this version.
    fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let etag = self.etag();
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str());
        let mut response = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header((header::ETAG, etag))
            // Short enough for a new version to reach every page within the hour.
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"));
        if fresh {
            response.finish()
        } else {
            response.content_type(self.content_type).body(self.body)
        }
    }
}

/// The Subresource Integrity value of the widget script, for administrations that pin it.
pub fn widget_integrity() -> &'static str {
    static INTEGRITY: OnceLock<String> = OnceLock::new();
    INTEGRITY.get_or_init(|| {
        format!(
            "sha384-{}",
            STANDARD.encode(Sha384::digest(WIDGET.body.as_bytes()))
        )
    })
}

#[utoipa::path(operation_id = "widget_script", tag = "pages", responses((status = 200, description = "The widget script", content_type = "text/javascript", body = String)))]
#[get("/widget.js")]
pub async fn widget(req: HttpRequest) -> HttpResponse {
    WIDGET.respond(&req)
}

#[utoipa::path(operation_id = "widget_steps_script", tag = "pages", responses((status = 200, description = "The widget's optional questions, loaded after the first answer", content_type = "text/javascript", body = String)))]
#[get("/widget-steps.js")]
pub async fn widget_steps(req: HttpRequest) -> HttpResponse {
    WIDGET_STEPS.respond(&req)
}

#[utoipa::path(operation_id = "widget_proof_script", tag = "pages", responses((status = 200, description = "The widget's proof-of-work solver, loaded when a button asks for a proof", content_type = "text/javascript", body = String)))]
#[get("/widget-proof.js")]
pub async fn widget_proof(req: HttpRequest) -> HttpResponse {
    WIDGET_PROOF.respond(&req)
}

#[utoipa::path(operation_id = "widget_stylesheet", tag = "pages", responses((status = 200, description = "The widget's styles, for browsers without constructable stylesheets", content_type = "text/css", body = String)))]
#[get("/widget.css")]
pub async fn widget_css(req: HttpRequest) -> HttpResponse {
    WIDGET_CSS.respond(&req)
}

#[utoipa::path(operation_id = "pages_stylesheet", tag = "pages", responses((status = 200, description = "The hosted pages' styles", content_type = "text/css", body = String)))]
#[get("/assets/avis.css")]
pub async fn pages_css(req: HttpRequest) -> HttpResponse {
    PAGES_CSS.respond(&req)
}

#[utoipa::path(operation_id = "backoffice_stylesheet", tag = "pages", responses((status = 200, description = "The back-office's styles, on top of the hosted pages' ones", content_type = "text/css", body = String)))]
#[get("/assets/admin.css")]
pub async fn admin_css(req: HttpRequest) -> HttpResponse {
    ADMIN_CSS.respond(&req)
}

#[utoipa::path(operation_id = "backoffice_script", tag = "pages", responses((status = 200, description = "The back-office's progressive script: copy buttons", content_type = "text/javascript", body = String)))]
#[get("/assets/admin.js")]
pub async fn admin_script(req: HttpRequest) -> HttpResponse {
    ADMIN_SCRIPT.respond(&req)
}

/// The button image: the label on a rounded rectangle with a smiling face.
pub fn button_svg(lang: Lang, dark: bool) -> String {
    let label = TITLE.get(lang);
    let (background, foreground) = if dark {
        ("#8585f6", "#161616")
    } else {
        ("#000091", "#ffffff")
    };
    let width = 56 + label.chars().count() * 9;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="48" viewBox="0 0 {width} 48" role="img" aria-label="{label}"><title>{label}</title><rect width="{width}" height="48" rx="6" fill="{background}"/><g fill="none" stroke="{foreground}" stroke-width="2" stroke-linecap="round"><circle cx="26" cy="24" r="11"/><path d="M21 21v1M31 21v1M20.5 27q5.5 5 11 0"/></g><text x="46" y="30" fill="{foreground}" font-family="Marianne,Arial,sans-serif" font-size="16" font-weight="700">{label}</text></svg>"##
    )
}

#[utoipa::path(
    operation_id = "button_image",
    tag = "pages",
    params(("id" = Uuid, Path, description = "Button id"), ("lang" = Option<String>, Query, description = "`fr` (default) or `en`"), ("theme" = Option<String>, Query, description = "`light` (default) or `dark`")),
    responses((status = 200, description = "The « Je donne mon avis » button image", content_type = "image/svg+xml", body = String), (status = 404, description = "No such button", body = Problem))
)]
#[get("/buttons/{id}.svg")]
pub async fn button_image(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path).map_err(|_| ApiError::ButtonNotFound)?;
    state
        .store
        .find_button_recent(id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    let params = Params::of(&req);
    let lang = params.get("lang").and_then(Lang::parse).unwrap_or_default();
    let dark = params.get("theme") == Some("dark");
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(button_svg(lang, dark)))
}
