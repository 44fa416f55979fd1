//! The incumbent's observatory figures (`answer.getObservatoireStats`), computed from avis's
//! counters: the window it reads, and its six figures with their counts.
//!
//! The rules are those of the incumbent's
//! `webapp-backoffice/src/server/routers/answer/get-observatoire-stats.ts` (repository
//! DISIC/jedonnemonavis.numerique.gouv.fr), where every answer is one document: a review's three
//! ticked channels are three `contact_tried` answers, its reached channels as many
//! `contact_reached` answers. Test buttons count. A button filter narrows every count except the
//! autonomy denominator (distinct reviews with a `contact_tried` answer), which that code asks
//! without it. A figure nobody answered is 0, never null.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Serialize, Serializer};

use super::aggregate::Tally;
use super::answers::Channel;
use super::time::paris;

/// Both bounds of a window, in epoch milliseconds, included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: i64,
    pub last: i64,
}

/// Which end of a window a date string gives: a bare day means its first millisecond as a start
/// and its last as an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Start,
    End,
}

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

impl Window {
    /// The window of `start_date` and `end_date` as the incumbent reads them: digits are epoch
    /// milliseconds, `YYYY-MM-DD` a UTC day, a full RFC 3339 instant itself; a missing or empty
    /// start is 1970-01-01, a missing or empty end the end of `today` (UTC).
    pub fn parse(start: Option<&str>, end: Option<&str>, now: Timestamp) -> Result<Window, String> {
        let first = match start.filter(|s| !s.is_empty()) {
            Some(raw) => instant(raw, End::Start).map_err(|e| format!("start_date: {e}"))?,
            None => 0,
        };
        let end_of_today = now.as_millisecond().div_euclid(DAY_MS) * DAY_MS + DAY_MS - 1;
        let last = match end.filter(|s| !s.is_empty()) {
            Some(raw) => instant(raw, End::End).map_err(|e| format!("end_date: {e}"))?,
            None => end_of_today,
        };
        // No review is older than 1970 or newer than today: bounds beyond them change nothing,
        // and kept within them the window splits into days, whatever was asked.
        Ok(Window {
            first: first.max(0),
            last: last.min(end_of_today),
        })
    }
}

/// One bound of a window, in epoch milliseconds.
pub fn instant(raw: &str, end: End) -> Result<i64, String> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw
            .parse::<i64>()
            .map_err(|_| format!("{raw:?} is too large"));
    }
    if let Ok(day) = raw.parse::<Date>()
        && raw.len() == 10
    {
        let midnight = day
            .to_zoned(TimeZone::UTC)
            .map_err(|e| e.to_string())?
            .timestamp()
            .as_millisecond();
        return Ok(match end {
            End::Start => midnight,
            End::End => midnight + DAY_MS - 1,
        });
    }
    raw.parse::<Timestamp>()
        .map(|at| at.as_millisecond())
        .map_err(|_| {
            format!("{raw:?} is neither epoch milliseconds, YYYY-MM-DD nor an RFC 3339 instant")
        })
}

/// How a window splits between day counters and reviews read one by one: the Paris days wholly
/// inside it come from the counters; the pieces of days at either end, from the reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The first and last Paris days wholly inside the window, if any.
    pub days: Option<(Date, Date)>,
    /// Ranges of epoch milliseconds, both ends included, read from the reviews.
    pub pieces: Vec<Window>,
}

/// The first millisecond of a Paris day.
fn paris_start(day: Date) -> Option<i64> {
    day.to_zoned(paris())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// Splits `window` into whole Paris days and the pieces around them.
pub fn split(window: Window) -> Split {
    let whole = |window: Window| Split {
        days: None,
        pieces: if window.first <= window.last {
            vec![window]
        } else {
            Vec::new()
        },
    };
    let (Ok(first), Ok(last)) = (
        Timestamp::from_millisecond(window.first),
        Timestamp::from_millisecond(window.last),
    ) else {
        return whole(window);
    };
    let tz = paris();
    let mut from = tz.to_datetime(first).date();
    if paris_start(from) != Some(window.first) {
        let Some(next) = from.checked_add(1.day()).ok() else {
            return whole(window);
        };
        from = next;
    }
    let mut to = tz.to_datetime(last).date();
    let Some(after) = to.checked_add(1.day()).ok() else {
        return whole(window);
    };
    if paris_start(after).map(|ms| ms - 1) != Some(window.last) {
        let Some(before) = to.checked_sub(1.day()).ok() else {
            return whole(window);
        };
        to = before;
    }
    let (Some(from_ms), Some(after_to)) = (
        paris_start(from),
        to.checked_add(1.day()).ok().and_then(paris_start),
    ) else {
        return whole(window);
    };
    if from > to {
        return whole(window);
    }
    let mut pieces = Vec::new();
    if window.first < from_ms {
        pieces.push(Window {
            first: window.first,
            last: from_ms - 1,
        });
    }
    if after_to <= window.last {
        pieces.push(Window {
            first: after_to,
            last: window.last,
        });
    }
    Split {
        days: Some((from, to)),
        pieces,
    }
}

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
    /// autonomy denominator from `all` (every button).
    pub fn of(filtered: &Tally, all: &Tally) -> Stats {
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
        let autonomous = n("contact_tried", Channel::None.code());
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
    use crate::domain::aggregate::{Key, Tally};

    fn at(raw: &str) -> i64 {
        raw.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn digits_are_milliseconds_and_bare_days_cover_the_whole_utc_day() {
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let window = Window::parse(Some("1735689600000"), Some("2025-01-31"), now).unwrap();
        assert_eq!(window.first, at("2025-01-01T00:00:00Z"));
        assert_eq!(window.last, at("2025-01-31T23:59:59.999Z"));
        let defaults = Window::parse(None, Some(""), now).unwrap();
        assert_eq!(defaults.first, 0);
        assert_eq!(defaults.last, at("2026-03-10T23:59:59.999Z"));
        let far = Window::parse(Some("1969-12-31T00:00:00Z"), Some("99999999999999"), now).unwrap();
        assert_eq!((far.first, far.last), (0, defaults.last));
        assert_eq!(
            Window::parse(Some("2025-01-01"), None, now).unwrap().first,
            at("2025-01-01T00:00:00Z")
        );
        for bad in ["hier", "2025-13-01", "-5", "99999999999999999999999"] {
            assert!(Window::parse(Some(bad), None, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_utc_window_takes_whole_paris_days_from_the_counters_and_the_rest_from_reviews() {
        let window = Window {
            first: at("2025-01-01T00:00:00Z"),
            last: at("2025-01-31T23:59:59.999Z"),
        };
        let split = split(window);
        assert_eq!(
            split.days,
            Some(("2025-01-02".parse().unwrap(), "2025-01-31".parse().unwrap()))
        );
        assert_eq!(
            split.pieces,
            vec![
                Window {
                    first: window.first,
                    last: at("2025-01-01T22:59:59.999Z")
                },
                Window {
                    first: at("2025-01-31T23:00:00Z"),
                    last: window.last
                },
            ]
        );
    }

    #[test]
    fn a_window_on_paris_days_reads_no_review_and_a_short_one_only_reviews() {
        let paris_days = Window {
            first: at("2025-07-01T22:00:00Z"),
            last: at("2025-07-03T21:59:59.999Z"),
        };
        let split_days = split(paris_days);
        assert_eq!(
            split_days.days,
            Some(("2025-07-02".parse().unwrap(), "2025-07-03".parse().unwrap()))
        );
        assert!(split_days.pieces.is_empty());
        let short = Window {
            first: at("2025-07-01T10:00:00Z"),
            last: at("2025-07-01T12:00:00Z"),
        };
        assert_eq!(
            split(short),
            Split {
                days: None,
                pieces: vec![short]
            }
        );
        let empty = Window { first: 10, last: 5 };
        assert!(split(empty).pieces.is_empty() && split(empty).days.is_none());
    }

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
        let stats = Stats::of(&filtered, &all);
        assert_eq!(stats.data.satisfaction, 25.0 / 4.0);
        assert_eq!(stats.data.comprehension, 7.5 / 2.0);
        assert_eq!(stats.data.contact_reachability, 0.5);
        assert_eq!(stats.data.contact_satisfaction, 10.0);
        assert_eq!(stats.data.contact, 5.0);
        assert_eq!(stats.data.autonomy, 2.5);
        assert_eq!(stats.metadata.autonomy_count, 4);
        assert_eq!(stats.metadata.contact_count, 2);
        let nobody = Stats::of(&Tally::default(), &Tally::default());
        let json = serde_json::to_value(&nobody).unwrap();
        assert_eq!(json["data"]["satisfaction"], serde_json::json!(0));
        assert_eq!(
            serde_json::to_string(&nobody.data).unwrap(),
            r#"{"satisfaction":0,"comprehension":0,"contact":0,"contact_reachability":0,"contact_satisfaction":0,"autonomy":0}"#
        );
    }
}
