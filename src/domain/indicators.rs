//! The observatory's five indicators, computed from summed counters, with the official formulas.
//!
//! Scores are on /10: each answer is turned into points and averaged, with a normal-approximation
//! 95 % interval. Shares are between 0 and 1, with a Wilson 95 % interval. An indicator nobody
//! answered has no value, never 0.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;
use utoipa::ToSchema;

use super::aggregate::{ANSWERED, cell_of};
use super::answers::Channel;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Summed counters, one per (question, value) of the questionnaire.
pub type Counts = super::aggregate::Tally;

/// Counts of an indicator's raw answer values, by value.
pub type Distribution = BTreeMap<&'static str, i64>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Good,
    Medium,
    Bad,
}

/// One indicator over one window.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Indicator {
    /// Score /10 or share 0–1; null when `n` is 0.
    pub value: Option<f64>,
    /// How many answers (or reviews, for `autonomy`) the value is computed from.
    pub n: i64,
    /// 95 % confidence interval; null when `n` is 0 (or 1, for scores).
    pub ci95: Option<[f64; 2]>,
    pub level: Option<Level>,
    /// Whether `n` reaches the publication threshold.
    pub publishable: bool,
    /// Counts of the raw answer values.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub distribution: Distribution,
}

/// The five indicators of one procedure over one window.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Indicators {
    pub satisfaction: Indicator,
    pub comprehension: Indicator,
    pub help_reachable: Indicator,
    pub help_quality: Indicator,
    pub autonomy: Indicator,
}

impl Indicators {
    /// Names and indicators in their published order.
    pub fn named(&self) -> [(&'static str, &Indicator); 5] {
        [
            ("satisfaction", &self.satisfaction),
            ("comprehension", &self.comprehension),
            ("help_reachable", &self.help_reachable),
            ("help_quality", &self.help_quality),
            ("autonomy", &self.autonomy),
        ]
    }
}

/// The cells of a tally each indicator reads, found once: computing the indicators of every
/// procedure looked each counter up by name, a hash and a formatted key per lookup.
struct Layout {
    /// Raw value, points, and the cells whose counts are answers of that value.
    satisfaction: Vec<Part>,
    comprehension: Vec<Part>,
    help_quality: Vec<Part>,
    reached: Vec<usize>,
    not_reached: Vec<usize>,
    tried: usize,
    /// Each channel's code and cell, `none` included.
    channels: Vec<(&'static str, usize)>,
    no_help: usize,
}

struct Part {
    value: &'static str,
    points: f64,
    cells: Vec<usize>,
}

impl Part {
    fn count(&self, counts: &Counts) -> i64 {
        self.cells.iter().map(|&cell| counts.0[cell]).sum()
    }
}

const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];

static LAYOUT: LazyLock<Layout> = LazyLock::new(|| {
    let cell = |question: &str, value: &str| {
        cell_of(question, value).unwrap_or_else(|| panic!("no counter {question}={value}"))
    };
    let administration = || Channel::ALL.into_iter().filter(|c| c.is_administration());
    let per_channel = |question: &str, suffix: &str| -> Vec<usize> {
        administration()
            .map(|c| cell(question, &format!("{}:{suffix}", c.code())))
            .collect()
    };
    let scale = |cells: &dyn Fn(&str) -> Vec<usize>| -> Vec<Part> {
        SCORES
            .iter()
            .zip(0u8..)
            .map(|(value, rank)| Part {
                value,
                points: f64::from(rank) * 2.5,
                cells: cells(value),
            })
            .collect()
    };
    Layout {
        satisfaction: [("good", 10.0), ("medium", 5.0), ("bad", 0.0)]
            .into_iter()
            .map(|(value, points)| Part {
                value,
                points,
                cells: vec![cell("satisfaction", value)],
            })
            .collect(),
        comprehension: scale(&|v| vec![cell("comprehension", v)]),
        help_quality: scale(&|v| per_channel("contact_satisfaction", v)),
        reached: per_channel("contact_reached", "yes"),
        not_reached: per_channel("contact_reached", "no"),
        tried: cell("contact_tried", ANSWERED),
        channels: Channel::ALL
            .into_iter()
            .map(|c| (c.code(), cell("contact_tried", c.code())))
            .collect(),
        no_help: cell("contact_tried", Channel::None.code()),
    }
});

/// Computes every indicator from a procedure's summed counters.
pub fn compute(counts: &Counts, threshold: i64) -> Indicators {
    let layout = &*LAYOUT;
    let sum = |cells: &[usize]| -> i64 { cells.iter().map(|&cell| counts.0[cell]).sum() };
    let (reached, not_reached) = (sum(&layout.reached), sum(&layout.not_reached));
    Indicators {
        satisfaction: score(&layout.satisfaction, counts, threshold),
        comprehension: score(&layout.comprehension, counts, threshold),
        help_reachable: share(
            reached,
            reached + not_reached,
            BTreeMap::from([("yes", reached), ("no", not_reached)]),
            Some((0.85, 0.70)),
            threshold,
        ),
        help_quality: score(&layout.help_quality, counts, threshold),
        autonomy: share(
            counts.0[layout.no_help],
            counts.0[layout.tried],
            layout
                .channels
                .iter()
                .map(|&(code, cell)| (code, counts.0[cell]))
                .collect(),
            None,
            threshold,
        ),
    }
}

/// A mean of points over answers, each part giving its value's points and count.
fn score(parts: &[Part], counts: &Counts, threshold: i64) -> Indicator {
    let values: Vec<(&'static str, f64, i64)> = parts
        .iter()
        .map(|part| (part.value, part.points, part.count(counts)))
        .collect();
    let n: i64 = values.iter().map(|(_, _, c)| c).sum();
    if n == 0 {
        return Indicator::empty();
    }
    let total = n as f64;
    let mean = values.iter().map(|(_, p, c)| p * *c as f64).sum::<f64>() / total;
    let ci95 = (n > 1).then(|| {
        let variance = values
            .iter()
            .map(|(_, p, c)| *c as f64 * (p - mean).powi(2))
            .sum::<f64>()
            / (total - 1.0);
        let half = Z95 * (variance / total).sqrt();
        [
            round((mean - half).max(0.0), 2),
            round((mean + half).min(10.0), 2),
        ]
    });
    Indicator {
        value: Some(round(mean, 2)),
        n,
        ci95,
        level: Some(level(mean, 8.0, 5.0)),
        publishable: n >= threshold,
        distribution: values.iter().map(|(v, _, c)| (*v, *c)).collect(),
    }
}

/// A share of `hits` among `n`, with its Wilson interval.
fn share(
    hits: i64,
    n: i64,
    distribution: Distribution,
    levels: Option<(f64, f64)>,
    threshold: i64,
) -> Indicator {
    if n == 0 {
        return Indicator::empty();
    }
    let (p, total) = (hits as f64 / n as f64, n as f64);
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * total)) / (1.0 + z2 / total);
    let half =
        Z95 * (p * (1.0 - p) / total + z2 / (4.0 * total * total)).sqrt() / (1.0 + z2 / total);
    Indicator {
        value: Some(round(p, 4)),
        n,
        ci95: Some([
            round((centre - half).max(0.0), 4),
            round((centre + half).min(1.0), 4),
        ]),
        level: levels.map(|(good, medium)| level(p, good, medium)),
        publishable: n >= threshold,
        distribution,
    }
}

fn level(value: f64, good: f64, medium: f64) -> Level {
    if value >= good {
        Level::Good
    } else if value >= medium {
        Level::Medium
    } else {
        Level::Bad
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

impl Indicator {
    fn empty() -> Indicator {
        Indicator {
            value: None,
            n: 0,
            ci95: None,
            level: None,
            publishable: false,
            distribution: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&'static str, &str, i64)]) -> Counts {
        let mut counts = Counts::default();
        let moves: Vec<_> = pairs
            .iter()
            .map(|(q, v, n)| ((*q, (*v).to_owned()), *n))
            .collect();
        counts.add(&moves);
        counts
    }

    #[test]
    fn sixty_good_thirty_medium_ten_bad_score_seven_and_a_half() {
        let found = compute(
            &counts(&[
                ("satisfaction", "good", 60),
                ("satisfaction", "medium", 30),
                ("satisfaction", "bad", 10),
            ]),
            100,
        );
        let s = found.satisfaction;
        assert_eq!(s.value, Some(7.5));
        assert_eq!(s.n, 100);
        assert_eq!(s.level, Some(Level::Medium));
        assert!(s.publishable);
        // sample standard deviation sqrt(1125/99) = 3.371; half-width 1.96 × 0.3371 = 0.661
        assert_eq!(s.ci95, Some([6.84, 8.16]));
        assert_eq!(
            s.distribution,
            BTreeMap::from([("good", 60), ("medium", 30), ("bad", 10)])
        );
    }

    #[test]
    fn levels_follow_the_official_thresholds() {
        let sat = |good, medium, bad| {
            compute(
                &counts(&[
                    ("satisfaction", "good", good),
                    ("satisfaction", "medium", medium),
                    ("satisfaction", "bad", bad),
                ]),
                100,
            )
            .satisfaction
        };
        assert_eq!(sat(3, 2, 0).value, Some(8.0));
        assert_eq!(sat(3, 2, 0).level, Some(Level::Good));
        assert_eq!(sat(0, 1, 0).level, Some(Level::Medium));
        assert_eq!(sat(1, 0, 1).value, Some(5.0));
        assert_eq!(sat(1, 0, 1).level, Some(Level::Medium));
        assert_eq!(sat(1, 0, 2).level, Some(Level::Bad));
        assert!(!sat(1, 0, 2).publishable);
    }

    #[test]
    fn clarity_maps_one_to_five_onto_zero_to_ten() {
        let found = compute(
            &counts(&[
                ("comprehension", "1", 1),
                ("comprehension", "5", 1),
                ("comprehension", "4", 2),
            ]),
            100,
        );
        // (0 + 10 + 7.5 + 7.5) / 4
        assert_eq!(found.comprehension.value, Some(6.25));
        assert_eq!(found.comprehension.n, 4);
        assert_eq!(found.comprehension.distribution["4"], 2);
        assert_eq!(found.comprehension.distribution["2"], 0);
    }

    #[test]
    fn help_reachable_counts_one_answer_per_channel() {
        let found = compute(
            &counts(&[
                ("contact_reached", "phone:yes", 17),
                ("contact_reached", "email:no", 2),
                ("contact_reached", "chat:no", 1),
            ]),
            20,
        );
        let h = found.help_reachable;
        assert_eq!(
            (h.value, h.n, h.level, h.publishable),
            (Some(0.85), 20, Some(Level::Good), true)
        );
        // Wilson: centre 0.7936, half-width 0.1540
        assert_eq!(h.ci95, Some([0.6396, 0.9476]));
        let low = compute(
            &counts(&[
                ("contact_reached", "phone:yes", 69),
                ("contact_reached", "phone:no", 31),
            ]),
            100,
        );
        assert_eq!(low.help_reachable.level, Some(Level::Bad));
    }

    #[test]
    fn help_quality_averages_every_rated_channel() {
        let found = compute(
            &counts(&[
                ("contact_satisfaction", "phone:5", 1),
                ("contact_satisfaction", "counter:2", 1),
            ]),
            100,
        );
        assert_eq!(found.help_quality.value, Some(6.25));
        assert_eq!(found.help_quality.n, 2);
    }

    #[test]
    fn autonomy_is_the_share_who_needed_no_help_and_has_no_level() {
        let found = compute(
            &counts(&[
                ("contact_tried", "*", 8),
                ("contact_tried", "none", 6),
                ("contact_tried", "phone", 2),
                ("contact_tried", "email", 1),
            ]),
            100,
        );
        let a = found.autonomy;
        assert_eq!((a.value, a.n, a.level), (Some(0.75), 8, None));
        assert_eq!(a.distribution["none"], 6);
        assert_eq!(a.distribution["phone"], 2);
    }

    #[test]
    fn an_indicator_nobody_answered_has_no_value() {
        let found = compute(&Counts::default(), 100);
        for (_, indicator) in found.named() {
            assert_eq!(indicator, &Indicator::empty());
        }
    }

    #[test]
    fn one_answer_has_a_value_but_no_score_interval() {
        let found = compute(&counts(&[("satisfaction", "good", 1)]), 1);
        assert_eq!(found.satisfaction.value, Some(10.0));
        assert_eq!(found.satisfaction.ci95, None);
        assert!(found.satisfaction.publishable);
    }
}
