//! Duplicates on one SQLite node: the latest review of each fingerprint within the duplicate
//! window, remembered by the review writer instead of looked up in an index of the database.
//!
//! Every review put its fingerprint into that index at a random place, and each commit wrote
//! one page of it per review. A single node writes every review of a SQLite database, so its
//! memory holds the same answers as the index; it reads them back at start. Several nodes
//! share PostgreSQL, which keeps the index.
//!
//! The memory is bounded: past [`REMEMBERED_FINGERPRINTS`] fingerprints, the oldest are
//! forgotten first and the window is shorter for them. That many clients in one window is
//! far more than the whole country's load; each forgotten one is counted.

use std::collections::HashMap;

/// The most fingerprints remembered, in a table of 2²⁰ places of 17 bytes (about 18 MiB) taken
/// at once: a fingerprint forgotten leaves a mark in its place, which the table clears where it
/// stands only while at most half full, and it doubles otherwise. Kept under half full, it never
/// grows, nor is it ever allocated again (which left the memory allocator's heaps growing).
pub const REMEMBERED_FINGERPRINTS: usize = 450_000;

/// How long past the window a fingerprint is kept, for reviews that waited in the queue.
const MARGIN_MS: i64 = 60_000;

/// The latest instant (Unix ms) of each fingerprint seen within the duplicate window.
#[derive(Debug)]
pub struct RecentFingerprints {
    last: HashMap<u64, i64>,
    capacity: usize,
    window_ms: i64,
    /// The latest instant recorded, which sweeps count back from.
    newest: i64,
    swept_at: i64,
}

impl RecentFingerprints {
    /// An empty memory for a window of `window_seconds`, holding `capacity` fingerprints at most.
    pub fn new(window_seconds: i64, capacity: usize) -> RecentFingerprints {
        RecentFingerprints {
            last: HashMap::with_capacity(capacity.saturating_mul(2)),
            capacity: capacity.max(1),
            window_ms: window_seconds.saturating_mul(1_000),
            newest: i64::MIN,
            swept_at: i64::MIN,
        }
    }

    /// The first instant whose reviews must be read back at start.
    pub fn horizon(window_seconds: i64, now: i64) -> i64 {
        now - window_seconds.saturating_mul(1_000) - MARGIN_MS
    }

    /// Keeps fingerprints for `window_seconds` from now on, if that is longer.
    pub fn widen(&mut self, window_seconds: i64) {
        self.window_ms = self.window_ms.max(window_seconds.saturating_mul(1_000));
    }

    /// The latest instant `fingerprint` was seen, if remembered.
    pub fn last_seen(&self, fingerprint: &str) -> Option<i64> {
        self.last.get(&key(fingerprint)?).copied()
    }

    /// Remembers that `fingerprint` was seen at `at`; returns how many fingerprints it forgot
    /// before their time to make room.
    pub fn record(&mut self, fingerprint: &str, at: i64) -> usize {
        let Some(key) = key(fingerprint) else {
            return 0;
        };
        self.newest = self.newest.max(at);
        if self.swept_at < self.newest - MARGIN_MS {
            self.swept_at = self.newest;
            let horizon = self.newest - self.window_ms - MARGIN_MS;
            self.keep_since(horizon);
        }
        let mut forgotten = 0;
        if self.last.len() >= self.capacity && !self.last.contains_key(&key) {
            forgotten = self.forget_oldest_quarter();
        }
        let last = self.last.entry(key).or_insert(at);
        *last = (*last).max(at);
        forgotten
    }

    /// Makes room by forgetting about the quarter of fingerprints seen longest ago: those seen
    /// before the first quartile of a sample of at most about 4,096 of them.
    fn forget_oldest_quarter(&mut self) -> usize {
        let step = (self.last.len() / 4_096).max(1);
        let mut sample: Vec<i64> = self.last.values().step_by(step).copied().collect();
        let quarter = sample.len() / 4;
        let (_, cutoff, _) = sample.select_nth_unstable(quarter);
        let cutoff = *cutoff;
        self.keep_since(cutoff + 1)
    }

    /// Forgets the fingerprints last seen before `horizon`; returns how many.
    fn keep_since(&mut self, horizon: i64) -> usize {
        let before = self.last.len();
        self.last.retain(|_, last| *last >= horizon);
        before - self.last.len()
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

/// A fingerprint's 16 hexadecimal digits as a number; `None` for anything else, which is then
/// never taken for a duplicate.
fn key(fingerprint: &str) -> Option<u64> {
    fingerprint
        .get(..16)
        .filter(|_| fingerprint.len() == 16)
        .and_then(|digits| u64::from_str_radix(digits, 16).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;

    #[test]
    fn the_latest_time_of_each_fingerprint_is_remembered_for_the_window() {
        let mut recent = RecentFingerprints::new(3_600, 100);
        assert_eq!(recent.last_seen("00000000000000aa"), None);
        recent.record("00000000000000aa", 5_000);
        recent.record("00000000000000aa", 4_000);
        recent.record("00000000000000BB", 4_500);
        assert_eq!(recent.last_seen("00000000000000aa"), Some(5_000));
        assert_eq!(
            recent.last_seen("00000000000000bb"),
            Some(4_500),
            "case aside"
        );
        // Kept a minute past the window, for reviews that waited; gone once the next is recorded.
        recent.record("00000000000000cc", 5_000 + HOUR_MS + 60_000);
        assert_eq!(recent.last_seen("00000000000000aa"), Some(5_000));
        recent.record("00000000000000cc", 5_000 + HOUR_MS + 120_001);
        assert_eq!(recent.last_seen("00000000000000aa"), None);
        assert_eq!(recent.len(), 1);
    }

    #[test]
    fn a_large_memory_forgets_about_a_quarter_all_older_than_those_kept() {
        let capacity = 100_000;
        let mut recent = RecentFingerprints::new(3_600, capacity);
        for n in 0..capacity as i64 {
            recent.record(&format!("{n:016x}"), 1_000_000 + n);
        }
        let forgotten = recent.record("ffffffffffffffff", 2_000_000);
        assert!((23_000..=27_000).contains(&forgotten), "{forgotten}");
        let kept = (0..capacity as i64).find(|n| recent.last_seen(&format!("{n:016x}")).is_some());
        assert_eq!(
            kept,
            Some(forgotten as i64),
            "the oldest went first, and only they"
        );
        assert_eq!(recent.len(), capacity - forgotten + 1);
        // Filled and emptied again and again, the table never grows (what it reports as its
        // capacity counts the places free of marks too, so it may shrink).
        let places = recent.last.capacity();
        for n in 0..4 * capacity as i64 {
            recent.record(&format!("{:016x}", 1 << 40 | n), 3_000_000 + n);
        }
        assert!(recent.last.capacity() <= places, "{places}");
    }

    #[test]
    fn a_longer_window_keeps_fingerprints_longer() {
        let mut recent = RecentFingerprints::new(1, 100);
        recent.record("00000000000000aa", 0);
        recent.widen(3_600);
        recent.widen(60);
        recent.record("00000000000000bb", HOUR_MS);
        assert_eq!(recent.last_seen("00000000000000aa"), Some(0));
        recent.record("00000000000000bb", HOUR_MS + 60_001);
        assert_eq!(recent.last_seen("00000000000000aa"), None);
    }

    #[test]
    fn anything_but_sixteen_hexadecimal_digits_is_never_remembered() {
        let mut recent = RecentFingerprints::new(3_600, 100);
        for odd in [
            "",
            "abc",
            "0000000000000000aa",
            "zzzzzzzzzzzzzzzz",
            "éééééééé",
        ] {
            assert_eq!(recent.record(odd, 1), 0);
            assert_eq!(recent.last_seen(odd), None, "{odd}");
        }
        assert!(recent.is_empty());
    }

    #[test]
    fn a_full_memory_forgets_the_oldest_quarter_first() {
        let mut recent = RecentFingerprints::new(3_600, 8);
        for n in 0..8 {
            assert_eq!(recent.record(&format!("{n:016x}"), 1_000 + n), 0);
        }
        // Seen again: no room needed.
        assert_eq!(recent.record(&format!("{:016x}", 0), 2_000), 0);
        let forgotten = recent.record(&format!("{:016x}", 99), 3_000);
        assert_eq!(
            forgotten, 3,
            "the three seen longest ago, not the one seen again"
        );
        assert_eq!(recent.last_seen(&format!("{:016x}", 0)), Some(2_000));
        for n in 1..4 {
            assert_eq!(recent.last_seen(&format!("{n:016x}")), None);
        }
        assert_eq!(recent.last_seen(&format!("{:016x}", 4)), Some(1_004));
        assert_eq!(recent.len(), 6);
        assert!(recent.len() <= recent.capacity);
    }
}
