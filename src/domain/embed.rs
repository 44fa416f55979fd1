//! The ready-to-paste ways of offering a button's questionnaire, from the service's public
//! address and the button's id: the same text in the administration API and the back-office.

use uuid::Uuid;

/// Every snippet of one button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippets {
    /// The inline widget: one tag where the questionnaire should appear.
    pub script: String,
    /// The same tag pinned to the current widget by its Subresource Integrity value.
    pub pinned_script: String,
    /// The « Je donne mon avis » image linking to the hosted questionnaire, light and dark.
    pub image: String,
    pub image_dark: String,
    /// The hosted questionnaire's address, for emails, letters and QR codes.
    pub link: String,
    pub qr_svg: String,
    pub qr_png: String,
}

/// The snippets of button `id` served at `base` (no trailing slash); `integrity` is the
/// widget's SRI value.
pub fn snippets(base: &str, id: Uuid, integrity: &str) -> Snippets {
    let link = format!("{base}/f/{id}");
    let image = |query: &str| {
        format!(
            r#"<a href="{link}"><img src="{base}/buttons/{id}.svg{query}" alt="Je donne mon avis" height="48"></a>"#
        )
    };
    Snippets {
        script: format!(r#"<script src="{base}/widget.js" data-button="{id}" async></script>"#),
        pinned_script: format!(
            r#"<script src="{base}/widget.js" integrity="{integrity}" crossorigin="anonymous" data-button="{id}" async></script>"#
        ),
        image: image(""),
        image_dark: image("?theme=dark"),
        qr_svg: format!("{base}/buttons/{id}/qr.svg"),
        qr_png: format!("{base}/buttons/{id}/qr.png"),
        link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snippet_points_at_the_button_on_the_public_address() {
        let id = Uuid::nil();
        let s = snippets("https://avis.example.fr", id, "sha384-abc");
        assert_eq!(s.link, format!("https://avis.example.fr/f/{id}"));
        assert!(
            s.script
                .contains(r#"src="https://avis.example.fr/widget.js""#)
        );
        assert!(
            s.pinned_script
                .contains(r#"integrity="sha384-abc" crossorigin="anonymous""#)
        );
        assert!(
            s.image_dark
                .contains(&format!("/buttons/{id}.svg?theme=dark"))
        );
        assert!(s.image.contains(&format!(r#"href="{}""#, s.link)));
        assert_eq!(
            s.qr_png,
            format!("https://avis.example.fr/buttons/{id}/qr.png")
        );
    }
}
