//! Summed counters cut the ways a dashboard reads them: by bucket of a series, by help channel,
//! and the change of an indicator from one window to the one before. Every figure still comes
//! out of [`indicators::compute`]: these functions only choose which counters it is given.

use jiff::civil::Date;

use super::aggregate::cell_of;
use super::answers::Channel;
use super::indicators::{Counts, Indicator};
use super::window::Window;

/// Each bucket's counters, from days in ascending order (as the store reads them), each day
/// counted in the bucket that holds it.
pub fn by_bucket(
    days: impl IntoIterator<Item = (Date, Counts)>,
    buckets: &[Window],
) -> Vec<Counts> {
    let mut days = days.into_iter().peekable();
    buckets
        .iter()
        .map(|bucket| {
            let mut counts = Counts::default();
            while let Some((_, day)) = days.next_if(|(day, _)| *day <= bucket.to) {
                counts.merge(&day);
            }
            counts
        })
        .collect()
}

/// The counters of one help channel alone: whether it was tried, and, for an administration's
/// channel, whether it was reached and how its help was rated. The reachable help and the help
/// quality computed from them are that channel's.
pub fn of_channel(counts: &Counts, channel: Channel) -> Counts {
    let code = channel.code();
    let mut cells = vec![cell_of("contact_tried", code)];
    if channel.is_administration() {
        for value in ["yes", "no"] {
            cells.push(cell_of("contact_reached", &format!("{code}:{value}")));
        }
        for score in 1..=5 {
            cells.push(cell_of("contact_satisfaction", &format!("{code}:{score}")));
        }
    }
    let mut kept = Counts::default();
    for cell in cells.into_iter().flatten() {
        kept.0[cell] = counts.0[cell];
    }
    kept
}

/// How much an indicator moved since the window before, when both have a value; rounded as
/// finely as the finest indicator (shares, to 4 decimals), so that it reads as the difference of
/// the two published values.
pub fn change(now: &Indicator, before: &Indicator) -> Option<f64> {
    let (now, before) = (now.value?, before.value?);
    Some(((now - before) * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::compute;
    use jiff::civil::date;

    fn tally(pairs: &[(&'static str, &str, i64)]) -> Counts {
        let mut counts = Counts::default();
        let moves: Vec<_> = pairs
            .iter()
            .map(|(q, v, n)| ((*q, (*v).to_owned()), *n))
            .collect();
        counts.add(&moves);
        counts
    }

    #[test]
    fn each_day_lands_in_the_bucket_that_holds_it() {
        let buckets = [
            Window {
                from: date(2026, 1, 1),
                to: date(2026, 1, 31),
            },
            Window {
                from: date(2026, 2, 1),
                to: date(2026, 2, 28),
            },
            Window {
                from: date(2026, 3, 1),
                to: date(2026, 3, 10),
            },
        ];
        let good = tally(&[("satisfaction", "good", 1)]);
        let bad = tally(&[("satisfaction", "bad", 2)]);
        let sums = by_bucket(
            [
                (date(2026, 1, 1), good),
                (date(2026, 1, 31), bad),
                (date(2026, 3, 10), good),
            ],
            &buckets,
        );
        assert_eq!(sums[0].get("satisfaction", "good"), 1);
        assert_eq!(sums[0].get("satisfaction", "bad"), 2);
        assert!(sums[1].is_zero());
        assert_eq!(sums[2].get("satisfaction", "good"), 1);
    }

    #[test]
    fn a_channel_keeps_only_its_own_counters() {
        let counts = tally(&[
            ("contact_tried", "*", 3),
            ("contact_tried", "phone", 2),
            ("contact_tried", "email", 1),
            ("contact_reached", "phone:yes", 1),
            ("contact_reached", "phone:no", 1),
            ("contact_reached", "email:yes", 1),
            ("contact_satisfaction", "phone:5", 1),
            ("contact_satisfaction", "email:1", 1),
        ]);
        let phone = of_channel(&counts, Channel::Phone);
        assert_eq!(phone.get("contact_tried", "phone"), 2);
        assert_eq!(phone.get("contact_tried", "email"), 0);
        let figures = compute(&phone, 100);
        assert_eq!(figures.help_reachable.value, Some(0.5));
        assert_eq!(figures.help_quality.value, Some(10.0));
        let relative = of_channel(
            &tally(&[("contact_tried", "relative", 4)]),
            Channel::Relative,
        );
        assert_eq!(relative.get("contact_tried", "relative"), 4);
        assert_eq!(compute(&relative, 100).help_reachable.n, 0);
    }

    #[test]
    fn a_change_needs_two_values() {
        let at = |good, bad| {
            compute(
                &tally(&[("satisfaction", "good", good), ("satisfaction", "bad", bad)]),
                1,
            )
        };
        let (now, before) = (at(3, 1), at(1, 1));
        assert_eq!(change(&now.satisfaction, &before.satisfaction), Some(2.5));
        assert_eq!(change(&now.satisfaction, &at(0, 0).satisfaction), None);
    }
}
