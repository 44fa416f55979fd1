//! Parsing what a client sends as `answers` into typed changes, naming every bad field.
//!
//! A present value sets the answer, `null` removes an optional one, an absent code leaves it alone.
//! Empty texts, empty sets and empty maps also remove the answer.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::answers::{Answers, Channel, Reached, Satisfaction, Score};
use super::questionnaire::{EMAIL_MAX_CHARS, OTHER_CHANNEL_MAX_CHARS, VERBATIM_MAX_CHARS};
use super::redact::redact;
use super::text::clean_text;
use super::{Change, FieldError};

/// The typed changes a request asks for.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AnswersPatch {
    satisfaction: Option<Satisfaction>,
    comprehension: Option<Change<Score>>,
    contact_tried: Option<Change<BTreeSet<Channel>>>,
    contact_tried_other: Option<Change<String>>,
    contact_reached: Option<Change<BTreeMap<Channel, Reached>>>,
    contact_satisfaction: Option<Change<BTreeMap<Channel, Score>>>,
    verbatim: Option<Change<String>>,
    /// How many personal data were replaced in this patch's texts.
    redactions: u32,
    /// An address to be contacted back, stored apart from the answers.
    contact_email: Option<Change<String>>,
    /// Whether the citizen ticked the consent to be contacted.
    contact_consent: bool,
}

impl AnswersPatch {
    /// Parses the `answers` object of a request. Every problem is reported, not only the first.
    pub fn parse(answers: &Map<String, Value>) -> Result<AnswersPatch, Vec<FieldError>> {
        let mut patch = AnswersPatch::default();
        let mut errors = Vec::new();
        let mut redactions = 0;
        for (code, value) in answers {
            let field = format!("answers.{code}");
            let outcome = match code.as_str() {
                "satisfaction" => parse_satisfaction(value).map(|v| patch.satisfaction = Some(v)),
                "comprehension" => {
                    optional(value, parse_score).map(|v| patch.comprehension = Some(v))
                }
                "contact_tried" => {
                    optional(value, parse_channels).map(|v| patch.contact_tried = Some(v))
                }
                "contact_tried_other" => optional(value, |v| {
                    parse_text(v, OTHER_CHANNEL_MAX_CHARS, &mut redactions)
                })
                .map(|v| patch.contact_tried_other = Some(v)),
                "contact_reached" => {
                    optional(value, |v| parse_per_channel(v, &field, parse_reached))
                        .map(|v| patch.contact_reached = Some(v))
                }
                "contact_satisfaction" => {
                    optional(value, |v| parse_per_channel(v, &field, parse_score))
                        .map(|v| patch.contact_satisfaction = Some(v))
                }
                "verbatim" => optional(value, |v| {
                    parse_text(v, VERBATIM_MAX_CHARS, &mut redactions)
                })
                .map(|v| patch.verbatim = Some(v)),
                "contact_email" => {
                    optional(value, parse_email).map(|v| patch.contact_email = Some(v))
                }
                "contact_consent" => match value.as_bool() {
                    Some(consent) => {
                        patch.contact_consent = consent;
                        Ok(())
                    }
                    None => bad("must be true or false"),
                },
                _ => Err(vec![FieldError::new(
                    field.clone(),
                    "is not a question of this questionnaire",
                )]),
            };
            if let Err(found) = outcome {
                errors.extend(found.into_iter().map(|e| e.under(&field)));
            }
        }
        patch.redactions = redactions;
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }

    /// The contact address change this patch asks for, if any.
    pub fn contact_email(&self) -> Option<&Change<String>> {
        self.contact_email.as_ref()
    }

    /// Whether the citizen consented to be contacted back.
    pub fn contact_consent(&self) -> bool {
        self.contact_consent
    }

    /// How many personal data its texts had, now replaced by placeholders.
    pub fn redactions(&self) -> u32 {
        self.redactions
    }

    /// Whether the patch answers the required first question.
    pub fn has_satisfaction(&self) -> bool {
        self.satisfaction.is_some()
    }

    /// The answers once this patch is applied, checked as a whole.
    pub fn apply_to(&self, current: &Answers) -> Result<Answers, Vec<FieldError>> {
        let mut next = current.clone();
        if let Some(value) = self.satisfaction {
            next.satisfaction = Some(value);
        }
        apply(&mut next.comprehension, &self.comprehension);
        apply(&mut next.contact_tried, &self.contact_tried);
        apply(&mut next.contact_tried_other, &self.contact_tried_other);
        apply(&mut next.contact_reached, &self.contact_reached);
        apply(&mut next.contact_satisfaction, &self.contact_satisfaction);
        apply(&mut next.verbatim, &self.verbatim);
        next.check()?;
        Ok(next)
    }
}

fn apply<T: Clone>(slot: &mut Option<T>, change: &Option<Change<T>>) {
    match change {
        Some(Change::Set(value)) => *slot = Some(value.clone()),
        Some(Change::Clear) => *slot = None,
        None => {}
    }
}

type Parsed<T> = Result<T, Vec<FieldError>>;

/// A problem with the value itself, before `under` names the field.
fn bad<T>(message: &str) -> Parsed<T> {
    Err(vec![FieldError::new("", message)])
}

/// `null` clears; any other value goes through `parse`, whose empty result also clears.
fn optional<T: Emptiable>(
    value: &Value,
    parse: impl FnOnce(&Value) -> Parsed<T>,
) -> Parsed<Change<T>> {
    if value.is_null() {
        return Ok(Change::Clear);
    }
    let parsed = parse(value)?;
    Ok(if parsed.is_empty() {
        Change::Clear
    } else {
        Change::Set(parsed)
    })
}

trait Emptiable {
    fn is_empty(&self) -> bool;
}

impl Emptiable for Score {
    fn is_empty(&self) -> bool {
        false
    }
}

impl Emptiable for String {
    fn is_empty(&self) -> bool {
        str::is_empty(self)
    }
}

impl<T> Emptiable for BTreeSet<T> {
    fn is_empty(&self) -> bool {
        BTreeSet::is_empty(self)
    }
}

impl<K, V> Emptiable for BTreeMap<K, V> {
    fn is_empty(&self) -> bool {
        BTreeMap::is_empty(self)
    }
}

fn parse_satisfaction(value: &Value) -> Parsed<Satisfaction> {
    match value.as_str().and_then(Satisfaction::parse) {
        Some(s) => Ok(s),
        None if value.is_null() => bad("is required and cannot be removed"),
        None => bad("must be one of \"bad\", \"medium\", \"good\""),
    }
}

fn parse_score(value: &Value) -> Parsed<Score> {
    value
        .as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .and_then(|n| Score::try_from(n).ok())
        .map_or_else(|| bad("must be an integer from 1 to 5"), Ok)
}

fn parse_reached(value: &Value) -> Parsed<Reached> {
    match value.as_str() {
        Some("yes") => Ok(Reached::Yes),
        Some("no") => Ok(Reached::No),
        _ => bad("must be \"yes\" or \"no\""),
    }
}

fn parse_channels(value: &Value) -> Parsed<BTreeSet<Channel>> {
    let Some(items) = value.as_array() else {
        return bad("must be a list of help channels");
    };
    let mut channels = BTreeSet::new();
    for item in items {
        match item.as_str().and_then(Channel::parse) {
            Some(channel) => {
                channels.insert(channel);
            }
            None => return bad(&format!("{item} is not a help channel of this question")),
        }
    }
    Ok(channels)
}

fn parse_per_channel<T>(
    value: &Value,
    field: &str,
    parse: impl Fn(&Value) -> Parsed<T>,
) -> Parsed<BTreeMap<Channel, T>> {
    let Some(object) = value.as_object() else {
        return bad("must be an object keyed by help channel");
    };
    let mut parsed = BTreeMap::new();
    let mut errors = Vec::new();
    for (key, item) in object {
        let item_field = format!("{field}.{key}");
        match Channel::parse(key).filter(|c| c.is_administration()) {
            None => errors.push(FieldError::new(
                item_field,
                "is not one of the administration channels counter, phone, email, chat",
            )),
            Some(channel) => match parse(item) {
                Ok(v) => {
                    parsed.insert(channel, v);
                }
                Err(found) => errors.extend(found.into_iter().map(|e| e.under(&item_field))),
            },
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// An email address: one `@`, a dotted domain, no spaces, at most 254 characters.
fn parse_email(value: &Value) -> Parsed<String> {
    let Some(raw) = value.as_str() else {
        return bad("must be a string");
    };
    let email = raw.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    let valid = email.chars().count() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && domain.split('.').all(|label| !label.is_empty())
        });
    if valid {
        Ok(email.to_owned())
    } else {
        bad("must be an email address")
    }
}

/// A free text, cleaned, bounded, and with its personal data replaced.
fn parse_text(value: &Value, max_chars: usize, redactions: &mut u32) -> Parsed<String> {
    let Some(raw) = value.as_str() else {
        return bad("must be a string");
    };
    let text = clean_text(raw);
    if text.chars().count() > max_chars {
        return bad(&format!("must be at most {max_chars} characters long"));
    }
    let redacted = redact(&text);
    *redactions += redacted.count;
    Ok(redacted.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Parsed<AnswersPatch> {
        AnswersPatch::parse(value.as_object().unwrap())
    }

    fn errors(value: Value) -> Vec<(String, String)> {
        parse(value)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn every_invalid_value_is_named_with_its_field() {
        let cases = [
            (json!({"satisfaction": "great"}), "answers.satisfaction"),
            (json!({"satisfaction": 3}), "answers.satisfaction"),
            (json!({"satisfaction": null}), "answers.satisfaction"),
            (json!({"comprehension": 0}), "answers.comprehension"),
            (json!({"comprehension": 6}), "answers.comprehension"),
            (json!({"comprehension": 2.5}), "answers.comprehension"),
            (json!({"comprehension": "4"}), "answers.comprehension"),
            (json!({"comprehension": -1}), "answers.comprehension"),
            (json!({"contact_tried": "phone"}), "answers.contact_tried"),
            (json!({"contact_tried": ["fax"]}), "answers.contact_tried"),
            (json!({"contact_tried": [1]}), "answers.contact_tried"),
            (
                json!({"contact_reached": {"relative": "yes"}}),
                "answers.contact_reached.relative",
            ),
            (
                json!({"contact_reached": {"phone": "maybe"}}),
                "answers.contact_reached.phone",
            ),
            (
                json!({"contact_reached": ["phone"]}),
                "answers.contact_reached",
            ),
            (
                json!({"contact_satisfaction": {"phone": 9}}),
                "answers.contact_satisfaction.phone",
            ),
            (json!({"verbatim": 12}), "answers.verbatim"),
            (json!({"verbatim": "x".repeat(5_001)}), "answers.verbatim"),
            (
                json!({"contact_tried_other": "x".repeat(251)}),
                "answers.contact_tried_other",
            ),
            (
                json!({"contact_email": "not an address"}),
                "answers.contact_email",
            ),
            (json!({"contact_email": "a@b"}), "answers.contact_email"),
            (json!({"contact_consent": "yes"}), "answers.contact_consent"),
            (
                json!({"favourite_colour": "blue"}),
                "answers.favourite_colour",
            ),
        ];
        for (body, field) in cases {
            let found = errors(body.clone());
            assert_eq!(found.len(), 1, "{body}: {found:?}");
            assert_eq!(found[0].0, field, "{body}");
            assert!(!found[0].1.is_empty(), "{body}");
        }
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let found = errors(json!({"comprehension": 7, "verbatim": false}));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn text_limits_count_characters_after_trimming() {
        let accented = format!("  {}  ", "é".repeat(5_000));
        assert!(parse(json!({ "verbatim": accented })).is_ok());
    }

    #[test]
    fn null_and_empty_values_clear_optional_answers() {
        let current = Answers {
            satisfaction: Some(Satisfaction::Bad),
            comprehension: Some(Score::try_from(2).unwrap()),
            verbatim: Some("trop long".into()),
            contact_tried: Some([Channel::Internet].into()),
            ..Answers::default()
        };
        let patch =
            parse(json!({"comprehension": null, "verbatim": "   ", "contact_tried": []})).unwrap();
        let next = patch.apply_to(&current).unwrap();
        assert_eq!(
            next,
            Answers {
                satisfaction: Some(Satisfaction::Bad),
                ..Answers::default()
            }
        );
    }

    #[test]
    fn a_patch_is_checked_against_the_answers_already_given() {
        let current = Answers {
            satisfaction: Some(Satisfaction::Good),
            contact_tried: Some([Channel::Phone].into()),
            ..Answers::default()
        };
        let ok = parse(
            json!({"contact_reached": {"phone": "yes"}, "contact_satisfaction": {"phone": 5}}),
        );
        assert!(ok.unwrap().apply_to(&current).is_ok());
        let refused = parse(json!({"contact_reached": {"email": "yes"}})).unwrap();
        let found = refused.apply_to(&current).unwrap_err();
        assert_eq!(found[0].field, "answers.contact_reached.email");
    }

    #[test]
    fn duplicate_channels_count_once() {
        let patch =
            parse(json!({"satisfaction": "good", "contact_tried": ["phone", "phone"]})).unwrap();
        let answers = patch.apply_to(&Answers::default()).unwrap();
        assert_eq!(answers.contact_tried.unwrap().len(), 1);
    }
}
