//! The incumbent's statistics for administrations' scripts (`POST /api/open-api/statistiques`),
//! computed from avis's counters: the intervals an answer is cut into, and per interval the
//! count of each option of each question, labelled and weighed (`intention`) as the incumbent's
//! questionnaire stores them (see [`questions`]).
//!
//! The incumbent (`webapp-backoffice/src/utils/stats/` in DISIC/jedonnemonavis.numerique.gouv.fr)
//! counts its answers one by one, each under its field code, and lists only what was answered:
//! an interval, a question or an option nobody answered is left out, never sent as 0. Each
//! ticked administration channel of `contact_tried` carries, as `children`, the `contact_reached`
//! and `contact_satisfaction` answers given about it. Intervals are calendar days, ISO weeks
//! (from Monday), months and years, or the whole window (`none`, named `all_time`); avis counts
//! in Paris days where the incumbent cut UTC days, so an interval starts at midnight in Paris and
//! its name says so with its offset (`2025-01-06T00:00:00.000+01:00`), where the incumbent
//! wrote `Z`.

mod questions;

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use self::questions::{Question, questions};
use super::aggregate::Tally;
use super::time::paris;

/// How the window is cut, as the incumbent's `interval` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    Month,
    Year,
    #[default]
    None,
}

impl Interval {
    /// The name the answer gives each interval's length.
    pub fn name(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
            Interval::None => "none",
        }
    }

    /// The first day of the interval holding `day`; `None` for the whole window.
    pub fn start(self, day: Date) -> Option<Date> {
        match self {
            Interval::Day => Some(day),
            Interval::Week => {
                let back = i64::from(day.weekday().to_monday_zero_offset());
                Some(day.checked_sub(back.days()).unwrap_or(day))
            }
            Interval::Month => Some(day.first_of_month()),
            Interval::Year => Some(day.first_of_year()),
            Interval::None => None,
        }
    }
}

/// How the answer names an interval: `all_time` for the whole window, else the instant it
/// starts, midnight in Paris with its offset, in the incumbent's layout.
pub fn interval_name(start: Option<Date>) -> String {
    let Some(start) = start else {
        return "all_time".to_owned();
    };
    let offset = start
        .to_zoned(paris())
        .map_or(0, |midnight| midnight.offset().seconds());
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    format!("{start}T00:00:00.000{sign}{hours:02}:{minutes:02}")
}

/// One question's counts: its field code, its label, each answered option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub category: &'static str,
    pub label: &'static str,
    pub number_hits: Vec<Hit>,
}

/// One option's count, with the answers given about it (a channel's) when there are any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub intention: &'static str,
    pub label: &'static str,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<Category>>,
}

/// One interval of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub date: String,
    pub length_interval: &'static str,
    pub data: Vec<Category>,
}

/// The categories of `asked` answered in `tally`, largest counts first as the incumbent
/// orders them; a question nobody answered is left out.
pub fn categories(tally: &Tally, asked: &[&Question]) -> Vec<Category> {
    let mut found: Vec<Category> = asked
        .iter()
        .filter_map(|question| question.category(tally, None))
        .collect();
    found.sort_by_key(|c| std::cmp::Reverse(c.number_hits.first().map_or(0, |h| h.count)));
    found
}

/// The periods of a window whose counts per Paris day are `days`, cut by `interval`, in
/// order; a period where none of `asked` was answered is left out.
pub fn periods(
    days: &BTreeMap<Date, Tally>,
    interval: Interval,
    asked: &[&Question],
) -> Vec<Period> {
    let mut cut: BTreeMap<Option<Date>, Tally> = BTreeMap::new();
    for (day, tally) in days {
        cut.entry(interval.start(*day)).or_default().merge(tally);
    }
    cut.into_iter()
        .filter_map(|(start, tally)| {
            let data = categories(&tally, asked);
            (!data.is_empty()).then(|| Period {
                date: interval_name(start),
                length_interval: interval.name(),
                data,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::aggregate::Key;

    fn day(raw: &str) -> Date {
        raw.parse().unwrap()
    }

    #[test]
    fn intervals_start_on_the_day_monday_the_first_of_the_month_and_of_the_year() {
        let sunday = day("2025-01-05");
        assert_eq!(Interval::Day.start(sunday), Some(sunday));
        assert_eq!(Interval::Week.start(sunday), Some(day("2024-12-30")));
        assert_eq!(
            Interval::Week.start(day("2024-12-30")),
            Some(day("2024-12-30"))
        );
        assert_eq!(Interval::Month.start(sunday), Some(day("2025-01-01")));
        assert_eq!(
            Interval::Year.start(day("2025-07-14")),
            Some(day("2025-01-01"))
        );
        assert_eq!(Interval::None.start(sunday), None);
    }

    #[test]
    fn an_interval_is_named_by_its_paris_midnight() {
        assert_eq!(interval_name(None), "all_time");
        assert_eq!(
            interval_name(Some(day("2025-01-06"))),
            "2025-01-06T00:00:00.000+01:00"
        );
        assert_eq!(
            interval_name(Some(day("2025-07-01"))),
            "2025-07-01T00:00:00.000+02:00"
        );
    }

    #[test]
    fn periods_gather_their_days_and_leave_out_what_nobody_answered() {
        let tally = |moves: &[(&'static str, &str, i64)]| {
            let mut tally = Tally::default();
            let moves: Vec<(Key, i64)> = moves
                .iter()
                .map(|(q, v, n)| ((*q, (*v).to_owned()), *n))
                .collect();
            tally.add(&moves);
            tally
        };
        let days = BTreeMap::from([
            (day("2025-01-30"), tally(&[("satisfaction", "good", 2)])),
            (day("2025-01-31"), tally(&[("satisfaction", "bad", 3)])),
            (day("2025-02-01"), tally(&[("verbatim", "*", 1)])),
        ]);
        let asked = questions(&[]);
        let months = periods(&days, Interval::Month, &asked);
        assert_eq!(months.len(), 1, "February had no answer counted here");
        assert_eq!(months[0].date, "2025-01-01T00:00:00.000+01:00");
        assert_eq!(months[0].length_interval, "month");
        let hits: Vec<(&str, i64)> = months[0].data[0]
            .number_hits
            .iter()
            .map(|h| (h.label, h.count))
            .collect();
        assert_eq!(hits, vec![("Pas bien", 3), ("Très bien", 2)]);
        let whole = periods(&days, Interval::None, &questions(&["comprehension".into()]));
        assert!(whole.is_empty());
    }
}
