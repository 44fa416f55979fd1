//! Pure types and rules of avis: no I/O, no HTTP, no SQL.
//!
//! Everything a client or an operator sends is parsed into these types once, at the edge.

pub mod aggregate;
pub mod answers;
pub mod answers_patch;
pub mod catalog;
pub mod questionnaire;
pub mod secret;
pub mod text;
pub mod time;

use serde::Serialize;

/// One invalid field of a request, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
