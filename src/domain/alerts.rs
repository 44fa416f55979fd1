//! Alerts and digests by mail: what a person may ask for, and the rules that say when a
//! message is due. No I/O: the mail task (`notify::alerts`) reads the figures and applies these.

use jiff::ToSpan;
use jiff::civil::Date;

use super::window::Window;

/// Minutes a person may choose between two messages about new reviews.
pub const EVERY_CHOICES: [i64; 5] = [5, 15, 60, 240, 1_440];
/// The most messages about new reviews one person gets about one procedure in a Paris day:
/// past it, reviews wait for the next day's first message.
pub const DAILY_CAP: i64 = 12;
/// Reviews this young are not counted yet: a batch being written may still add older ones.
pub const SETTLING_MS: i64 = 10_000;
/// Satisfaction is watched over this many months ending today…
pub const THRESHOLD_MONTHS: i32 = 3;
/// …and only once this many reviews give it: below, a single review would swing it.
pub const THRESHOLD_MIN_ANSWERS: i64 = 20;
/// Reviews excluded within the last hour that make a burst worth a message…
pub const BURST_EXCLUDED: i64 = 20;
/// …and the quiet time after such a message before another.
pub const BURST_QUIET_MS: i64 = 6 * 3_600_000;
pub const HOUR_MS: i64 = 3_600_000;

/// How often a person gets a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digest {
    None,
    Daily,
    Weekly,
    Monthly,
}

impl Digest {
    pub const ALL: [Digest; 4] = [Digest::None, Digest::Daily, Digest::Weekly, Digest::Monthly];

    pub fn parse(raw: &str) -> Option<Digest> {
        Digest::ALL.into_iter().find(|d| d.code() == raw)
    }

    pub fn code(self) -> &'static str {
        match self {
            Digest::None => "none",
            Digest::Daily => "daily",
            Digest::Weekly => "weekly",
            Digest::Monthly => "monthly",
        }
    }

    /// The latest whole period before `today` (Paris days): yesterday, last week (Monday to
    /// Sunday) or last month.
    pub fn last_period(self, today: Date) -> Option<Window> {
        let yesterday = today.yesterday().ok()?;
        let from = match self {
            Digest::None => return None,
            Digest::Daily => yesterday,
            Digest::Weekly => yesterday
                .checked_sub(i64::from(yesterday.weekday().to_monday_zero_offset()).days())
                .ok()?,
            Digest::Monthly => yesterday.first_of_month(),
        };
        Some(Window {
            from,
            to: yesterday,
        })
    }
}

/// Where a procedure's satisfaction stands against a person's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Below,
    Between,
    Above,
}

impl Side {
    /// `below`: under that level; `above`: over this one; else between.
    pub fn of(value: f64, below: Option<f64>, above: Option<f64>) -> Side {
        if below.is_some_and(|level| value < level) {
            Side::Below
        } else if above.is_some_and(|level| value > level) {
            Side::Above
        } else {
            Side::Between
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Side::Below => "below",
            Side::Between => "between",
            Side::Above => "above",
        }
    }

    pub fn parse(raw: &str) -> Option<Side> {
        [Side::Below, Side::Between, Side::Above]
            .into_iter()
            .find(|s| s.code() == raw)
    }
}

/// What was typed is no score out of 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotALevel;

/// A satisfaction level as a person types it: a score out of 10, with a comma or a point;
/// nothing typed, no level.
pub fn parse_level(raw: &str) -> Result<Option<f64>, NotALevel> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let level: f64 = raw.replace(',', ".").parse().map_err(|_| NotALevel)?;
    if (0.0..=10.0).contains(&level) {
        Ok(Some(level))
    } else {
        Err(NotALevel)
    }
}

/// How far the messages about new reviews have gone for one person and procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub every_minutes: i64,
    /// The latest message (Unix ms).
    pub alerted_at: Option<i64>,
    /// The Paris day of `alerts_on_day`.
    pub alerts_day: Option<Date>,
    pub alerts_on_day: i64,
}

impl Throttle {
    /// Whether a message may go at `now` (Unix ms) on the Paris day `today`: the chosen time
    /// has passed since the last one, and the day's cap is not reached.
    pub fn allows(&self, now: i64, today: Date) -> bool {
        let rested = self
            .alerted_at
            .is_none_or(|at| now - at >= self.every_minutes * 60_000);
        rested && self.sent_on(today) < DAILY_CAP
    }

    /// How many messages went on `today`.
    pub fn sent_on(&self, today: Date) -> i64 {
        if self.alerts_day == Some(today) {
            self.alerts_on_day
        } else {
            0
        }
    }
}

/// Whether a burst of `excluded` reviews within the last hour is worth a message at `now`,
/// the latest one having gone at `burst_at`.
pub fn burst_due(excluded: i64, burst_at: Option<i64>, now: i64) -> bool {
    excluded >= BURST_EXCLUDED && burst_at.is_none_or(|at| now - at >= BURST_QUIET_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_are_the_last_whole_day_week_and_month() {
        let wednesday = date(2026, 12, 2);
        let day = Digest::Daily.last_period(wednesday).unwrap();
        assert_eq!((day.from, day.to), (date(2026, 12, 1), date(2026, 12, 1)));
        let week = Digest::Weekly.last_period(wednesday).unwrap();
        assert_eq!(
            (week.from, week.to),
            (date(2026, 11, 30), date(2026, 12, 1))
        );
        let monday = date(2026, 12, 7);
        let week = Digest::Weekly.last_period(monday).unwrap();
        assert_eq!(
            (week.from, week.to),
            (date(2026, 11, 30), date(2026, 12, 6))
        );
        let month = Digest::Monthly.last_period(date(2026, 12, 1)).unwrap();
        assert_eq!(
            (month.from, month.to),
            (date(2026, 11, 1), date(2026, 11, 30))
        );
        assert!(Digest::None.last_period(monday).is_none());
    }

    #[test]
    fn a_message_waits_for_its_time_and_the_day_s_cap() {
        let today = date(2026, 12, 7);
        let mut throttle = Throttle {
            every_minutes: 15,
            alerted_at: None,
            alerts_day: None,
            alerts_on_day: 0,
        };
        assert!(throttle.allows(1_000_000, today));
        throttle.alerted_at = Some(1_000_000);
        throttle.alerts_day = Some(today);
        throttle.alerts_on_day = 1;
        assert!(!throttle.allows(1_000_000 + 14 * 60_000, today));
        assert!(throttle.allows(1_000_000 + 15 * 60_000, today));
        throttle.alerts_on_day = DAILY_CAP;
        assert!(!throttle.allows(1_000_000 + 60 * 60_000, today));
        assert!(throttle.allows(1_000_000 + 60 * 60_000, date(2026, 12, 8)));
    }

    #[test]
    fn satisfaction_is_placed_against_the_levels_and_levels_are_read_as_typed() {
        assert_eq!(Side::of(5.9, Some(6.0), Some(8.0)), Side::Below);
        assert_eq!(Side::of(6.0, Some(6.0), Some(8.0)), Side::Between);
        assert_eq!(Side::of(8.1, Some(6.0), Some(8.0)), Side::Above);
        assert_eq!(Side::of(9.0, Some(6.0), None), Side::Between);
        assert_eq!(parse_level(" 6,5 "), Ok(Some(6.5)));
        assert_eq!(parse_level(""), Ok(None));
        assert!(parse_level("11").is_err() && parse_level("six").is_err());
        assert!(burst_due(BURST_EXCLUDED, None, 0));
        assert!(!burst_due(BURST_EXCLUDED - 1, None, 0));
        assert!(!burst_due(BURST_EXCLUDED, Some(0), BURST_QUIET_MS - 1));
    }
}
