//! Pure types and rules of avis: no I/O, no HTTP, no SQL.
//!
//! Everything a client or an operator sends is parsed into these types once, at the edge.

pub mod aggregate;
pub mod alerts;
pub mod answers;
pub mod answers_patch;
pub mod breakdown;
pub mod burst;
pub mod catalog;
pub mod duplicates;
pub mod embed;
pub mod export;
pub mod indicators;
pub mod mail;
pub mod network;
pub mod observatory;
pub mod people;
pub mod questionnaire;
pub mod redact;
pub mod search;
pub mod secret;
pub mod statistiques;
pub mod text;
pub mod time;
pub mod webhooks;
pub mod window;

use serde::Serialize;

/// A change to one optional value: set it, or clear it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    Set(T),
    Clear,
}

impl<T> Change<T> {
    /// Applies the change to the slot holding the value.
    pub fn apply_to(self, slot: &mut Option<T>) {
        *slot = match self {
            Change::Set(value) => Some(value),
            Change::Clear => None,
        };
    }
}

/// One invalid field of a request, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Names the field of an error raised about a bare value.
    pub fn under(self, field: &str) -> FieldError {
        if self.field.is_empty() {
            FieldError::new(field, self.message)
        } else {
            self
        }
    }
}
