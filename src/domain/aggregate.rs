//! Which aggregate counters a review's answers feed, and how an update moves them.
//!
//! A counter is keyed by (question, value) within a procedure, button and day. Multi-valued and
//! per-channel questions get one counter per value, plus `*` counters where an indicator needs the
//! number of reviews that answered at all.

use std::collections::BTreeMap;

use super::answers::Answers;

/// The value of the counter that counts reviews which answered a question at all.
pub const ANSWERED: &str = "*";

/// A (question, value) counter key.
pub type Key = (&'static str, String);

/// The counters one review's answers add one to.
pub fn keys(answers: &Answers) -> Vec<Key> {
    let mut keys = Vec::new();
    if let Some(s) = answers.satisfaction {
        keys.push(("satisfaction", s.code().to_owned()));
    }
    if let Some(score) = answers.comprehension {
        keys.push(("comprehension", score.get().to_string()));
    }
    if let Some(tried) = &answers.contact_tried {
        keys.push(("contact_tried", ANSWERED.to_owned()));
        keys.extend(tried.iter().map(|c| ("contact_tried", c.code().to_owned())));
    }
    for (channel, reached) in answers.contact_reached.iter().flatten() {
        keys.push((
            "contact_reached",
            format!("{}:{}", channel.code(), reached.code()),
        ));
    }
    for (channel, score) in answers.contact_satisfaction.iter().flatten() {
        keys.push((
            "contact_satisfaction",
            format!("{}:{}", channel.code(), score.get()),
        ));
    }
    if answers.verbatim.is_some() {
        keys.push(("verbatim", ANSWERED.to_owned()));
    }
    keys
}

/// The non-zero counter moves that turn `before` into `after`.
pub fn delta(before: &Answers, after: &Answers) -> Vec<(Key, i64)> {
    let mut moves: BTreeMap<Key, i64> = BTreeMap::new();
    for key in keys(before) {
        *moves.entry(key).or_default() -= 1;
    }
    for key in keys(after) {
        *moves.entry(key).or_default() += 1;
    }
    moves.into_iter().filter(|(_, n)| *n != 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::answers::{Channel, Reached, Satisfaction, Score};

    fn answers(satisfaction: Satisfaction) -> Answers {
        Answers {
            satisfaction: Some(satisfaction),
            ..Answers::default()
        }
    }

    #[test]
    fn a_new_review_adds_one_per_answer() {
        let after = Answers {
            contact_tried: Some([Channel::Phone, Channel::Email].into()),
            contact_reached: Some([(Channel::Phone, Reached::Yes)].into()),
            contact_satisfaction: Some([(Channel::Phone, Score::try_from(4).unwrap())].into()),
            verbatim: Some("merci".into()),
            ..answers(Satisfaction::Good)
        };
        let moves = delta(&Answers::default(), &after);
        let expected: Vec<(Key, i64)> = vec![
            (("contact_reached", "phone:yes".into()), 1),
            (("contact_satisfaction", "phone:4".into()), 1),
            (("contact_tried", "*".into()), 1),
            (("contact_tried", "email".into()), 1),
            (("contact_tried", "phone".into()), 1),
            (("satisfaction", "good".into()), 1),
            (("verbatim", "*".into()), 1),
        ];
        assert_eq!(moves, expected);
    }

    #[test]
    fn changing_an_answer_moves_its_count() {
        let moves = delta(&answers(Satisfaction::Bad), &answers(Satisfaction::Medium));
        let expected: Vec<(Key, i64)> = vec![
            (("satisfaction", "bad".into()), -1),
            (("satisfaction", "medium".into()), 1),
        ];
        assert_eq!(moves, expected);
    }

    #[test]
    fn repeating_an_answer_moves_nothing() {
        let same = answers(Satisfaction::Good);
        assert!(delta(&same, &same).is_empty());
    }
}
