//! The incumbent's observatory figures computed plainly over raw reviews, to check avis's answer
//! against, and random reviews to compute them over.

use avis::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

/// One review as the incumbent's index sees it: its button's legacy id, when, its answers.
#[derive(Debug, Clone)]
pub struct Row {
    pub button: i64,
    pub at: i64,
    pub answers: Answers,
    pub counts: bool,
    /// The incumbent also had « Je n'ai pas eu besoin d'aide » beside its channels, which
    /// `answers` cannot hold.
    pub beside: bool,
}

/// The incumbent's figures over `rows`, written plainly from its
/// `webapp-backoffice/src/server/routers/answer/get-observatoire-stats.ts`
/// (DISIC/jedonnemonavis.numerique.gouv.fr): every answer one document (a ticked channel, a
/// reached channel, a rated channel each one), `created_at` between both bounds included,
/// `button_id` narrowing every count but the distinct reviews with a `contact_tried` answer,
/// NaN sent as 0.
pub fn reference(rows: &[Row], first: i64, last: i64, button: Option<i64>) -> Expected {
    let inside: Vec<&Row> = rows
        .iter()
        .filter(|r| r.counts && r.at >= first && r.at <= last)
        .collect();
    // (field_code, answer_text, intention) per answer document.
    let mut documents: Vec<(&str, &str, &str)> = Vec::new();
    let intention = |score: Score| match score.get() {
        1 => "very_bad",
        2 => "bad",
        3 => "medium",
        4 => "good",
        _ => "very_good",
    };
    for row in inside
        .iter()
        .filter(|r| button.is_none_or(|b| b == r.button))
    {
        let a = &row.answers;
        if let Some(s) = a.satisfaction {
            let (text, intention) = match s {
                Satisfaction::Bad => ("Pas bien", "bad"),
                Satisfaction::Medium => ("Moyen", "medium"),
                Satisfaction::Good => ("Très bien", "good"),
            };
            documents.push(("satisfaction", text, intention));
        }
        if let Some(score) = a.comprehension {
            documents.push(("comprehension", "", intention(score)));
        }
        for channel in a.contact_tried.iter().flatten() {
            let intention = if *channel == Channel::None {
                "good"
            } else {
                "neutral"
            };
            documents.push(("contact_tried", channel.code(), intention));
        }
        if row.beside {
            documents.push(("contact_tried", "none", "good"));
        }
        for reached in a.contact_reached.iter().flat_map(|m| m.values()) {
            let (text, intention) = match reached {
                Reached::Yes => ("Oui", "good"),
                Reached::No => ("Non", "bad"),
            };
            documents.push(("contact_reached", text, intention));
        }
        for score in a.contact_satisfaction.iter().flat_map(|m| m.values()) {
            documents.push(("contact_satisfaction", "", intention(*score)));
        }
    }
    let marks = |intention: &str| match intention {
        "very_good" => 10.0,
        "good" => 7.5,
        "medium" => 5.0,
        "bad" => 2.5,
        _ => 0.0,
    };
    let of = |code: &'static str| documents.iter().filter(move |d| d.0 == code);
    // Sums start at 0, as JavaScript's `reduce` does theirs: Rust's `sum` of no number is -0,
    // which a figure would show.
    let add = |sum: f64, mark: f64| sum + mark;
    let satisfaction_count = of("satisfaction").count();
    let satisfaction_sum: f64 = of("satisfaction")
        .map(|d| match d.2 {
            "good" => 10.0,
            "medium" => 5.0,
            _ => 0.0,
        })
        .fold(0.0, add);
    let comprehension_count = of("comprehension").count();
    let comprehension_sum: f64 = of("comprehension").map(|d| marks(d.2)).fold(0.0, add);
    let reachability_count = of("contact_reached").count();
    let reached_yes = of("contact_reached").filter(|d| d.1 == "Oui").count();
    let rated_count = of("contact_satisfaction").count();
    let rated_sum: f64 = of("contact_satisfaction")
        .map(|d| marks(d.2))
        .fold(0.0, add);
    let contact_count = rated_count + of("contact_reached").filter(|d| d.1 == "Non").count();
    let autonomy_count = inside
        .iter()
        .filter(|r| {
            r.answers
                .contact_tried
                .as_ref()
                .is_some_and(|t| !t.is_empty())
        })
        .count();
    let autonomous = of("contact_tried").filter(|d| d.2 == "good").count();
    let ratio = |sum: f64, count: usize| {
        let value = sum / count as f64;
        if value.is_nan() { 0.0 } else { value }
    };
    Expected {
        figures: vec![
            ("satisfaction", ratio(satisfaction_sum, satisfaction_count)),
            (
                "comprehension",
                ratio(comprehension_sum, comprehension_count),
            ),
            ("contact", ratio(rated_sum, contact_count)),
            (
                "contact_reachability",
                ratio(reached_yes as f64, reachability_count),
            ),
            ("contact_satisfaction", ratio(rated_sum, rated_count)),
            ("autonomy", ratio(10.0 * autonomous as f64, autonomy_count)),
        ],
        metadata: json!({
            "satisfaction_count": satisfaction_count,
            "comprehension_count": comprehension_count,
            "contact_count": contact_count,
            "contactReachability_count": reachability_count,
            "contactSatisfaction_count": rated_count,
            "autonomy_count": autonomy_count,
        }),
    }
}

/// The figures and counts the incumbent would send.
pub struct Expected {
    pub figures: Vec<(&'static str, f64)>,
    pub metadata: Value,
}

impl Expected {
    /// Checks an answer's text: the counts, and each figure written as JavaScript writes the
    /// same number (the shortest text that reads back as it, whole numbers without a fraction),
    /// read from the text itself: a JSON parser may round the last digit.
    pub fn check(&self, text: &str, context: &str) {
        let body: Value = serde_json::from_str(text).unwrap();
        let answer = &body["result"]["data"]["json"];
        assert_eq!(answer["metadata"], self.metadata, "{context}: {text}");
        let figures = answer["data"].as_object().unwrap();
        assert_eq!(figures.len(), self.figures.len(), "{text}");
        for (name, value) in &self.figures {
            let key = format!("\"{name}\":");
            let at = text.find(&key).unwrap() + key.len();
            let written: String = text[at..]
                .chars()
                .take_while(|c| !matches!(c, ',' | '}'))
                .collect();
            assert_eq!(written, format!("{value}"), "{context}: {name} in {text}");
        }
    }
}

pub fn random_answers(rng: &mut StdRng) -> Answers {
    let score = |rng: &mut StdRng| Score::try_from(rng.random_range(1..=5u8)).unwrap();
    let satisfaction =
        [Satisfaction::Bad, Satisfaction::Medium, Satisfaction::Good][rng.random_range(0..3)];
    let mut answers = Answers {
        satisfaction: Some(satisfaction),
        ..Answers::default()
    };
    if rng.random_bool(0.7) {
        answers.comprehension = Some(score(rng));
    }
    if rng.random_bool(0.7) {
        if rng.random_bool(0.4) {
            answers.contact_tried = Some([Channel::None].into());
        } else {
            let tried: std::collections::BTreeSet<Channel> = Channel::ALL
                .into_iter()
                .filter(|c| *c != Channel::None && rng.random_bool(0.35))
                .collect();
            if !tried.is_empty() {
                let mut reached = std::collections::BTreeMap::new();
                let mut rated = std::collections::BTreeMap::new();
                for channel in tried.iter().filter(|c| c.is_administration()) {
                    if rng.random_bool(0.8) {
                        let yes = rng.random_bool(0.6);
                        reached.insert(*channel, if yes { Reached::Yes } else { Reached::No });
                        if yes && rng.random_bool(0.8) {
                            rated.insert(*channel, score(rng));
                        }
                    }
                }
                answers.contact_reached = (!reached.is_empty()).then_some(reached);
                answers.contact_satisfaction = (!rated.is_empty()).then_some(rated);
                answers.contact_tried = Some(tried);
            }
        }
    }
    answers
}
