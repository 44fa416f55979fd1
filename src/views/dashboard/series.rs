//! Satisfaction over time: one column per bucket of the window, its answers below.

use maud::{Markup, html};

use super::{Figures, block, interval_word, level_of};
use crate::domain::questionnaire::Lang;
use crate::domain::window::{Interval, Window};
use crate::views::charts::{self, Column, Named};
use crate::views::figures::{Unit, decimal, exact, interval, level_word};
use crate::views::layout::colon;
use crate::views::tiles::{dates, value_text};
use crate::views::words::W;

pub(super) fn series(lang: Lang, figures: &Figures, csv: &dyn Fn(&str) -> String) -> Markup {
    let w = |word: W| word.text(lang);
    let title = format!(
        "{} ({})",
        w(W::SatisfactionOverTime),
        w(interval_word(figures.interval)).to_lowercase()
    );
    let columns: Vec<Column> = figures
        .series
        .iter()
        .map(|(bucket, indicators)| {
            let s = &indicators.satisfaction;
            Column {
                label: bucket_label(figures.interval, *bucket),
                fraction: s.value.map(|v| v / 10.0),
                n: s.n,
                tip: format!(
                    "{}, {}, n = {}",
                    dates(*bucket),
                    value_text(lang, "satisfaction", s),
                    s.n
                ),
                class: level_of(s),
                hollow: s.value.is_some() && !s.publishable,
            }
        })
        .collect();
    let values: Vec<f64> = figures
        .series
        .iter()
        .filter_map(|(_, i)| i.satisfaction.value)
        .collect();
    let total: i64 = figures.series.iter().map(|(_, i)| i.satisfaction.n).sum();
    let mut description = format!(
        "{} {}{}{} {}.",
        w(W::SeriesShape),
        w(W::PeriodShown),
        colon(lang),
        dates(figures.window),
        w(interval_word(figures.interval)).to_lowercase()
    );
    if let (Some(high), Some(low)) = (
        values.iter().copied().reduce(f64::max),
        values.iter().copied().reduce(f64::min),
    ) {
        description += &format!(
            " {}{}{}. {}{}{}.",
            w(W::Highest),
            colon(lang),
            exact(lang, Unit::Score, high),
            w(W::Lowest),
            colon(lang),
            exact(lang, Unit::Score, low)
        );
    }
    description += &format!(
        " {}{}{}. {}",
        w(W::Answers),
        colon(lang),
        total,
        w(W::FiguresInTable)
    );
    let ticks = [0.0, 5.0, 10.0].map(|t| (t / 10.0, decimal(lang, t, 0)));
    let chart = html! {
        p class="hint" { (w(W::HollowBars)) }
        (charts::columns(&Named { id: "chart-satisfaction", title: &title, description: &description }, &columns, &ticks, w(W::Answers)))
    };
    let table = html! {
        thead { tr {
            th scope="col" { (w(W::Start)) }
            th scope="col" { (w(W::End)) }
            th scope="col" { (w(W::IndicatorSatisfaction)) }
            th scope="col" { (w(W::Answers)) }
            th scope="col" { (w(W::ConfidenceInterval)) }
            th scope="col" { (w(W::Level)) }
        } }
        tbody {
            @for (bucket, indicators) in &figures.series {
                @let s = &indicators.satisfaction;
                tr {
                    th scope="row" { (bucket.from) }
                    td { (bucket.to) }
                    td { (value_text(lang, "satisfaction", s)) }
                    td class="number" { (s.n) }
                    td { @if let Some(ci) = s.ci95 { (interval(lang, Unit::Score, ci)) } }
                    td { @if let Some(level) = s.level { (w(level_word(level))) } }
                }
            }
        }
    };
    block(
        lang,
        "satisfaction",
        &title,
        chart,
        table,
        &csv("satisfaction"),
    )
}

fn bucket_label(interval: Interval, bucket: Window) -> String {
    match interval {
        Interval::Month => bucket.from.strftime("%Y-%m").to_string(),
        Interval::Day | Interval::Week => bucket.from.strftime("%d/%m").to_string(),
    }
}
