//! One incumbent review's answers turned into questionnaire version 1's, with a reason for each
//! answer that could not be.
//!
//! The incumbent stores one row per answer: a field code, the id of the option chosen
//! (`answer_item_id`), its text, an intention, and for the follow-up questions about one help
//! channel, the id of the `contact_tried` answer that ticked the channel (`parent_answer_id`).
//! The satisfaction form's option ids are fixed (1–3 satisfaction, 4–8 comprehension, 9–17
//! `contact_tried`, 17/18 « Oui » / « Non » under `contact_reached`, 19–23
//! `contact_satisfaction`). Two traps decide the order of the rules below: option 17 means « Je
//! n'ai pas eu besoin d'aide » under `contact_tried` but « Oui » under `contact_reached`, so
//! options are read by field code first; and before the form of April 2024 the same codes meant
//! other things (comprehension on 3 levels, a `contact_reached` asked once for every channel),
//! so the review's date decides how its codes read. Answers of the XWiki era keep their own
//! codes and are mapped where they ask the same question.
//!
//! Free texts go through the same cleaning, bounds and personal-data redaction as a new review's.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use crate::domain::questionnaire::{EMAIL_MAX_CHARS, OTHER_CHANNEL_MAX_CHARS, VERBATIM_MAX_CHARS};
use crate::domain::redact::redact;
use crate::domain::text::clean_text;

/// The day the incumbent's current satisfaction form began (the release that gave help
/// channels their own follow-up answers, `parent_answer_id`). Before it, `comprehension` had 3
/// levels and `contact_reached` was one answer for every channel.
pub const CURRENT_FORM_SINCE: &str = "2024-04-23T00:00:00Z";

/// One answer row as the incumbent stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceAnswer {
    pub id: i64,
    pub field_code: String,
    pub item: i64,
    pub text: String,
    pub intention: Option<String>,
    pub parent: Option<i64>,
}

/// What a review's answers became.
#[derive(Debug, Default, PartialEq)]
pub struct Mapped {
    pub answers: Answers,
    /// The address left to be contacted back, if any (stored apart, within its retention).
    pub contact_email: Option<String>,
    /// Personal data replaced in the free texts.
    pub redactions: u32,
    /// Why each answer that is not in `answers` was left out.
    pub left_out: Vec<&'static str>,
    /// « Je n'ai pas eu besoin d'aide » was ticked beside a channel and left out: the
    /// incumbent's observatory figures count it all the same.
    pub autonomous_beside_channels: bool,
}

/// Maps the answers of a review created at `created_at`.
pub fn map(created_at: Timestamp, rows: &[SourceAnswer]) -> Mapped {
    let current_form = created_at >= current_form_since();
    let mut mapped = Mapped::default();
    let mut tried = BTreeSet::new();
    // `contact_tried` answers by id, for their children.
    let mut channel_of = BTreeMap::new();
    for row in rows.iter().filter(|r| r.field_code == "contact_tried") {
        match tried_channel(row.item) {
            Some(channel) => {
                tried.insert(channel);
                channel_of.insert(row.id, channel);
            }
            None => mapped.left_out.push("contact_tried_unknown_option"),
        }
    }
    let mut reached = BTreeMap::new();
    let mut quality = BTreeMap::new();
    for row in rows {
        match row.field_code.as_str() {
            "contact_tried" => {}
            "satisfaction" | "score" => match satisfaction(row) {
                Some(value) => set(&mut mapped, |a| &mut a.satisfaction, value),
                None => mapped.left_out.push("satisfaction_unknown_option"),
            },
            "comprehension" if current_form => match row.item {
                4..=8 => set(&mut mapped, |a| &mut a.comprehension, score(row.item - 3)),
                _ => mapped.left_out.push("comprehension_unknown_option"),
            },
            "comprehension" => mapped.left_out.push("comprehension_on_3_levels"),
            "comprehensible" => mapped.left_out.push("legacy_comprehensible_on_3_levels"),
            "contact_reached" => {
                let channel = match row.parent {
                    Some(parent) => channel_of.get(&parent).copied(),
                    None => only_administration_channel(&tried),
                };
                match (channel, reached_value(row)) {
                    (Some(channel), Some(value)) if channel.is_administration() => {
                        reached.insert(channel, value);
                    }
                    (_, None) => mapped.left_out.push("contact_reached_unknown_option"),
                    _ => mapped.left_out.push("contact_reached_without_channel"),
                }
            }
            "contact_satisfaction" => {
                let channel = row.parent.and_then(|p| channel_of.get(&p).copied());
                match (channel, row.item) {
                    (Some(channel), 19..=23) if channel.is_administration() => {
                        quality.insert(channel, score(row.item - 18));
                    }
                    (Some(_), _) => mapped.left_out.push("contact_satisfaction_unknown_option"),
                    (None, _) => mapped.left_out.push("contact_satisfaction_without_channel"),
                }
            }
            "contact_tried_verbatim" => {
                mapped.answers.contact_tried_other =
                    text(&row.text, OTHER_CHANNEL_MAX_CHARS, &mut mapped);
            }
            "verbatim" => {
                mapped.answers.verbatim = text(&row.text, VERBATIM_MAX_CHARS, &mut mapped);
            }
            "contact_email" => {
                let email = clean_text(&row.text);
                if email.contains('@') && email.chars().count() <= EMAIL_MAX_CHARS {
                    mapped.contact_email = Some(email);
                } else if !email.is_empty() {
                    mapped.left_out.push("contact_email_invalid");
                }
            }
            "help" | "aide" => match legacy_help(&row.text) {
                Some(channel) => {
                    tried.insert(channel);
                }
                None => mapped.left_out.push("legacy_help_without_channel"),
            },
            other => mapped.left_out.push(not_in_questionnaire(other)),
        }
    }
    keep_coherent(&mut mapped, tried, reached, quality);
    mapped
}

fn current_form_since() -> Timestamp {
    CURRENT_FORM_SINCE
        .parse()
        .expect("CURRENT_FORM_SINCE is a valid instant")
}

/// Sets an answer given once; a second one for the same question replaces it, and is counted.
fn set<T>(mapped: &mut Mapped, field: impl Fn(&mut Answers) -> &mut Option<T>, value: T) {
    if field(&mut mapped.answers).replace(value).is_some() {
        mapped.left_out.push("answered_twice");
    }
}

fn score(value: i64) -> Score {
    u8::try_from(value)
        .ok()
        .and_then(|v| Score::try_from(v).ok())
        .expect("callers pass 1 to 5")
}

/// Satisfaction from its fixed option ids, or for the XWiki era's `score`, from its value 1–3;
/// failing both, from the intention, which says the same.
fn satisfaction(row: &SourceAnswer) -> Option<Satisfaction> {
    let by_number = |n: i64| match n {
        1 => Some(Satisfaction::Bad),
        2 => Some(Satisfaction::Medium),
        3 => Some(Satisfaction::Good),
        _ => None,
    };
    let by_item = if row.field_code == "satisfaction" {
        by_number(row.item)
    } else {
        row.text.trim().parse().ok().and_then(by_number)
    };
    let by_intention = match row.intention.as_deref() {
        Some("bad") => Some(Satisfaction::Bad),
        Some("medium") => Some(Satisfaction::Medium),
        Some("good") => Some(Satisfaction::Good),
        _ => None,
    };
    by_item.or(by_intention)
}

/// The channel of a `contact_tried` option (17 is « Je n'ai pas eu besoin d'aide » here).
fn tried_channel(item: i64) -> Option<Channel> {
    Some(match item {
        9 => Channel::Counter,
        10 => Channel::Phone,
        11 => Channel::Email,
        12 => Channel::Chat,
        13 => Channel::Relative,
        14 => Channel::Association,
        15 => Channel::Internet,
        16 => Channel::Other,
        17 => Channel::None,
        _ => return None,
    })
}

/// « Oui » / « Non » under `contact_reached` (17 is « Oui » here), by option id, else by
/// intention or text (the flat question of the earlier form had other ids).
fn reached_value(row: &SourceAnswer) -> Option<Reached> {
    match (row.item, row.intention.as_deref(), row.text.trim()) {
        (17, _, _) => Some(Reached::Yes),
        (18, _, _) => Some(Reached::No),
        (_, Some("good"), _) | (_, _, "Oui") => Some(Reached::Yes),
        (_, Some("bad"), _) | (_, _, "Non") => Some(Reached::No),
        _ => None,
    }
}

/// The one administration channel ticked, to which the earlier form's single `contact_reached`
/// answer can only refer; none when several were ticked.
fn only_administration_channel(tried: &BTreeSet<Channel>) -> Option<Channel> {
    let mut administration = tried.iter().filter(|c| c.is_administration());
    match (administration.next(), administration.next()) {
        (Some(channel), None) => Some(*channel),
        _ => None,
    }
}

/// The XWiki era's help values that name one of our channels; `agent` (an agent of the
/// administration, by no channel said) does not.
fn legacy_help(value: &str) -> Option<Channel> {
    Some(match value.trim().to_lowercase().as_str() {
        "aucune" => Channel::None,
        "proche" => Channel::Relative,
        "association" => Channel::Association,
        "internet" => Channel::Internet,
        "autre" => Channel::Other,
        _ => return None,
    })
}

/// Why an answer to a question questionnaire version 1 does not ask was left out.
fn not_in_questionnaire(code: &str) -> &'static str {
    match code {
        "easy" | "facile" => "legacy_easy",
        "difficulties" | "difficulties_details" => "legacy_difficulties",
        "help_details" => "legacy_help_details",
        "contact" | "contact_channels" => "legacy_contact",
        _ => "question_not_in_questionnaire",
    }
}

/// A free text cleaned, bounded and redacted as a new review's; none when blank.
fn text(raw: &str, max_chars: usize, mapped: &mut Mapped) -> Option<String> {
    let mut text = clean_text(raw);
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > max_chars {
        text = text
            .chars()
            .take(max_chars)
            .collect::<String>()
            .trim_end()
            .to_owned();
        mapped.left_out.push("text_shortened");
    }
    let redacted = redact(&text);
    mapped.redactions += redacted.count;
    Some(redacted.text)
}

/// Applies questionnaire version 1's rules between questions, dropping (and counting) what
/// breaks them, so every imported review is one a citizen could have sent.
fn keep_coherent(
    mapped: &mut Mapped,
    mut tried: BTreeSet<Channel>,
    mut reached: BTreeMap<Channel, Reached>,
    mut quality: BTreeMap<Channel, Score>,
) {
    if tried.contains(&Channel::None) && tried.len() > 1 {
        tried.remove(&Channel::None);
        mapped.left_out.push("contact_tried_none_with_channels");
        mapped.autonomous_beside_channels = true;
    }
    // A channel nobody ticked is not added: it would change the help indicators.
    if mapped.answers.contact_tried_other.is_some() && !tried.contains(&Channel::Other) {
        mapped.answers.contact_tried_other = None;
        mapped.left_out.push("contact_tried_other_without_option");
    }
    let before = reached.len();
    reached.retain(|channel, _| tried.contains(channel));
    for _ in reached.len()..before {
        mapped.left_out.push("contact_reached_without_channel");
    }
    let before = quality.len();
    quality.retain(|channel, _| reached.get(channel) == Some(&Reached::Yes));
    for _ in quality.len()..before {
        mapped.left_out.push("contact_satisfaction_without_reached");
    }
    let answers = &mut mapped.answers;
    answers.contact_tried = (!tried.is_empty()).then_some(tried);
    answers.contact_reached = (!reached.is_empty()).then_some(reached);
    answers.contact_satisfaction = (!quality.is_empty()).then_some(quality);
}

#[cfg(test)]
mod tests;
