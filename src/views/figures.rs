//! Indicator figures as people read them: a value with its unit and count, and its level in
//! words as well as in colour (colour alone would say nothing to some readers).

use maud::{Markup, html};

use super::words::W;
use crate::domain::indicators::{Indicator, Level};
use crate::domain::questionnaire::Lang;

pub fn level_word(level: Level) -> W {
    match level {
        Level::Good => W::LevelGood,
        Level::Medium => W::LevelMedium,
        Level::Bad => W::LevelBad,
    }
}

pub fn level_class(level: Level) -> &'static str {
    match level {
        Level::Good => "level good",
        Level::Medium => "level medium",
        Level::Bad => "level bad",
    }
}

/// A score out of ten with one decimal, in the language's notation.
pub fn score(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// How an indicator's value reads: a score out of ten, or a share shown as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Score,
    Share,
}

impl Unit {
    /// The unit of an indicator, by its published name.
    pub fn of(name: &str) -> Unit {
        match name {
            "help_reachable" | "autonomy" => Unit::Share,
            _ => Unit::Score,
        }
    }
}

/// A number with `places` decimals, in the language's notation; a minus sign for negatives.
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let mut text = format!("{value:.places$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text.remove(0);
    }
    let text = text.replace('-', "\u{2212}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A share between 0 and 1 as a percentage, to the published precision (4 decimals of the
/// share, 2 of the percentage).
pub fn percent(lang: Lang, share: f64) -> String {
    let number = decimal(lang, share * 100.0, 2);
    match lang {
        Lang::Fr => format!("{number}\u{a0}%"),
        Lang::En => format!("{number}%"),
    }
}

/// An indicator's value exactly as the observatory's API publishes it (scores to 2 decimals,
/// shares to 4), in the reader's notation.
pub fn exact(lang: Lang, unit: Unit, value: f64) -> String {
    match unit {
        Unit::Score => format!("{} / 10", decimal(lang, value, 2)),
        Unit::Share => percent(lang, value),
    }
}

/// A 95 % interval in the indicator's unit.
pub fn interval(lang: Lang, unit: Unit, ci: [f64; 2]) -> String {
    let end = |v: f64| match unit {
        Unit::Score => decimal(lang, v, 2),
        Unit::Share => percent(lang, v),
    };
    format!("{} – {}", end(ci[0]), end(ci[1]))
}

/// A change between two windows: points out of ten, or percentage points; signed.
pub fn change(lang: Lang, unit: Unit, delta: f64) -> String {
    let sign = if delta > 0.0 { "+" } else { "" };
    match unit {
        Unit::Score => format!("{sign}{}", decimal(lang, delta, 2)),
        Unit::Share => format!(
            "{sign}{} {}",
            decimal(lang, delta * 100.0, 2),
            W::PercentagePoints.text(lang)
        ),
    }
}

/// A score /10 indicator's value, count and level, for a table's cells.
pub fn score_cells(lang: Lang, indicator: &Indicator) -> Markup {
    let w = |word: W| word.text(lang);
    html! {
        td {
            @match indicator.value {
                Some(value) => { (score(lang, value)) " / 10" }
                None => span class="hint" { (w(W::NoValue)) },
            }
        }
        td class="number" { (indicator.n) }
        td {
            @if let Some(level) = indicator.level {
                span class=(level_class(level)) { (w(level_word(level))) }
            }
            @if indicator.n > 0 && !indicator.publishable {
                " " span class="hint" { "(" (w(W::NotPublishable)) ")" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_use_the_language_decimal_mark() {
        assert_eq!(score(Lang::Fr, 7.24), "7,2");
        assert_eq!(score(Lang::En, 7.26), "7.3");
    }

    #[test]
    fn exact_figures_keep_every_published_digit() {
        assert_eq!(exact(Lang::Fr, Unit::Score, 7.25), "7,25 / 10");
        assert_eq!(exact(Lang::En, Unit::Score, 10.0), "10.00 / 10");
        assert_eq!(exact(Lang::Fr, Unit::Share, 0.8512), "85,12\u{a0}%");
        assert_eq!(exact(Lang::En, Unit::Share, 0.0007), "0.07%");
        assert_eq!(
            interval(Lang::En, Unit::Share, [0.6396, 0.9476]),
            "63.96% – 94.76%"
        );
        assert_eq!(change(Lang::Fr, Unit::Score, -0.25), "\u{2212}0,25");
        assert_eq!(change(Lang::En, Unit::Share, 0.0512), "+5.12 points");
        assert_eq!(change(Lang::En, Unit::Score, -0.001), "0.00");
    }
}
