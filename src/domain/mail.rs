//! A mail message as the outbox keeps it, and when a message that could not be sent is tried
//! again. No I/O: composing is `notify::letters`, sending `notify::mail`.

use rand::Rng;

use super::people::Email;

/// A message to one person, in plain text and in HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link that stops messages of its kind, for alerts and digests.
    pub unsubscribe: Option<String>,
}

/// Seconds before each new attempt after a failed one: quick at first (a relay restarting),
/// then hourly. An outage delays mail, it does not lose it: only a relay's refusal of the
/// message itself, or three days of failures, ends a message unsent.
const RETRIES: [i64; 6] = [5, 30, 120, 600, 1_800, 3_600];

/// How long a message is tried for before it is given up on.
pub const GIVE_UP_AFTER_MS: i64 = 3 * 24 * 3_600 * 1_000;

/// Milliseconds before the attempt after `attempts` failed ones, with a little jitter so that
/// messages queued together do not all come back at once.
pub fn retry_after_ms(attempts: i64) -> i64 {
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(0);
    let base = RETRIES[index.min(RETRIES.len() - 1)] * 1_000;
    base + rand::rng().random_range(0..=base / 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_slow_down_then_stay_hourly() {
        assert!((5_000..=5_500).contains(&retry_after_ms(1)));
        assert!((30_000..=33_000).contains(&retry_after_ms(2)));
        assert!((3_600_000..=3_960_000).contains(&retry_after_ms(40)));
        assert!(retry_after_ms(0) >= 5_000);
    }
}
