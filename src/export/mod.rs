//! Exports of the reviews matching a filter, excluded ones included (a column says which): the
//! rows, read from the store batch after batch along the list's cursor so that memory stays flat
//! whatever the size, written as a CSV stream ([`csv`]) or as a workbook built in the background
//! ([`job`], [`xlsx`]).

pub mod csv;
pub mod job;
pub mod xlsx;

use std::collections::HashMap;

use jiff::Timestamp;
use uuid::Uuid;

use crate::domain::export::{Cell, Layout, Review};
use crate::store::moderation::ReviewFilter;
use crate::store::{Store, StoreError};

/// Reviews read per query: about a megabyte of rows at a time.
pub const BATCH: i64 = 1_000;

/// What to export.
#[derive(Debug, Clone)]
pub struct Request {
    pub filter: ReviewFilter,
    pub layout: Layout,
}

/// The rows of a request, newest review first, one batch at a time.
pub struct Rows {
    store: Store,
    filter: ReviewFilter,
    layout: Layout,
    /// Titles of the procedures met so far.
    procedures: HashMap<Uuid, String>,
    /// Labels and sources of the buttons met so far.
    buttons: HashMap<Uuid, (String, String)>,
    finished: bool,
}

impl Rows {
    pub fn new(store: Store, request: Request) -> Rows {
        let mut filter = request.filter;
        filter.excluded = None;
        filter.limit = BATCH;
        filter.offset = 0;
        Rows {
            store,
            filter,
            layout: request.layout,
            procedures: HashMap::new(),
            buttons: HashMap::new(),
            finished: false,
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The next batch, or `None` once every review has been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Vec<Cell>>>, StoreError> {
        if self.finished {
            return Ok(None);
        }
        let reviews = self.store.list_reviews(&self.filter).await?;
        self.finished = (reviews.len() as i64) < BATCH;
        let Some(last) = reviews.last() else {
            return Ok(None);
        };
        self.filter.after = Some(last.into());
        let contacts = if self.layout.contacts {
            let ids: Vec<Uuid> = reviews.iter().map(|r| r.id).collect();
            self.store.contact_emails_of(&ids, Timestamp::now()).await?
        } else {
            HashMap::new()
        };
        let mut rows = Vec::with_capacity(reviews.len());
        for review in &reviews {
            self.learn(review.procedure_id, review.button_id).await?;
            let (button_label, button_source) = &self.buttons[&review.button_id];
            rows.push(self.layout.row(&Review {
                id: review.id,
                created_at: review.created_at,
                procedure_id: review.procedure_id,
                procedure_title: &self.procedures[&review.procedure_id],
                button_id: review.button_id,
                button_label,
                button_source,
                questionnaire_version: review.questionnaire_version,
                excluded_reason: review.excluded_reason.as_deref(),
                answers: &review.answers,
                contact_email: contacts.get(&review.id).map(String::as_str),
            }));
        }
        Ok(Some(rows))
    }

    /// Reads the title of a procedure and the label of a button the first time they appear.
    async fn learn(&mut self, procedure: Uuid, button: Uuid) -> Result<(), StoreError> {
        if !self.procedures.contains_key(&procedure) {
            let found = self.store.find_procedure(procedure).await?;
            self.procedures
                .insert(procedure, found.map(|p| p.title).unwrap_or_default());
        }
        if !self.buttons.contains_key(&button) {
            let found = self.store.find_button(button).await?;
            let named = found.map(|b| (b.label, b.source)).unwrap_or_default();
            self.buttons.insert(button, named);
        }
        Ok(())
    }
}
