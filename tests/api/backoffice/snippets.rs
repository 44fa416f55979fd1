//! A button's page gives the very snippets the administration API gives, ready to paste, the
//! widget tag pinned by its integrity hash among them.

use avis::domain::catalog::Scope;
use serde_json::Value;

use super::{World, page_text};
use crate::helpers::spawn_app;

/// Text as maud writes it inside an element.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[tokio::test]
async fn a_buttons_page_shows_the_snippets_of_the_api_and_the_pinned_widget() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let key = app.key(Scope::Admin, None).await;
    let api: Value = app
        .get_with(&format!("/api/v1/buttons/{}", world.button.id), &key)
        .await
        .json()
        .await
        .unwrap();
    let embed = &api["embed"];
    let member = world.browser(&app, Some(&world.member)).await;
    let page = page_text(
        member
            .get(&format!("/admin/buttons/{}", world.button.id))
            .await,
    )
    .await;
    for snippet in ["script", "button", "link"] {
        let text = embed[snippet].as_str().unwrap();
        assert!(page.contains(&escaped(text)), "{snippet}: {text}");
    }
    let integrity = embed["integrity"].as_str().unwrap();
    assert!(integrity.starts_with("sha384-"));
    let pinned = format!(
        r#"integrity="{integrity}" crossorigin="anonymous" data-button="{}""#,
        world.button.id
    );
    assert!(page.contains(&escaped(&pinned)), "the pinned widget tag");
    for image in [".svg\"", "/qr.svg\"", "/qr.png\""] {
        let path = format!("/buttons/{}{image}", world.button.id);
        assert!(page.contains(&path), "{path}");
    }
    // The live preview is the widget itself, told to send nothing.
    assert!(page.contains(&format!(
        r##"<script src="/widget.js" data-button="{}" data-container="#widget-preview" data-lang="fr" data-preview async>"##,
        world.button.id
    )));
    // A member reads the snippets but gets no form to change the button.
    assert!(!page.contains(&format!(
        "action=\"/admin/buttons/{}/close\"",
        world.button.id
    )));
}
