//! Which aggregate counters a review's answers feed, and how an update moves them.
//!
//! A counter is keyed by (question, value) within a procedure, button and day. Multi-valued and
//! per-channel questions get one counter per value, plus `*` counters where an indicator needs the
//! number of reviews that answered at all. Questionnaire version 1 has [`WIDTH`] such counters;
//! the store keeps all of them side by side, one column each, as a [`Tally`].

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use super::answers::{Answers, Channel, Satisfaction};

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

/// Where a counter sits in a tally, if questionnaire version 1 has it.
pub fn cell_of(question: &str, value: &str) -> Option<usize> {
    let cells: &HashMap<(&str, &str), usize> = &CELLS_BY_NAME;
    cells.get(&(question, value)).copied()
}

/// How many counters a tally holds.
pub const WIDTH: usize = 47;

/// Every counter questionnaire version 1 can move, in the order of a tally's cells.
pub static ALL: LazyLock<Vec<Key>> = LazyLock::new(|| {
    let scores = || (1..=5).map(|s: u8| s.to_string());
    let administration = || Channel::ALL.into_iter().filter(|c| c.is_administration());
    let mut all: Vec<Key> = Vec::with_capacity(WIDTH);
    all.extend(Satisfaction::ALL.map(|s| ("satisfaction", s.code().to_owned())));
    all.extend(scores().map(|s| ("comprehension", s)));
    all.push(("contact_tried", ANSWERED.to_owned()));
    all.extend(Channel::ALL.map(|c| ("contact_tried", c.code().to_owned())));
    for channel in administration() {
        for reached in ["yes", "no"] {
            all.push(("contact_reached", format!("{}:{reached}", channel.code())));
        }
    }
    for channel in administration() {
        all.extend(scores().map(|s| ("contact_satisfaction", format!("{}:{s}", channel.code()))));
    }
    all.push(("verbatim", ANSWERED.to_owned()));
    all
});

static CELLS: LazyLock<HashMap<Key, usize>> = LazyLock::new(|| {
    ALL.iter()
        .cloned()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect()
});

/// The same, looked up without building a key.
static CELLS_BY_NAME: LazyLock<HashMap<(&'static str, &'static str), usize>> =
    LazyLock::new(|| {
        ALL.iter()
            .enumerate()
            .map(|(i, (question, value))| ((*question, value.as_str()), i))
            .collect()
    });

/// The column that holds a counter in the counter tables: `satisfaction_good`,
/// `contact_reached_phone_yes`, `verbatim_answered`…
pub fn column(key: &Key) -> String {
    let value = if key.1 == ANSWERED {
        "answered".to_owned()
    } else {
        key.1.replace(':', "_")
    };
    format!("{}_{value}", key.0)
}

/// The counters of one procedure, button and period, one cell per key of [`ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally(pub [i64; WIDTH]);

impl Default for Tally {
    fn default() -> Self {
        Tally([0; WIDTH])
    }
}

impl Tally {
    /// Adds each move to its cell. A key outside questionnaire version 1 cannot come from
    /// [`keys`]; it would be a programming error, so it panics in tests and is ignored otherwise.
    pub fn add(&mut self, moves: &[(Key, i64)]) {
        for (key, delta) in moves {
            match CELLS.get(key) {
                Some(&cell) => self.0[cell] += delta,
                None => debug_assert!(false, "no counter for {key:?}"),
            }
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        for (cell, n) in self.0.iter_mut().zip(other.0) {
            *cell += n;
        }
    }

    /// Takes `other`'s counts off, one cell at a time.
    pub fn remove(&mut self, other: &Tally) {
        for (cell, n) in self.0.iter_mut().zip(other.0) {
            *cell -= n;
        }
    }

    /// One counter's count; 0 for a counter questionnaire version 1 does not have.
    pub fn get(&self, question: &str, value: &str) -> i64 {
        cell_of(question, value).map_or(0, |cell| self.0[cell])
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }

    /// Reads the counts written as `n,n,…` in tally order.
    pub fn parse(text: &str) -> Option<Tally> {
        let mut tally = Tally::default();
        let mut cells = text.split(',');
        for cell in &mut tally.0 {
            *cell = cells.next()?.trim().parse().ok()?;
        }
        cells.next().is_none().then_some(tally)
    }

    /// The non-zero counters, with their keys.
    pub fn counts(&self) -> impl Iterator<Item = (&'static Key, i64)> + '_ {
        ALL.iter().zip(self.0).filter(|(_, n)| *n != 0)
    }
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

    #[test]
    fn every_counter_has_one_cell_and_one_column() {
        assert_eq!(ALL.len(), WIDTH);
        let columns: std::collections::BTreeSet<String> = ALL.iter().map(column).collect();
        assert_eq!(columns.len(), WIDTH);
        assert!(columns.contains("contact_satisfaction_chat_5"));
        assert!(columns.contains("contact_tried_answered"));
    }

    #[test]
    fn the_fullest_review_fits_its_tally() {
        let tried: std::collections::BTreeSet<Channel> = Channel::ALL
            .into_iter()
            .filter(|c| *c != Channel::None)
            .collect();
        let administration = || Channel::ALL.into_iter().filter(|c| c.is_administration());
        let after = Answers {
            comprehension: Some(Score::try_from(2).unwrap()),
            contact_tried: Some(tried),
            contact_reached: Some(administration().map(|c| (c, Reached::Yes)).collect()),
            contact_satisfaction: Some(
                administration()
                    .map(|c| (c, Score::try_from(5).unwrap()))
                    .collect(),
            ),
            verbatim: Some("merci".into()),
            ..answers(Satisfaction::Medium)
        };
        let moves = delta(&Answers::default(), &after);
        let mut tally = Tally::default();
        tally.add(&moves);
        let counted: Vec<(Key, i64)> = tally.counts().map(|(k, n)| (k.clone(), n)).collect();
        assert_eq!(counted.len(), moves.len());
        for kept in &moves {
            assert!(counted.contains(kept), "{kept:?}");
        }
        tally.add(&delta(&after, &Answers::default()));
        assert!(tally.is_zero());
    }
}
