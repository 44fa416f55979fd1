//! The incumbent's observatory figures (`answer.getObservatoireStats`), computed from avis's
//! counters: the window it reads, and its six figures with their counts.
//!
//! The rules are those of the incumbent's
//! `webapp-backoffice/src/server/routers/answer/get-observatoire-stats.ts` (repository
//! DISIC/jedonnemonavis.numerique.gouv.fr), where every answer is one document: a review's three
//! ticked channels are three `contact_tried` answers, its reached channels as many
//! `contact_reached` answers. Test buttons count. A button filter narrows every count except the
//! autonomy denominator (distinct reviews with a `contact_tried` answer), which that code asks
//! without it. A figure nobody answered is 0, never null. Only the answers of the reviews that
//! carry the form asked for count (see [`Form::counts`]).

mod forms;
mod window;

use serde::{Serialize, Serializer};

pub use self::forms::{Form, apart, home};
pub use self::window::{Split, Window, split};
use super::aggregate::Tally;
use super::answers::Channel;

/// A figure as JavaScript writes a number: integers without a fraction.
fn js_number<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// The six figures, each 0 when nobody answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    #[serde(serialize_with = "js_number")]
    pub satisfaction: f64,
    #[serde(serialize_with = "js_number")]
    pub comprehension: f64,
    #[serde(serialize_with = "js_number")]
    pub contact: f64,
    #[serde(serialize_with = "js_number")]
    pub contact_reachability: f64,
    #[serde(serialize_with = "js_number")]
    pub contact_satisfaction: f64,
    #[serde(serialize_with = "js_number")]
    pub autonomy: f64,
}

/// The counts the figures come from, named as the incumbent names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(non_snake_case)]
pub struct Metadata {
    pub satisfaction_count: i64,
    pub comprehension_count: i64,
    pub contact_count: i64,
    pub contactReachability_count: i64,
    pub contactSatisfaction_count: i64,
    pub autonomy_count: i64,
}

/// The answer's `data` and `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub data: Figures,
    pub metadata: Metadata,
}

/// `sum / count`, and 0 where JavaScript would get NaN.
fn mean(sum: f64, count: i64) -> f64 {
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// The mark of a 1–5 answer: 0, 2.5, 5, 7.5, 10 (the incumbent's marks by intention, very_bad
/// having none).
fn mark(score: u8) -> f64 {
    f64::from(score - 1) * 2.5
}

fn administration() -> impl Iterator<Item = &'static str> {
    Channel::ALL
        .into_iter()
        .filter(|c| c.is_administration())
        .map(Channel::code)
}

impl Stats {
    /// The figures of the answers in `filtered` (the button asked for, or all), with the
    /// autonomy denominator from `all` (every button), and `beside` more « Je n'ai pas eu
    /// besoin d'aide » answers of those reviews that `filtered` cannot hold, ticked beside a
    /// channel in the incumbent's database.
    pub fn of(filtered: &Tally, all: &Tally, beside: i64) -> Stats {
        let n = |question: &str, value: &str| filtered.get(question, value);
        let (good, medium, bad) = (
            n("satisfaction", "good"),
            n("satisfaction", "medium"),
            n("satisfaction", "bad"),
        );
        let satisfaction_count = good + medium + bad;
        let satisfaction = mean(10.0 * good as f64 + 5.0 * medium as f64, satisfaction_count);
        let (mut comprehension_count, mut comprehension_sum) = (0, 0.0);
        for score in 1..=5u8 {
            let count = n("comprehension", &score.to_string());
            comprehension_count += count;
            comprehension_sum += mark(score) * count as f64;
        }
        let (mut yes, mut no) = (0, 0);
        let (mut rated, mut rated_sum) = (0, 0.0);
        for channel in administration() {
            yes += n("contact_reached", &format!("{channel}:yes"));
            no += n("contact_reached", &format!("{channel}:no"));
            for score in 1..=5u8 {
                let count = n("contact_satisfaction", &format!("{channel}:{score}"));
                rated += count;
                rated_sum += mark(score) * count as f64;
            }
        }
        let reached_count = yes + no;
        let contact_count = rated + no;
        let autonomy_count = all.get("contact_tried", super::aggregate::ANSWERED);
        let autonomous = n("contact_tried", Channel::None.code()) + beside;
        Stats {
            data: Figures {
                satisfaction,
                comprehension: mean(comprehension_sum, comprehension_count),
                contact: mean(rated_sum, contact_count),
                contact_reachability: mean(yes as f64, reached_count),
                contact_satisfaction: mean(rated_sum, rated),
                autonomy: mean(10.0 * autonomous as f64, autonomy_count),
            },
            metadata: Metadata {
                satisfaction_count,
                comprehension_count,
                contact_count,
                contactReachability_count: reached_count,
                contactSatisfaction_count: rated,
                autonomy_count,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::aggregate::Key;

    fn tally(counts: &[(&'static str, &str, i64)]) -> Tally {
        let mut tally = Tally::default();
        let moves: Vec<(Key, i64)> = counts
            .iter()
            .map(|(q, v, n)| ((*q, (*v).to_owned()), *n))
            .collect();
        tally.add(&moves);
        tally
    }

    #[test]
    fn figures_follow_the_incumbent_formulas_and_nobody_is_zero() {
        let filtered = tally(&[
            ("satisfaction", "good", 2),
            ("satisfaction", "medium", 1),
            ("satisfaction", "bad", 1),
            ("comprehension", "1", 1),
            ("comprehension", "4", 1),
            ("contact_tried", "none", 1),
            ("contact_tried", "*", 2),
            ("contact_reached", "phone:yes", 1),
            ("contact_reached", "email:no", 1),
            ("contact_satisfaction", "phone:5", 1),
        ]);
        let all = tally(&[("contact_tried", "*", 4)]);
        let stats = Stats::of(&filtered, &all, 0);
        assert_eq!(stats.data.satisfaction, 25.0 / 4.0);
        assert_eq!(stats.data.comprehension, 7.5 / 2.0);
        assert_eq!(stats.data.contact_reachability, 0.5);
        assert_eq!(stats.data.contact_satisfaction, 10.0);
        assert_eq!(stats.data.contact, 5.0);
        assert_eq!(stats.data.autonomy, 2.5);
        assert_eq!(stats.metadata.autonomy_count, 4);
        assert_eq!(stats.metadata.contact_count, 2);
        let nobody = Stats::of(&Tally::default(), &Tally::default(), 0);
        assert_eq!(Stats::of(&filtered, &all, 2).data.autonomy, 7.5);
        let json = serde_json::to_value(&nobody).unwrap();
        assert_eq!(json["data"]["satisfaction"], serde_json::json!(0));
        assert_eq!(
            serde_json::to_string(&nobody.data).unwrap(),
            r#"{"satisfaction":0,"comprehension":0,"contact":0,"contact_reachability":0,"contact_satisfaction":0,"autonomy":0}"#
        );
    }
}
