//! The window the incumbent's observatory pull reads, and how it splits between avis's day
//! counters (whole days in Europe/Paris) and the reviews of the pieces of days at its ends.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::domain::time::paris;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
