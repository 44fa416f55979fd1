//! Reading the hosted questionnaire's forms: fields, and each step's answers as the API's JSON.

use actix_web::web;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// Largest form body accepted.
const FORM_LIMIT: usize = 64 * 1024;

pub(super) async fn form_fields(body: web::Bytes) -> Result<Vec<(String, String)>, ApiError> {
    if body.len() > FORM_LIMIT {
        return Err(ApiError::PayloadTooLarge(FORM_LIMIT));
    }
    Ok(url::form_urlencoded::parse(&body).into_owned().collect())
}

pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The answers a later step's form holds, as the API's JSON.
pub(super) fn step_answers(step: &str, form: &[(String, String)]) -> Map<String, Value> {
    let mut answers = Map::new();
    match step {
        "2" => {
            if let Some(v) = field(form, "comprehension") {
                answers.insert(
                    "comprehension".into(),
                    v.parse::<u64>().map_or(json!(v), |n| json!(n)),
                );
            }
            let tried: Vec<&str> = form
                .iter()
                .filter(|(k, _)| k == "contact_tried")
                .map(|(_, v)| v.as_str())
                .collect();
            if !tried.is_empty() {
                answers.insert("contact_tried".into(), json!(tried));
            }
            if tried.contains(&"other")
                && let Some(other) = field(form, "contact_tried_other")
            {
                answers.insert("contact_tried_other".into(), json!(other));
            }
        }
        "3" => {
            let mut reached = Map::new();
            let mut quality = Map::new();
            for (key, value) in form {
                if let Some(channel) = key.strip_prefix("reached-") {
                    reached.insert(channel.to_owned(), json!(value));
                }
            }
            for (key, value) in form {
                // Quality counts only where the citizen says the administration was reached.
                if let Some(channel) = key.strip_prefix("quality-")
                    && reached.get(channel) == Some(&json!("yes"))
                {
                    quality.insert(
                        channel.to_owned(),
                        value.parse::<u64>().map_or(json!(value), |n| json!(n)),
                    );
                }
            }
            if !reached.is_empty() {
                answers.insert("contact_reached".into(), Value::Object(reached));
            }
            if !quality.is_empty() {
                answers.insert("contact_satisfaction".into(), Value::Object(quality));
            }
        }
        _ => {
            if let Some(text) = field(form, "verbatim") {
                answers.insert("verbatim".into(), json!(text));
            }
            if let Some(email) = field(form, "contact_email") {
                answers.insert("contact_email".into(), json!(email));
                answers.insert(
                    "contact_consent".into(),
                    json!(field(form, "contact_consent").is_some()),
                );
            }
        }
    }
    answers
}
