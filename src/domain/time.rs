//! Time as avis counts it: instants in UTC, days in Europe/Paris.

use std::sync::LazyLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// The time zone whose calendar days aggregates and indicator windows use.
pub fn paris() -> TimeZone {
    PARIS.clone()
}

/// Looked up once: a look-up by name takes a lock and searches the database, and the review
/// writer asks for the day of every review it stores.
static PARIS: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Europe/Paris").expect("the bundled time zone database has Europe/Paris")
});

/// The Paris calendar day an instant falls on.
pub fn paris_day(at: Timestamp) -> Date {
    PARIS.to_datetime(at).date()
}

/// Milliseconds since the Unix epoch, as stored.
pub fn to_millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// The instant a stored millisecond count stands for; out-of-range values clamp.
pub fn from_millis(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap_or(if millis < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// An instant `seconds` after another, saturating at the end of representable time.
pub fn after_seconds(at: Timestamp, seconds: i64) -> Timestamp {
    at.checked_add(seconds.seconds()).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_in_paris_is_still_the_same_day() {
        let winter: Timestamp = "2026-01-15T22:30:00Z".parse().unwrap();
        assert_eq!(paris_day(winter).to_string(), "2026-01-15");
        let winter_late: Timestamp = "2026-01-15T23:30:00Z".parse().unwrap();
        assert_eq!(paris_day(winter_late).to_string(), "2026-01-16");
    }

    #[test]
    fn summer_time_shifts_midnight_by_two_hours() {
        let summer: Timestamp = "2026-07-14T21:59:59Z".parse().unwrap();
        assert_eq!(paris_day(summer).to_string(), "2026-07-14");
        let next: Timestamp = "2026-07-14T22:00:00Z".parse().unwrap();
        assert_eq!(paris_day(next).to_string(), "2026-07-15");
    }

    #[test]
    fn millis_round_trip() {
        let at: Timestamp = "2026-11-22T11:00:00.123Z".parse().unwrap();
        assert_eq!(from_millis(to_millis(at)), at);
    }
}
