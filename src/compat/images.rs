//! The incumbent's button images, `/static/bouton-{bleu,blanc}-{clair,sombre}.svg`, that the
//! published links wrap: avis's own « Je donne mon avis » button, drawn here, in the incumbent's
//! four variants (a blue or white button, for a light or dark page) and at the size pages embed
//! them (200 × 85, the `width` and `height` the incumbent's snippets give).
//!
//! The images never change with data, so caches may keep them a month.

use actix_web::http::header;
use actix_web::{HttpResponse, route, web};

/// The colours of one variant.
struct Colours {
    fill: &'static str,
    stroke: &'static str,
    ink: &'static str,
}

/// The colours of `bouton-{colour}-{theme}`, if there is such a variant.
fn colours(colour: &str, theme: &str) -> Option<Colours> {
    Some(match (colour, theme) {
        // Blue France on a light page, its lighter tint on a dark one.
        ("bleu", "clair") => Colours {
            fill: "#000091",
            stroke: "#000091",
            ink: "#ffffff",
        },
        ("bleu", "sombre") => Colours {
            fill: "#8585f6",
            stroke: "#8585f6",
            ink: "#161616",
        },
        // Outlined: blue on white for a light page, white on the page's dark grey for a dark one.
        ("blanc", "clair") => Colours {
            fill: "#ffffff",
            stroke: "#000091",
            ink: "#000091",
        },
        ("blanc", "sombre") => Colours {
            fill: "#161616",
            stroke: "#ffffff",
            ink: "#ffffff",
        },
        _ => return None,
    })
}

/// The button: a rounded rectangle, a smiling face, and the words on two lines.
fn svg(colours: &Colours) -> String {
    let Colours { fill, stroke, ink } = colours;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="85" viewBox="0 0 200 85" role="img" aria-label="Je donne mon avis"><title>Je donne mon avis</title><rect x="1.5" y="1.5" width="197" height="82" rx="10" fill="{fill}" stroke="{stroke}" stroke-width="3"/><g fill="none" stroke="{ink}" stroke-width="3" stroke-linecap="round"><circle cx="42" cy="42.5" r="20"/><path d="M34 36.5v2M50 36.5v2M32.5 48q9.5 9 19 0"/></g><g fill="{ink}" font-family="Marianne,Arial,sans-serif" font-size="20" font-weight="700"><text x="76" y="38">Je donne</text><text x="76" y="62">mon avis</text></g></svg>"##
    )
}

#[route("/static/bouton-{colour}-{theme}.svg", method = "GET", method = "HEAD")]
pub async fn button(path: web::Path<(String, String)>) -> HttpResponse {
    let (colour, theme) = path.into_inner();
    match colours(&colour, &theme) {
        Some(colours) => HttpResponse::Ok()
            .content_type("image/svg+xml; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=2592000"))
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .body(svg(&colours)),
        // Another image name: avis's ordinary 404.
        None => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_variants_exist_and_no_other() {
        for colour in ["bleu", "blanc"] {
            for theme in ["clair", "sombre"] {
                let drawn = svg(&colours(colour, theme).unwrap());
                assert!(drawn.contains(r#"width="200" height="85""#), "{drawn}");
            }
        }
        assert!(colours("rouge", "clair").is_none());
        assert!(colours("bleu", "moyen").is_none());
    }
}
