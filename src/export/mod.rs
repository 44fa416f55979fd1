//! Exports of the reviews matching a filter, excluded ones included (a column says which): the
//! rows, read from the store batch after batch along the list's cursor so that memory stays flat
//! whatever the size, written as a CSV stream ([`csv`]) or as a workbook built in the background
//! ([`job`], [`xlsx`]).

pub mod csv;
pub mod job;
pub mod xlsx;

use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;
use uuid::Uuid;

use crate::domain::export::{Cell, Layout, Review};
use crate::store::review_list::ReviewFilter;
use crate::store::reviews::StoredReview;
use crate::store::{Store, StoreError};

/// Reviews read per query: about a megabyte of rows at a time.
pub const BATCH: i64 = 1_000;

/// What to export.
#[derive(Debug, Clone)]
pub struct Request {
    pub filter: ReviewFilter,
    pub layout: Layout,
}

/// The rows of a request, one batch at a time: procedure after procedure (by title), each
/// one's reviews newest first. Each procedure is read along its own index with the list's
/// cursor, so the whole export costs one pass however many reviews it holds; a cursor over
/// several procedures at once would sort what remains of them all at every batch.
pub struct Rows {
    store: Store,
    filter: ReviewFilter,
    layout: Layout,
    /// The procedures still to read, once known.
    pending: Option<VecDeque<Uuid>>,
    /// The filter of the procedure being read, its cursor moving on.
    current: Option<ReviewFilter>,
    /// Titles of the procedures met so far.
    procedures: HashMap<Uuid, String>,
    /// Labels and sources of the buttons met so far.
    buttons: HashMap<Uuid, (String, String)>,
}

impl Rows {
    pub fn new(store: Store, request: Request) -> Rows {
        let mut filter = request.filter;
        filter.excluded = None;
        filter.after = None;
        filter.limit = BATCH;
        filter.offset = 0;
        Rows {
            store,
            filter,
            layout: request.layout,
            pending: None,
            current: None,
            procedures: HashMap::new(),
            buttons: HashMap::new(),
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The next batch, or `None` once every review has been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Vec<Cell>>>, StoreError> {
        loop {
            if self.current.is_none() {
                if self.pending.is_none() {
                    self.pending = Some(self.procedures_to_read().await?);
                }
                let next = self.pending.as_mut().and_then(VecDeque::pop_front);
                let Some(procedure) = next else {
                    return Ok(None);
                };
                self.current = Some(ReviewFilter {
                    procedure: Some(procedure),
                    ..self.filter.clone()
                });
            }
            let Some(filter) = self.current.as_mut() else {
                continue;
            };
            let reviews = self.store.list_reviews(filter).await?;
            match reviews.last() {
                Some(last) if reviews.len() as i64 == BATCH => filter.after = Some(last.into()),
                _ => self.current = None,
            }
            if !reviews.is_empty() {
                return Ok(Some(self.rows(&reviews).await?));
            }
        }
    }

    /// The procedures the filter names, or those of its organisation (of all, without one).
    async fn procedures_to_read(&mut self) -> Result<VecDeque<Uuid>, StoreError> {
        if let Some(procedure) = self.filter.procedure {
            return Ok(VecDeque::from([procedure]));
        }
        if let Some(button) = self.filter.button {
            let found = self.store.find_button(button).await?;
            return Ok(found.map(|b| b.procedure_id).into_iter().collect());
        }
        let listed = self.store.list_procedures(self.filter.organisation).await?;
        Ok(listed
            .into_iter()
            .map(|p| {
                self.procedures.insert(p.id, p.title);
                p.id
            })
            .collect())
    }

    async fn rows(&mut self, reviews: &[StoredReview]) -> Result<Vec<Vec<Cell>>, StoreError> {
        let contacts = if self.layout.contacts {
            let ids: Vec<Uuid> = reviews.iter().map(|r| r.id).collect();
            self.store.contact_emails_of(&ids, Timestamp::now()).await?
        } else {
            HashMap::new()
        };
        let mut rows = Vec::with_capacity(reviews.len());
        for review in reviews {
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
        Ok(rows)
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
