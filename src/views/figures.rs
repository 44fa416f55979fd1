//! Indicator figures as people read them: a value with its unit and count, and its level in
//! words as well as in colour (colour alone would say nothing to some readers).

use maud::{Markup, html};

use super::words::W;
use crate::domain::indicators::{Indicator, Level};
use crate::domain::questionnaire::Lang;

fn level_word(level: Level) -> W {
    match level {
        Level::Good => W::LevelGood,
        Level::Medium => W::LevelMedium,
        Level::Bad => W::LevelBad,
    }
}

fn level_class(level: Level) -> &'static str {
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
}
