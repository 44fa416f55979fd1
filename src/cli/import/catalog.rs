//! Entities, products and buttons become organisations, procedures and buttons, each keeping its
//! legacy id; forms are kept beside the procedures (see [`super::forms`]), and each button keeps
//! its form. One already imported (same legacy id) is not created again: a second import adds
//! what the incumbent created since, and gives the entities, products and buttons imported
//! before what the incumbent says of them now (name, title, flags, volume, closing, form), the
//! incumbent being the reference until the cut-over.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use uuid::Uuid;

use super::forms::{self, Forms};
use super::source::{self, Source};
use super::summary::Summary;
use crate::domain::catalog::{Name, Tag};
use crate::domain::observatory::Form;
use crate::domain::time::from_millis;
use crate::store::Store;
use crate::store::catalog::{NewButton, NewProcedure};
use crate::store::legacy::{ImportedButton, ImportedButtonState, ImportedProcedure, LegacyButton};

/// An imported button as its reviews are written: where they go, and what tells whether one is
/// noted apart with the form it carried (see [`crate::domain::observatory::apart`]).
pub struct Target {
    pub button: ImportedButton,
    pub form: Option<i64>,
    pub forms: Arc<[Form]>,
}

/// The buttons reviews can be imported for, by legacy id.
pub type Buttons = HashMap<i64, Target>;

/// What the catalog import gives the reviews' import: the procedures and buttons, by legacy id.
pub struct Catalog {
    pub procedures: HashMap<i64, Uuid>,
    pub buttons: Buttons,
}

/// Imports the catalog; with `write` false, only counts what it would do.
pub async fn import(
    source: &mut Source,
    store: &Store,
    write: bool,
    summary: &mut Summary,
) -> anyhow::Result<Catalog> {
    let organisations = organisations(source, store, write, summary).await?;
    let before: HashSet<Uuid> = store.imported_procedures().await?.into_values().collect();
    let procedures = procedures(source, store, write, &organisations, summary).await?;
    let forms = forms::import(source, store, write, &procedures, &before, summary).await?;
    let buttons = buttons(source, store, write, &procedures, &forms, summary).await?;
    Ok(Catalog {
        procedures,
        buttons,
    })
}

/// A name or title fit for avis (at most [`Name::MAX_CHARS`] characters), or `fallback` when
/// the incumbent's is blank.
fn name(raw: &str, fallback: String) -> anyhow::Result<Name> {
    let short: String = raw.trim().chars().take(Name::MAX_CHARS).collect();
    Name::parse(&short)
        .or_else(|_| Name::parse(&fallback))
        .map_err(anyhow::Error::msg)
}

/// The name an entity takes in avis: its own, unless another organisation (`own` being its
/// own, when imported already) has it: names are unique in avis, and one created here by hand
/// keeps its own.
async fn organisation_name(
    store: &Store,
    entity: &source::Entity,
    own: Option<Uuid>,
) -> anyhow::Result<Name> {
    let title = name(&entity.name, format!("Entité {}", entity.id))?;
    let taken = store
        .find_organisation_by_name(&title)
        .await?
        .is_some_and(|other| Some(other.id) != own);
    if !taken {
        return Ok(title);
    }
    let suffix = format!(" (JDMA {})", entity.id);
    let kept = Name::MAX_CHARS - suffix.chars().count();
    let short: String = title.as_str().chars().take(kept).collect();
    name(&format!("{}{suffix}", short.trim_end()), suffix)
}

async fn organisations(
    source: &mut Source,
    store: &Store,
    write: bool,
    summary: &mut Summary,
) -> anyhow::Result<HashMap<i64, Uuid>> {
    let mut known = store.imported_organisations().await?;
    for entity in source.entities().await? {
        if let Some(id) = known.get(&entity.id) {
            let Some(mut held) = store.find_organisation(*id).await? else {
                continue;
            };
            let title = organisation_name(store, &entity, Some(*id)).await?;
            if title.as_str() == held.name {
                summary.organisations.skipped("already_imported", 1);
            } else {
                if write {
                    held.name = title.as_str().to_owned();
                    store.save_organisation(&held).await?;
                }
                summary.organisations.updated();
            }
            continue;
        }
        let title = organisation_name(store, &entity, None).await?;
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
    forms: &Forms,
    summary: &mut Summary,
) -> anyhow::Result<Buttons> {
    let states = store.imported_button_states().await?;
    let forms_of = |procedure: &Uuid| forms.get(procedure).cloned().unwrap_or(Arc::from([]));
    // Buttons imported earlier keep the form they have, unless the incumbent says otherwise.
    let mut known: Buttons = store
        .imported_buttons()
        .await?
        .into_iter()
        .map(|(legacy, button)| {
            let target = Target {
                button,
                form: states.get(&legacy).and_then(|held| held.legacy_form),
                forms: forms_of(&button.procedure_id),
            };
            (legacy, target)
        })
        .collect();
    let tag = Tag::parse("jdma").map_err(anyhow::Error::msg)?;
    for button in source.buttons().await? {
        if let Some(target) = known.get_mut(&button.id) {
            target.form = Some(button.form_id);
        }
        if let Some(held) = states.get(&button.id) {
            let now = ImportedButtonState {
                label: name(&button.title, held.label.clone())?.as_str().to_owned(),
                is_test: button.is_test,
                closed: held.closed || button.deleted_at.is_some(),
                legacy_source: button.xwiki_title.clone(),
                legacy_form: Some(button.form_id),
                ..held.clone()
            };
            if now == *held {
                summary.buttons.skipped("already_imported", 1);
            } else {
                if write {
                    if now.legacy_form != held.legacy_form
                        && let Some(target) = known.get(&button.id)
                    {
                        // Its reviews count under another form: noted again before it moves.
                        store
                            .mark_pending_notes(&[target.button.procedure_id])
                            .await?;
                    }
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
            let legacy = LegacyButton {
                id: button.id,
                source: button.xwiki_title.as_deref(),
                form: Some(button.form_id),
            };
            store
                .create_imported_button(
                    &new,
                    legacy,
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
        let target = Target {
            button: imported,
            form: Some(button.form_id),
            forms: forms_of(procedure),
        };
        known.insert(button.id, target);
        summary.buttons.imported();
    }
    Ok(known)
}
