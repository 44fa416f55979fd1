//! Indicator windows (rolling months ending on a day, or explicit dates) and series buckets.
//!
//! All dates are Europe/Paris calendar days and both ends of a window are included.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::FieldError;

/// The longest window or series anyone may ask for.
const MAX_YEARS: i16 = 10;
/// The most buckets one series may have.
pub const MAX_BUCKETS: usize = 1_000;

/// Days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Window {
    #[schema(value_type = String, format = Date, example = "2025-11-23")]
    pub from: Date,
    #[schema(value_type = String, format = Date, example = "2026-11-22")]
    pub to: Date,
}

impl Window {
    /// How many days the window holds.
    pub fn days(self) -> i64 {
        i64::from((self.to - self.from).get_days()) + 1
    }

    /// The window of the same length that ends the day before this one begins, to compare with.
    pub fn previous(self) -> Option<Window> {
        let to = self.from.yesterday().ok()?;
        let from = to.checked_sub((self.days() - 1).days()).ok()?;
        Some(Window { from, to })
    }
}

/// How a client names a window in a query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    /// Rolling window ending on `at`: `12m` (default) or `3m` (any `1m` to `36m`).
    #[param(pattern = "^([1-9]|[12][0-9]|3[0-6])m$")]
    pub window: Option<String>,
    /// Last day of the rolling window (default: today in Europe/Paris).
    #[param(format = Date)]
    pub at: Option<String>,
    /// First day of an explicit window; needs `to`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day of an explicit window; needs `from`.
    #[param(format = Date)]
    pub to: Option<String>,
}

impl WindowQuery {
    /// The window asked for; `today` is the Paris day the request is served on.
    pub fn resolve(&self, today: Date) -> Result<Window, Vec<FieldError>> {
        let window = match (&self.from, &self.to) {
            (None, None) => {
                let at = self
                    .at
                    .as_deref()
                    .map(|raw| parse_date("at", raw))
                    .transpose()?
                    .unwrap_or(today);
                let months = parse_months(self.window.as_deref().unwrap_or("12m"))?;
                let from = at
                    .checked_sub(months.months())
                    .and_then(|d| d.checked_add(1.day()))
                    .map_err(|_| vec![FieldError::new("at", "is too far in the past")])?;
                Window { from, to: at }
            }
            (Some(from), Some(to)) => {
                if self.window.is_some() || self.at.is_some() {
                    let message = "cannot be combined with from and to";
                    return Err(vec![FieldError::new("window", message)]);
                }
                let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
                if from > to {
                    return Err(vec![FieldError::new("from", "must not be after to")]);
                }
                Window { from, to }
            }
            (Some(_), None) => return Err(vec![FieldError::new("to", "is required with from")]),
            (None, Some(_)) => return Err(vec![FieldError::new("from", "is required with to")]),
        };
        if window.to.year() - window.from.year() > MAX_YEARS {
            return Err(vec![FieldError::new(
                "from",
                format!("windows are limited to {MAX_YEARS} years"),
            )]);
        }
        Ok(window)
    }
}

fn parse_date(field: &str, raw: &str) -> Result<Date, Vec<FieldError>> {
    raw.trim()
        .parse::<Date>()
        .map_err(|_| vec![FieldError::new(field, "must be a date as YYYY-MM-DD")])
}

fn parse_months(raw: &str) -> Result<i32, Vec<FieldError>> {
    raw.strip_suffix('m')
        .and_then(|n| n.parse::<i32>().ok())
        .filter(|n| (1..=36).contains(n))
        .ok_or_else(|| {
            vec![FieldError::new(
                "window",
                "must be a number of months such as 12m or 3m (1m to 36m)",
            )]
        })
}

/// The width of a series' buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    Month,
}

impl Interval {
    pub fn parse(raw: &str) -> Result<Interval, Vec<FieldError>> {
        match raw {
            "day" => Ok(Interval::Day),
            "week" => Ok(Interval::Week),
            "month" => Ok(Interval::Month),
            _ => Err(vec![FieldError::new(
                "interval",
                "must be day, week or month",
            )]),
        }
    }

    /// The interval that splits a window into a readable number of buckets: days up to about
    /// six weeks, weeks up to about six months, months beyond.
    pub fn fitting(window: Window) -> Interval {
        match window.days() {
            ..=45 => Interval::Day,
            46..=200 => Interval::Week,
            _ => Interval::Month,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }

    /// The first day of the bucket `day` falls in: itself, its week's Monday, its month's first.
    pub fn bucket_start(self, day: Date) -> Date {
        match self {
            Interval::Day => day,
            Interval::Week => {
                let back = i64::from(day.weekday().to_monday_zero_offset());
                day.checked_sub(back.days()).unwrap_or(day)
            }
            Interval::Month => day.first_of_month(),
        }
    }

    fn next(self, start: Date) -> Option<Date> {
        match self {
            Interval::Day => start.checked_add(1.day()).ok(),
            Interval::Week => start.checked_add(1.week()).ok(),
            Interval::Month => start.checked_add(1.month()).ok(),
        }
    }

    /// The buckets covering a window, each clipped to it.
    pub fn buckets(self, window: Window) -> Result<Vec<Window>, Vec<FieldError>> {
        let mut buckets = Vec::new();
        let mut start = self.bucket_start(window.from);
        while start <= window.to {
            if buckets.len() == MAX_BUCKETS {
                let message = format!(
                    "a series has at most {MAX_BUCKETS} buckets: widen the interval or narrow the window"
                );
                return Err(vec![FieldError::new("interval", message)]);
            }
            let next = self.next(start);
            let end = next
                .and_then(|n| n.yesterday().ok())
                .unwrap_or(window.to)
                .min(window.to);
            buckets.push(Window {
                from: start.max(window.from),
                to: end,
            });
            match next {
                Some(next) => start = next,
                None => break,
            }
        }
        Ok(buckets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    fn query(
        window: Option<&str>,
        at: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> WindowQuery {
        WindowQuery {
            window: window.map(str::to_owned),
            at: at.map(str::to_owned),
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    #[test]
    fn twelve_months_end_on_the_given_day() {
        let w = query(None, Some("2026-11-22"), None, None)
            .resolve(date(2000, 1, 1))
            .unwrap();
        assert_eq!((w.from, w.to), (date(2025, 11, 23), date(2026, 11, 22)));
        let w = query(Some("3m"), None, None, None)
            .resolve(date(2026, 11, 22))
            .unwrap();
        assert_eq!((w.from, w.to), (date(2026, 8, 23), date(2026, 11, 22)));
    }

    #[test]
    fn explicit_windows_need_both_ends_in_order() {
        let today = date(2026, 11, 22);
        let w = query(None, None, Some("2026-01-01"), Some("2026-03-31"))
            .resolve(today)
            .unwrap();
        assert_eq!((w.from, w.to), (date(2026, 1, 1), date(2026, 3, 31)));
        for (q, field) in [
            (query(None, None, Some("2026-01-01"), None), "to"),
            (query(None, None, None, Some("2026-01-01")), "from"),
            (
                query(None, None, Some("2026-02-01"), Some("2026-01-01")),
                "from",
            ),
            (
                query(Some("3m"), None, Some("2026-01-01"), Some("2026-02-01")),
                "window",
            ),
            (query(Some("13"), None, None, None), "window"),
            (query(Some("0m"), None, None, None), "window"),
            (query(None, Some("22/11/2026"), None, None), "at"),
            (
                query(None, None, Some("1990-01-01"), Some("2026-01-01")),
                "from",
            ),
        ] {
            assert_eq!(q.resolve(today).unwrap_err()[0].field, field);
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let sunday = date(2026, 11, 22);
        assert_eq!(Interval::Week.bucket_start(sunday), date(2026, 11, 16));
        assert_eq!(
            Interval::Week.bucket_start(date(2026, 11, 16)),
            date(2026, 11, 16)
        );
        assert_eq!(Interval::Month.bucket_start(sunday), date(2026, 11, 1));
        assert_eq!(date(2026, 11, 16).weekday(), Weekday::Monday);
    }

    #[test]
    fn buckets_cover_the_window_exactly_once() {
        let window = Window {
            from: date(2026, 1, 15),
            to: date(2026, 3, 10),
        };
        let months = Interval::Month.buckets(window).unwrap();
        assert_eq!(months.len(), 3);
        assert_eq!(
            months[0],
            Window {
                from: date(2026, 1, 15),
                to: date(2026, 1, 31)
            }
        );
        assert_eq!(
            months[2],
            Window {
                from: date(2026, 3, 1),
                to: date(2026, 3, 10)
            }
        );
        let days = Interval::Day.buckets(window).unwrap();
        assert_eq!(days.len(), 55);
        let weeks = Interval::Week.buckets(window).unwrap();
        assert_eq!(weeks.first().unwrap().from, window.from);
        assert_eq!(weeks.last().unwrap().to, window.to);
        for pair in weeks.windows(2) {
            assert_eq!(pair[0].to.tomorrow().unwrap(), pair[1].from);
        }
    }

    #[test]
    fn the_previous_window_has_the_same_length_and_ends_the_day_before() {
        let window = Window {
            from: date(2026, 3, 1),
            to: date(2026, 3, 31),
        };
        assert_eq!(window.days(), 31);
        let previous = window.previous().unwrap();
        assert_eq!(
            (previous.from, previous.to),
            (date(2026, 1, 29), date(2026, 2, 28))
        );
        assert_eq!(previous.days(), 31);
        let one = Window {
            from: date(2026, 1, 1),
            to: date(2026, 1, 1),
        };
        assert_eq!(one.previous().unwrap().from, date(2025, 12, 31));
    }

    #[test]
    fn the_fitting_interval_keeps_buckets_few() {
        let ending = |days: i64| Window {
            from: date(2026, 11, 22).checked_sub((days - 1).days()).unwrap(),
            to: date(2026, 11, 22),
        };
        assert_eq!(Interval::fitting(ending(31)), Interval::Day);
        assert_eq!(Interval::fitting(ending(92)), Interval::Week);
        assert_eq!(Interval::fitting(ending(365)), Interval::Month);
        assert_eq!(Interval::parse(Interval::Week.code()), Ok(Interval::Week));
    }

    #[test]
    fn too_many_buckets_are_refused() {
        let window = Window {
            from: date(2020, 1, 1),
            to: date(2026, 1, 1),
        };
        assert_eq!(
            Interval::Day.buckets(window).unwrap_err()[0].field,
            "interval"
        );
        assert_eq!(Interval::Month.buckets(window).unwrap().len(), 73);
    }
}
