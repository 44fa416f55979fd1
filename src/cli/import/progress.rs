//! Progress on standard error: one line redrawn in place on a terminal (counts, rate, time
//! left), plain log lines every few seconds otherwise, so a log file stays readable.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    total: u64,
    done: u64,
    started: Instant,
    shown: Instant,
    terminal: bool,
}

impl Progress {
    /// Progress over `total` reviews.
    pub fn new(total: u64) -> Progress {
        let now = Instant::now();
        Progress {
            total,
            done: 0,
            started: now,
            shown: now,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Says what a phase other than the reviews is doing.
    pub fn say(&self, message: &str) {
        eprintln!("{message}");
    }

    /// Counts `n` more reviews read.
    pub fn advance(&mut self, n: u64) {
        self.done += n;
        let every = if self.terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(10)
        };
        if self.shown.elapsed() >= every {
            self.show();
        }
    }

    fn show(&mut self) {
        self.shown = Instant::now();
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = self.done as f64 / seconds.max(0.001);
        let left = self.total.saturating_sub(self.done) as f64 / rate.max(0.001);
        let percent = 100.0 * self.done as f64 / self.total.max(1) as f64;
        let line = format!(
            "reviews {}/{} ({percent:.1} %), {rate:.0}/s, {} elapsed, {} left",
            self.done,
            self.total,
            clock(seconds),
            clock(left)
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let width = 30;
            let filled = (width as f64 * percent / 100.0) as usize;
            let bar = format!(
                "{}{}",
                "#".repeat(filled.min(width)),
                "-".repeat(width - filled.min(width))
            );
            let _ = write!(err, "\r\x1b[2K[{bar}] {line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    /// The last figures, and the end of the redrawn line.
    pub fn finish(&mut self) {
        self.show();
        if self.terminal {
            eprintln!();
        }
    }
}

/// Seconds as `1h02m03s`.
fn clock(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60)
}
