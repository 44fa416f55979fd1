//! The administration API (scope `admin`): organisations, procedures, buttons and keys.
//!
//! A key limited to an organisation sees and changes only what belongs to it; anything else
//! answers 404, exactly as if it did not exist.

pub mod buttons;
pub mod keys;
pub mod organisations;
pub mod procedures;

use serde::{Deserialize, Deserializer};

use crate::domain::FieldError;
use crate::error::ApiError;

/// For `PATCH` members: absent is `None`, `null` is `Some(None)`, a value `Some(Some(v))`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Collects every invalid member of a request before answering.
#[derive(Default)]
struct Check(Vec<FieldError>);

impl Check {
    fn take<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|message| self.0.push(FieldError::new(field, message)))
            .ok()
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidRequest(self.0))
        }
    }
}
