//! Bursts on a button: how many reviews it took in the last minute. The writer of each node
//! counts what it writes, in memory, so screening a batch costs no query.

use std::collections::{HashMap, VecDeque};

use uuid::Uuid;

const MINUTE_MS: i64 = 60_000;

/// The instants (Unix ms) of each button's latest reviews, one minute's worth at most.
#[derive(Debug, Default)]
pub struct RecentReviews {
    per_button: HashMap<Uuid, VecDeque<i64>>,
}

impl RecentReviews {
    /// How many reviews `button` took within the minute before `at`, counted up to `limit`;
    /// then remembers this one.
    pub fn count_and_record(&mut self, button: Uuid, at: i64, limit: i64) -> i64 {
        let times = self.per_button.entry(button).or_default();
        while times.front().is_some_and(|t| *t < at - MINUTE_MS) {
            times.pop_front();
        }
        let count = times.len() as i64;
        times.push_back(at);
        // Counting stops at the limit: a busy button costs no more than a quiet one.
        while times.len() as i64 > limit.max(1) {
            times.pop_front();
        }
        count
    }

    /// Forgets the buttons that took nothing in the last minute.
    pub fn sweep(&mut self, now: i64) {
        self.per_button
            .retain(|_, times| times.back().is_some_and(|last| *last >= now - MINUTE_MS));
    }

    pub fn buttons(&self) -> usize {
        self.per_button.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_is_counted_up_to_the_limit_and_then_forgotten() {
        let (mut recent, button, other) =
            (RecentReviews::default(), Uuid::now_v7(), Uuid::now_v7());
        let counts: Vec<i64> = (0..5)
            .map(|n| recent.count_and_record(button, 1_000 + n, 3))
            .collect();
        assert_eq!(counts, [0, 1, 2, 3, 3]);
        assert_eq!(recent.count_and_record(other, 1_010, 3), 0, "per button");
        // A minute later the window is empty again; the same instant a minute on still counts.
        assert_eq!(recent.count_and_record(button, 61_004, 3), 1);
        assert_eq!(recent.count_and_record(button, 70_000, 3), 1);
        recent.sweep(71_011);
        assert_eq!(
            recent.buttons(),
            1,
            "the other button was quiet for a minute"
        );
    }
}
