//! The QR codes of a button's hosted questionnaire: public images that read back as its address.

use avis::startup::Options;
use reqwest::{Response, StatusCode};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

/// The text of the one QR code in a PNG answer, after checking the answer's headers.
async fn read_png(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    let bytes = response.bytes().await.unwrap();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn a_buttons_qr_codes_lead_to_its_hosted_questionnaire() {
    let app = spawn_app().await;
    let button = app.button().await;
    let questionnaire = format!("{}/f/{}", app.address, button.id);

    let png = app.get(&format!("/buttons/{}/qr.png", button.id)).await;
    // Without a public URL the address comes from the request: no shared cache keeps it.
    assert_eq!(png.headers()["cache-control"], "private, max-age=300");
    assert_eq!(read_png(png).await, questionnaire);
    // A forwarding header any client may send does not move the code elsewhere.
    let forged = app
        .client
        .get(format!("{}/buttons/{}/qr.png", app.address, button.id))
        .header("X-Forwarded-Host", "attacker.example")
        .header("Forwarded", "host=attacker.example;proto=https")
        .send()
        .await
        .unwrap();
    assert_eq!(read_png(forged).await, questionnaire);

    let svg = app.get(&format!("/buttons/{}/qr.svg", button.id)).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(
        svg.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    let svg = svg.text().await.unwrap();
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.contains(&format!("<title>QR code — {questionnaire}</title>")));
}

#[tokio::test]
async fn with_a_public_url_the_qr_code_leads_there() {
    let app = spawn_app_with(Options {
        public_url: Some("https://avis.example.gouv.fr".to_owned()),
        ..Options::default()
    })
    .await;
    let button = app.button().await;
    let png = app.get(&format!("/buttons/{}/qr.png", button.id)).await;
    assert_eq!(png.headers()["cache-control"], "public, max-age=86400");
    assert_eq!(
        read_png(png).await,
        format!("https://avis.example.gouv.fr/f/{}", button.id)
    );
}

#[tokio::test]
async fn a_closed_button_keeps_its_qr_code() {
    let app = spawn_app().await;
    let button = app.button().await;
    app.store.close_button(button.id).await.unwrap();
    let png = app.get(&format!("/buttons/{}/qr.png", button.id)).await;
    assert_eq!(
        read_png(png).await,
        format!("{}/f/{}", app.address, button.id)
    );
    let svg = app.get(&format!("/buttons/{}/qr.svg", button.id)).await;
    assert_eq!(svg.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_or_malformed_button_has_no_qr_code() {
    let app = spawn_app().await;
    let unknown = Uuid::now_v7().to_string();
    for id in [unknown.as_str(), "garbage", "0190a4b2-7c3e"] {
        for format in ["svg", "png"] {
            let response = app.get(&format!("/buttons/{id}/qr.{format}")).await;
            assert_problem(response, StatusCode::NOT_FOUND, "button_not_found").await;
        }
    }
}
