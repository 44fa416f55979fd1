//! Entities, products and buttons become organisations, procedures and buttons, each keeping its
//! legacy id. One already imported (same legacy id) is not created again: a second import adds
//! what the incumbent created since, and gives the products and buttons imported before what
//! the incumbent says of them now (title, flags, volume, closing), the incumbent being the
//! reference until the cut-over.

use std::collections::HashMap;

use jiff::Timestamp;
use uuid::Uuid;

use super::source::{self, Source};
use super::summary::Summary;
use crate::domain::catalog::{Name, Tag};
use crate::domain::time::from_millis;
use crate::store::Store;
use crate::store::catalog::{NewButton, NewProcedure};
use crate::store::legacy::{ImportedButton, ImportedButtonState, ImportedProcedure};

/// The buttons reviews can be imported for, by legacy id.
pub type Buttons = HashMap<i64, ImportedButton>;

/// Imports the catalog; with `write` false, only counts what it would do.
pub async fn import(
    source: &mut Source,
    store: &Store,
    write: bool,
    summary: &mut Summary,
) -> anyhow::Result<Buttons> {
    let organisations = organisations(source, store, write, summary).await?;
    let procedures = procedures(source, store, write, &organisations, summary).await?;
    buttons(source, store, write, &procedures, summary).await
}

/// A name or title fit for avis (at most [`Name::MAX_CHARS`] characters), or `fallback` when
/// the incumbent's is blank.
fn name(raw: &str, fallback: String) -> anyhow::Result<Name> {
    let short: String = raw.trim().chars().take(Name::MAX_CHARS).collect();
    Name::parse(&short)
        .or_else(|_| Name::parse(&fallback))
        .map_err(anyhow::Error::msg)
}

async fn organisations(
    source: &mut Source,
    store: &Store,
    write: bool,
    summary: &mut Summary,
) -> anyhow::Result<HashMap<i64, Uuid>> {
    let mut known = store.imported_organisations().await?;
    for entity in source.entities().await? {
        if known.contains_key(&entity.id) {
            summary.organisations.skipped("already_imported", 1);
            continue;
        }
        let mut title = name(&entity.name, format!("Entité {}", entity.id))?;
        // Names are unique in avis: one created here by hand keeps its own.
        if store.organisation_name_taken(&title).await? {
            let suffix = format!(" (JDMA {})", entity.id);
            let kept = Name::MAX_CHARS - suffix.chars().count();
            let short: String = title.as_str().chars().take(kept).collect();
            title = name(&format!("{}{suffix}", short.trim_end()), suffix)?;
        }
        let id = if write {
            store
                .create_imported_organisation(&title, entity.id, from_millis(entity.created_at))
                .await?
        } else {
            Uuid::now_v7()
        };
        known.insert(entity.id, id);
        summary.organisations.imported();
    }
    Ok(known)
}

async fn procedures(
    source: &mut Source,
    store: &Store,
    write: bool,
    organisations: &HashMap<i64, Uuid>,
    summary: &mut Summary,
) -> anyhow::Result<HashMap<i64, Uuid>> {
    let mut known = store.imported_procedures().await?;
    let states = store.imported_procedure_states().await?;
    for product in source.products().await? {
        if let Some(held) = states.get(&product.id) {
            let now = ImportedProcedure {
                title: name(&product.title, held.title.clone())?
                    .as_str()
                    .to_owned(),
                is_essential: product.essential,
                is_public: product.is_public,
                yearly_volume: product.volume.filter(|v| *v >= 0),
                closed: held.closed || product.archived,
                ..held.clone()
            };
            if now == *held {
                summary.procedures.skipped("already_imported", 1);
            } else {
                if write {
                    let closing = (now.closed && !held.closed).then(Timestamp::now);
                    store.update_imported_procedure(&now, closing).await?;
                }
                summary.procedures.updated();
            }
            continue;
        }
        let Some(organisation) = organisations.get(&product.entity_id) else {
            summary.procedures.skipped("unknown_entity", 1);
            continue;
        };
        let id = if write {
            create_procedure(store, *organisation, &product).await?
        } else {
            Uuid::now_v7()
        };
        known.insert(product.id, id);
        summary.procedures.imported();
    }
    Ok(known)
}

async fn create_procedure(
    store: &Store,
    organisation: Uuid,
    product: &source::Product,
) -> anyhow::Result<Uuid> {
    // The observatory knows a procedure by its product id: it becomes the external id unless a
    // procedure created here by hand already holds it.
    let external = Tag::parse(&product.id.to_string()).ok();
    let external = match external {
        Some(tag) if store.find_procedure_by_external_id(&tag).await?.is_none() => Some(tag),
        _ => None,
    };
    let new = NewProcedure {
        organisation_id: organisation,
        title: name(&product.title, format!("Démarche {}", product.id))?,
        external_id: external,
        is_essential: product.essential,
        is_public: product.is_public,
        yearly_volume: product.volume.filter(|v| *v >= 0),
    };
    let id = store
        .create_imported_procedure(
            &new,
            (product.id, product.xwiki_id),
            from_millis(product.created_at),
        )
        .await?;
    if product.archived {
        store.close_procedure(id).await?;
    }
    Ok(id)
}

async fn buttons(
    source: &mut Source,
    store: &Store,
    write: bool,
    procedures: &HashMap<i64, Uuid>,
    summary: &mut Summary,
) -> anyhow::Result<Buttons> {
    let mut known = store.imported_buttons().await?;
    let states = store.imported_button_states().await?;
    let tag = Tag::parse("jdma").map_err(anyhow::Error::msg)?;
    for button in source.buttons().await? {
        if let Some(held) = states.get(&button.id) {
            let now = ImportedButtonState {
                label: name(&button.title, held.label.clone())?.as_str().to_owned(),
                is_test: button.is_test,
                closed: held.closed || button.deleted_at.is_some(),
                legacy_source: button.xwiki_title.clone(),
                ..held.clone()
            };
            if now == *held {
                summary.buttons.skipped("already_imported", 1);
            } else {
                if write {
                    let closing = button.deleted_at.filter(|_| !held.closed).map(from_millis);
                    store.update_imported_button(&now, closing).await?;
                }
                summary.buttons.updated();
            }
            continue;
        }
        let Some(procedure) = procedures.get(&button.product_id) else {
            summary.buttons.skipped("unknown_product", 1);
            continue;
        };
        let new = NewButton {
            procedure_id: *procedure,
            label: name(&button.title, format!("Bouton {}", button.id))?,
            source: tag.clone(),
            allowed_origins: Vec::new(),
            is_test: button.is_test,
        };
        let imported = if write {
            store
                .create_imported_button(
                    &new,
                    (button.id, button.xwiki_title.as_deref()),
                    from_millis(button.created_at),
                    button.deleted_at.map(from_millis),
                )
                .await?
        } else {
            ImportedButton {
                id: Uuid::now_v7(),
                procedure_id: *procedure,
            }
        };
        known.insert(button.id, imported);
        summary.buttons.imported();
    }
    Ok(known)
}
