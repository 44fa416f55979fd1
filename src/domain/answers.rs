//! A review's answers as domain types, and the cross-question rules of questionnaire version 1.
//!
//! Values are parsed from client JSON in `answers_patch`; this module only knows well-typed
//! answers and whether a whole set of them is coherent.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;

/// The required first question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Satisfaction {
    Bad,
    Medium,
    Good,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] =
        [Satisfaction::Bad, Satisfaction::Medium, Satisfaction::Good];

    pub fn code(self) -> &'static str {
        match self {
            Satisfaction::Bad => "bad",
            Satisfaction::Medium => "medium",
            Satisfaction::Good => "good",
        }
    }

    pub fn parse(code: &str) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A way a citizen may have looked for help.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Counter,
    Phone,
    Email,
    Chat,
    Relative,
    Association,
    Internet,
    Other,
    None,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Counter,
        Channel::Phone,
        Channel::Email,
        Channel::Chat,
        Channel::Relative,
        Channel::Association,
        Channel::Internet,
        Channel::Other,
        Channel::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Relative => "relative",
            Channel::Association => "association",
            Channel::Internet => "internet",
            Channel::Other => "other",
            Channel::None => "none",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Channels through which the administration itself can be reached; only those get the
    /// "reached?" and "quality?" follow-up questions.
    pub fn is_administration(self) -> bool {
        matches!(
            self,
            Channel::Counter | Channel::Phone | Channel::Email | Channel::Chat
        )
    }
}

/// An answer on a 1–5 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8, minimum = 1, maximum = 5)]
pub struct Score(u8);

impl Score {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = &'static str;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if (1..=5).contains(&value) {
            Ok(Score(value))
        } else {
            Err("must be an integer from 1 to 5")
        }
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> u8 {
        score.0
    }
}

/// Whether the administration was reached through one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reached {
    Yes,
    No,
}

impl Reached {
    pub fn code(self) -> &'static str {
        match self {
            Reached::Yes => "yes",
            Reached::No => "no",
        }
    }
}

/// Every answer one review holds. Free texts are already cleaned and bounded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comprehension: Option<Score>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_tried: Option<BTreeSet<Channel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_tried_other: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_reached: Option<BTreeMap<Channel, Reached>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_satisfaction: Option<BTreeMap<Channel, Score>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbatim: Option<String>,
}

impl Answers {
    /// Checks the rules that tie questions together. Every broken rule is reported.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.satisfaction.is_none() {
            errors.push(FieldError::new("answers.satisfaction", "is required"));
        }
        let tried = self.contact_tried.clone().unwrap_or_default();
        if tried.contains(&Channel::None) && tried.len() > 1 {
            errors.push(FieldError::new(
                "answers.contact_tried",
                "\"none\" cannot be combined with another channel",
            ));
        }
        if self.contact_tried_other.is_some() && !tried.contains(&Channel::Other) {
            errors.push(FieldError::new(
                "answers.contact_tried_other",
                "is only allowed when contact_tried includes \"other\"",
            ));
        }
        let reached = self.contact_reached.clone().unwrap_or_default();
        for channel in reached.keys() {
            if !tried.contains(channel) {
                errors.push(FieldError::new(
                    format!("answers.contact_reached.{}", channel.code()),
                    "is only allowed for a channel ticked in contact_tried",
                ));
            }
        }
        for channel in self.contact_satisfaction.iter().flat_map(|m| m.keys()) {
            if reached.get(channel) != Some(&Reached::Yes) {
                errors.push(FieldError::new(
                    format!("answers.contact_satisfaction.{}", channel.code()),
                    "is only allowed for a channel answered \"yes\" in contact_reached",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The answers without their free texts, which are stored apart so they can be purged.
    pub fn without_texts(&self) -> Answers {
        Answers {
            contact_tried_other: None,
            verbatim: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated() -> Answers {
        Answers {
            satisfaction: Some(Satisfaction::Good),
            ..Answers::default()
        }
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn satisfaction_alone_is_a_complete_review() {
        assert!(rated().check().is_ok());
    }

    #[test]
    fn a_review_without_satisfaction_is_refused() {
        assert_eq!(fields(Answers::default().check()), ["answers.satisfaction"]);
    }

    #[test]
    fn none_cannot_be_combined_with_a_channel() {
        let answers = Answers {
            contact_tried: Some([Channel::None, Channel::Phone].into()),
            ..rated()
        };
        assert_eq!(fields(answers.check()), ["answers.contact_tried"]);
    }

    #[test]
    fn none_alone_is_accepted() {
        let answers = Answers {
            contact_tried: Some([Channel::None].into()),
            ..rated()
        };
        assert!(answers.check().is_ok());
    }

    #[test]
    fn other_precision_needs_other_ticked() {
        let answers = Answers {
            contact_tried: Some([Channel::Phone].into()),
            contact_tried_other: Some("mairie".into()),
            ..rated()
        };
        assert_eq!(fields(answers.check()), ["answers.contact_tried_other"]);
        let answers = Answers {
            contact_tried: Some([Channel::Other].into()),
            ..answers
        };
        assert!(answers.check().is_ok());
    }

    #[test]
    fn reached_is_only_for_ticked_channels() {
        let answers = Answers {
            contact_tried: Some([Channel::Phone].into()),
            contact_reached: Some(
                [
                    (Channel::Phone, Reached::Yes),
                    (Channel::Email, Reached::No),
                ]
                .into(),
            ),
            ..rated()
        };
        assert_eq!(fields(answers.check()), ["answers.contact_reached.email"]);
    }

    #[test]
    fn quality_is_only_for_reached_channels() {
        let score = Score::try_from(4).unwrap();
        let answers = Answers {
            contact_tried: Some([Channel::Phone, Channel::Email].into()),
            contact_reached: Some(
                [
                    (Channel::Phone, Reached::Yes),
                    (Channel::Email, Reached::No),
                ]
                .into(),
            ),
            contact_satisfaction: Some([(Channel::Phone, score), (Channel::Email, score)].into()),
            ..rated()
        };
        assert_eq!(
            fields(answers.check()),
            ["answers.contact_satisfaction.email"]
        );
    }

    #[test]
    fn scores_outside_one_to_five_do_not_exist() {
        assert!(Score::try_from(0).is_err());
        assert!(Score::try_from(6).is_err());
        assert_eq!(Score::try_from(5).map(Score::get), Ok(5));
    }

    #[test]
    fn only_counter_phone_email_and_chat_reach_the_administration() {
        let admin: Vec<_> = Channel::ALL
            .into_iter()
            .filter(|c| c.is_administration())
            .map(Channel::code)
            .collect();
        assert_eq!(admin, ["counter", "phone", "email", "chat"]);
    }

    #[test]
    fn stored_answers_round_trip_through_json() {
        let answers = Answers {
            comprehension: Some(Score::try_from(3).unwrap()),
            contact_tried: Some([Channel::Chat].into()),
            contact_reached: Some([(Channel::Chat, Reached::No)].into()),
            ..rated()
        };
        let json = serde_json::to_string(&answers).unwrap();
        assert_eq!(serde_json::from_str::<Answers>(&json).unwrap(), answers);
    }
}
