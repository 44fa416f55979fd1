//! The questions the incumbent's statistics can answer from avis's counters, each with the
//! field code, label, option labels and intentions the incumbent's current questionnaire
//! stores with every answer (in French, whatever the citizen's language: its form's French
//! texts, `webapp-form/public/locales/fr/common.json`).
//!
//! The incumbent also answers for codes of its earlier questionnaires (`easy`, `difficulties`,
//! `help`, `contact`, `contact_channels`, `help_details`), which avis does not keep, and ignores
//! codes it does not know: asked for either, avis answers as the incumbent does for a question
//! nobody answered, by leaving it out.

use super::{Category, Hit};
use crate::domain::aggregate::Tally;
use crate::domain::answers::Channel;

/// A question as the incumbent's statistics name it.
#[derive(Debug, PartialEq, Eq)]
pub struct Question {
    pub code: &'static str,
    pub label: &'static str,
    /// Each option: avis's counter value, the incumbent's label and intention.
    options: &'static [(&'static str, &'static str, &'static str)],
    /// Asked about each administration channel (`contact_reached`, `contact_satisfaction`).
    per_channel: bool,
}

const SCALE: [&str; 5] = ["very_bad", "bad", "medium", "good", "very_good"];

const SATISFACTION: Question = Question {
    code: "satisfaction",
    label: "De façon générale, comment ça s’est passé ?",
    options: &[
        ("bad", "Pas bien", "bad"),
        ("medium", "Moyen", "medium"),
        ("good", "Très bien", "good"),
    ],
    per_channel: false,
};

const COMPREHENSION: Question = Question {
    code: "comprehension",
    label: "Qu'avez-vous pensé des informations et des instructions fournies ?",
    options: &[
        ("1", "1", SCALE[0]),
        ("2", "2", SCALE[1]),
        ("3", "3", SCALE[2]),
        ("4", "4", SCALE[3]),
        ("5", "5", SCALE[4]),
    ],
    per_channel: false,
};

const CONTACT_TRIED: Question = Question {
    code: "contact_tried",
    label: "Durant votre parcours, avez-vous tenté d’obtenir de l’aide par l’un des moyens suivants ?",
    options: &[
        ("counter", "Au guichet avec l’administration", "neutral"),
        ("phone", "Par téléphone avec l’administration", "neutral"),
        ("email", "Par e-mail avec l’administration", "neutral"),
        ("chat", "Par chat avec l’administration", "neutral"),
        ("relative", "Une personne proche", "neutral"),
        ("association", "Une association", "neutral"),
        ("internet", "Des sites internet", "neutral"),
        ("other", "Autres, précisez", "neutral"),
        ("none", "Je n'ai pas eu besoin d'aide", "good"),
    ],
    per_channel: false,
};

const CONTACT_REACHED: Question = Question {
    code: "contact_reached",
    label: "Quand vous avez cherché de l'aide, avez-vous réussi à joindre l'administration ?",
    options: &[("yes", "Oui", "good"), ("no", "Non", "bad")],
    per_channel: true,
};

const CONTACT_SATISFACTION: Question = Question {
    code: "contact_satisfaction",
    label: "Comment évaluez-vous la qualité de l'aide que vous avez obtenue de la part de l'administration ?",
    options: &[
        ("1", "Très mauvaise", SCALE[0]),
        ("2", "Mauvaise", SCALE[1]),
        ("3", "Ni bonne, ni mauvaise", SCALE[2]),
        ("4", "Bonne", SCALE[3]),
        ("5", "Excellente", SCALE[4]),
    ],
    per_channel: true,
};

/// Every question avis counts, in the incumbent's order.
const ALL: [&Question; 5] = [
    &CONTACT_REACHED,
    &SATISFACTION,
    &COMPREHENSION,
    &CONTACT_TRIED,
    &CONTACT_SATISFACTION,
];

/// The questions `field_codes` asks for: every one when it is empty, as the incumbent reads it.
pub fn questions(field_codes: &[String]) -> Vec<&'static Question> {
    ALL.into_iter()
        .filter(|q| field_codes.is_empty() || field_codes.iter().any(|c| c == q.code))
        .collect()
}

fn administration() -> impl Iterator<Item = Channel> {
    Channel::ALL.into_iter().filter(|c| c.is_administration())
}

impl Question {
    /// How many answers chose `value`: about `channel` only when it names one, else about
    /// every administration channel.
    fn count(&self, tally: &Tally, value: &str, channel: Option<Channel>) -> i64 {
        if !self.per_channel {
            return tally.get(self.code, value);
        }
        let about = |c: Channel| tally.get(self.code, &format!("{}:{value}", c.code()));
        match channel {
            Some(channel) => about(channel),
            None => administration().map(about).sum(),
        }
    }

    /// This question's answered options in `tally` (about `channel` only, when it names one),
    /// largest counts first; `None` when nobody answered it.
    pub fn category(&self, tally: &Tally, channel: Option<Channel>) -> Option<Category> {
        let mut hits: Vec<Hit> = self
            .options
            .iter()
            .filter_map(|&(value, label, intention)| {
                let count = self.count(tally, value, channel);
                (count > 0).then(|| Hit {
                    intention,
                    label,
                    count,
                    children: self.children(tally, value),
                })
            })
            .collect();
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.count));
        (!hits.is_empty()).then_some(Category {
            category: self.code,
            label: self.label,
            number_hits: hits,
        })
    }

    /// What was answered about the channel `value` of `contact_tried`, if anything.
    fn children(&self, tally: &Tally, value: &str) -> Option<Vec<Category>> {
        if self.code != CONTACT_TRIED.code {
            return None;
        }
        let channel = Channel::parse(value).filter(|c| c.is_administration())?;
        let children: Vec<Category> = [&CONTACT_REACHED, &CONTACT_SATISFACTION]
            .into_iter()
            .filter_map(|question| question.category(tally, Some(channel)))
            .collect();
        (!children.is_empty()).then_some(children)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::aggregate::Key;

    #[test]
    fn a_channel_carries_what_was_answered_about_it_and_the_totals_add_every_channel() {
        let moves: Vec<(Key, i64)> = [
            ("contact_tried", "phone", 3),
            ("contact_tried", "internet", 1),
            ("contact_reached", "phone:yes", 2),
            ("contact_reached", "email:no", 1),
            ("contact_satisfaction", "phone:5", 1),
        ]
        .iter()
        .map(|(q, v, n)| ((*q, (*v).to_owned()), *n))
        .collect();
        let mut tally = Tally::default();
        tally.add(&moves);
        let tried = CONTACT_TRIED.category(&tally, None).unwrap();
        assert_eq!(
            tried.number_hits[0].label,
            "Par téléphone avec l’administration"
        );
        let children = tried.number_hits[0].children.as_ref().unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].number_hits[0].count, 2);
        assert_eq!(children[1].number_hits[0].label, "Excellente");
        assert_eq!(children[1].number_hits[0].intention, "very_good");
        assert_eq!(tried.number_hits[1].children, None, "not an administration");
        let reached = CONTACT_REACHED.category(&tally, None).unwrap();
        let counts: Vec<(&str, i64)> = reached
            .number_hits
            .iter()
            .map(|h| (h.label, h.count))
            .collect();
        assert_eq!(counts, vec![("Oui", 2), ("Non", 1)]);
        assert_eq!(SATISFACTION.category(&tally, None), None);
    }

    #[test]
    fn no_field_code_asks_for_every_question_and_unknown_ones_for_none() {
        assert_eq!(questions(&[]).len(), 5);
        let asked = questions(&["comprehension".into(), "easy".into(), "nope".into()]);
        assert_eq!(asked, vec![&COMPREHENSION]);
        assert!(questions(&["help".into()]).is_empty());
    }
}
