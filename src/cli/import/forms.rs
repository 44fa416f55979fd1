//! The incumbent's forms, kept beside the imported procedures (see migration 33), and the
//! reviews imported earlier noted again where forms changed since.
//!
//! An imported review is noted apart with the form it carried when that form does not count as
//! its button's does (see [`crate::domain::observatory::apart`]). Whether it does depends on the
//! button's form and its product's forms, which can change in the incumbent between two imports:
//! the procedure is then marked, before anything changes here, and its reviews are noted again
//! from the incumbent's database before new ones are imported. A mark is taken off once its
//! procedure is done, so an import stopped midway notes it again on the next run.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use uuid::Uuid;

use super::catalog::Buttons;
use super::source::Source;
use super::summary::Summary;
use crate::domain::observatory::{Form, apart};
use crate::store::Store;
use crate::store::legacy_forms::LegacyForm;

/// The forms of each imported procedure.
pub type Forms = HashMap<Uuid, Arc<[Form]>>;

/// Source reviews read at a time when noting again.
const READ: i64 = 50_000;

/// Reviews noted in one statement.
const NOTE: usize = 20_000;

/// Keeps the forms of the imported products; a form kept by an earlier import takes what the
/// incumbent says of it now, one it no longer has is forgotten. The procedures of `before` (those
/// imported by an earlier run) whose forms changed are marked to be noted again.
pub async fn import(
    source: &mut Source,
    store: &Store,
    write: bool,
    procedures: &HashMap<i64, Uuid>,
    before: &HashSet<Uuid>,
    summary: &mut Summary,
) -> anyhow::Result<Forms> {
    let mut held = store.legacy_forms().await?;
    let mut by_procedure: HashMap<Uuid, Vec<Form>> = HashMap::new();
    let mut changed = Vec::new();
    let mut marked = HashSet::new();
    for form in source.forms().await? {
        let Some(procedure) = procedures.get(&form.product_id) else {
            summary.forms.skipped("unknown_product", 1);
            continue;
        };
        by_procedure.entry(*procedure).or_default().push(Form {
            id: form.id,
            legacy: form.legacy,
        });
        let now = LegacyForm {
            procedure_id: *procedure,
            legacy: form.legacy,
            title: form.title,
        };
        match held.remove(&form.id) {
            Some(kept) if kept == now => summary.forms.skipped("already_imported", 1),
            Some(kept) => {
                if (kept.procedure_id, kept.legacy) != (now.procedure_id, now.legacy) {
                    marked.extend([kept.procedure_id, now.procedure_id]);
                }
                summary.forms.updated();
                changed.push((form.id, now));
            }
            None => {
                marked.insert(now.procedure_id);
                summary.forms.imported();
                changed.push((form.id, now));
            }
        }
    }
    // What is left the incumbent no longer has.
    let gone: Vec<i64> = held.keys().copied().collect();
    marked.extend(held.values().map(|form| form.procedure_id));
    if write {
        let marked: Vec<Uuid> = marked.into_iter().filter(|p| before.contains(p)).collect();
        store.mark_pending_notes(&marked).await?;
        store.save_legacy_forms(&changed).await?;
        store.forget_legacy_forms(&gone).await?;
    }
    Ok(by_procedure
        .into_iter()
        .map(|(procedure, forms)| (procedure, forms.into()))
        .collect())
}

/// Notes again the reviews of every marked procedure, from the incumbent's database.
pub async fn note_again(
    source: &mut Source,
    store: &Store,
    procedures: &HashMap<i64, Uuid>,
    buttons: &Buttons,
) -> anyhow::Result<()> {
    let pending = store.pending_notes().await?;
    if pending.is_empty() {
        return Ok(());
    }
    eprintln!(
        "noting again the forms carried by the reviews of {} procedures",
        pending.len()
    );
    for procedure in pending {
        let products: Vec<i64> = procedures
            .iter()
            .filter(|(_, id)| **id == procedure)
            .map(|(product, _)| *product)
            .collect();
        store.forget_review_forms(procedure).await?;
        let mut after = i64::MIN;
        let mut noted = Vec::new();
        loop {
            let reviews = source.review_forms(&products, after, READ).await?;
            let Some(last) = reviews.last() else {
                break;
            };
            after = last.0;
            for (review, button, carried) in reviews {
                if buttons
                    .get(&button)
                    .is_some_and(|target| apart(carried, target.form, &target.forms))
                {
                    noted.push((review, carried));
                }
            }
            if noted.len() >= NOTE {
                store.note_legacy_review_forms(&noted).await?;
                noted.clear();
            }
        }
        store.note_legacy_review_forms(&noted).await?;
        store.clear_pending_notes(procedure).await?;
    }
    Ok(())
}
