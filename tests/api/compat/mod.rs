//! `--jdma-compat`: the incumbent's review links, button images, the observatory's pull and its
//! robot's `setTop250`, the services and statistics scripts read, over procedures and buttons
//! imported with their legacy ids.

mod imported;
mod links;
mod observatory;
mod open_api;
mod reference;
mod statistiques;

use avis::domain::catalog::{Name, Tag};
use avis::startup::Options;
use avis::store::catalog::{NewButton, NewProcedure};
use avis::store::legacy::LegacyButton;
use avis::store::legacy_forms::LegacyForm;
use jiff::Timestamp;
use uuid::Uuid;

use crate::helpers::{TestApp, http_client, spawn_app_with};

pub async fn spawn_compat() -> TestApp {
    spawn_app_with(Options {
        jdma_compat: true,
        ..Options::default()
    })
    .await
}

/// A client that does not follow redirects.
pub fn no_redirects() -> reqwest::Client {
    http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An imported button: its avis id and the incumbent's.
#[derive(Debug, Clone, Copy)]
pub struct Imported {
    pub id: Uuid,
    pub legacy: i64,
    pub procedure: Uuid,
}

/// An imported procedure (product `legacy`, XWiki démarche `legacy + 10_000`, with one legacy
/// form, `legacy` too) and its buttons on that form, one per `(legacy id, legacy title, is_test,
/// closed)`.
pub async fn product(
    app: &TestApp,
    legacy: i64,
    public: bool,
    buttons: &[(i64, Option<&str>, bool, bool)],
) -> (Uuid, Vec<Imported>) {
    let now = Timestamp::now();
    let organisation = app
        .store
        .create_imported_organisation(
            &Name::parse(&format!("Entité {legacy}")).unwrap(),
            legacy,
            now,
        )
        .await
        .unwrap();
    let procedure = app
        .store
        .create_imported_procedure(
            &NewProcedure {
                organisation_id: organisation,
                title: Name::parse(&format!("Démarche {legacy}")).unwrap(),
                external_id: None,
                is_essential: false,
                is_public: public,
                yearly_volume: None,
            },
            (legacy, Some(legacy + 10_000)),
            now,
        )
        .await
        .unwrap();
    let form = LegacyForm {
        procedure_id: procedure,
        legacy: true,
        title: format!("Formulaire {legacy}"),
    };
    app.store
        .save_legacy_forms(&[(legacy, form)])
        .await
        .unwrap();
    let mut imported = Vec::new();
    for (id, source, is_test, closed) in buttons {
        let button = app
            .store
            .create_imported_button(
                &NewButton {
                    procedure_id: procedure,
                    label: Name::parse(&format!("Bouton {id}")).unwrap(),
                    source: Tag::parse("jdma").unwrap(),
                    allowed_origins: Vec::new(),
                    is_test: *is_test,
                },
                LegacyButton {
                    id: *id,
                    source: *source,
                    form: Some(legacy),
                },
                now,
                closed.then_some(now),
            )
            .await
            .unwrap();
        imported.push(Imported {
            id: button.id,
            legacy: *id,
            procedure,
        });
    }
    (procedure, imported)
}
