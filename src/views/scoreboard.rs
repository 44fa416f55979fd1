//! Procedures side by side with their indicators, in a table sorted on the server by any column
//! (links in the headers, the sorted one marked with `aria-sort`), so that it works without
//! script; an organisation's page and the observatory's show it.

use std::cmp::Ordering;

use maud::{Markup, html};
use uuid::Uuid;

use super::figures::{Unit, change, level_word};
use super::tiles::{indicator_word, value_text};
use super::words::W;
use crate::domain::indicators::{Indicators, Level};
use crate::domain::questionnaire::Lang;

/// One procedure's line.
pub struct Row {
    pub id: Uuid,
    pub title: String,
    /// The observatory's id, for the CSV.
    pub external_id: Option<String>,
    /// Its organisation, on a table of several organisations' procedures.
    pub organisation: Option<String>,
    pub is_essential: bool,
    pub is_closed: bool,
    pub indicators: Indicators,
    /// How much satisfaction moved since the window before.
    pub trend: Option<f64>,
}

/// A column the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Title,
    Organisation,
    Indicator(&'static str),
    Answers,
    Level,
    Trend,
}

impl Column {
    pub fn code(self) -> &'static str {
        match self {
            Column::Title => "title",
            Column::Organisation => "organisation",
            Column::Indicator(name) => name,
            Column::Answers => "n",
            Column::Level => "level",
            Column::Trend => "trend",
        }
    }

    /// The column a query names, among those a table has.
    pub fn parse(code: &str, with_organisation: bool) -> Option<Column> {
        let all = columns(with_organisation);
        all.into_iter().find(|c| c.code() == code)
    }

    /// Texts read from A to Z first; figures from the best.
    fn first_descending(self) -> bool {
        !matches!(self, Column::Title | Column::Organisation)
    }
}

/// The columns of a table, in order.
pub fn columns(with_organisation: bool) -> Vec<Column> {
    let mut all = vec![Column::Title];
    if with_organisation {
        all.push(Column::Organisation);
    }
    all.extend(super::dashboard::NAMES.map(Column::Indicator));
    all.extend([Column::Answers, Column::Level, Column::Trend]);
    all
}

/// How the rows are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Title,
            descending: false,
        }
    }
}

impl Sort {
    /// `?sort=` and `?dir=` (`asc` or `desc`, else the column's own first order).
    pub fn parse(sort: Option<&str>, dir: Option<&str>, with_organisation: bool) -> Option<Sort> {
        let column = match sort {
            None | Some("") => Column::Title,
            Some(code) => Column::parse(code, with_organisation)?,
        };
        let descending = match dir {
            None | Some("") => column.first_descending(),
            Some("asc") => false,
            Some("desc") => true,
            Some(_) => return None,
        };
        Some(Sort { column, descending })
    }

    pub fn dir(self) -> &'static str {
        if self.descending { "desc" } else { "asc" }
    }
}

fn rank(level: Option<Level>) -> Option<u8> {
    level.map(|l| match l {
        Level::Bad => 0,
        Level::Medium => 1,
        Level::Good => 2,
    })
}

/// The number a column sorts a row by; none sorts last whatever the order.
fn figure(row: &Row, column: Column) -> Option<f64> {
    match column {
        Column::Indicator(name) => row
            .indicators
            .named()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, i)| i.value),
        Column::Answers => Some(row.indicators.satisfaction.n as f64),
        Column::Level => rank(row.indicators.satisfaction.level).map(f64::from),
        Column::Trend => row.trend,
        Column::Title | Column::Organisation => None,
    }
}

/// Sorts rows; ties, and rows without a figure (always last), by title.
pub fn sort(rows: &mut [Row], sort: Sort) {
    let by_title = |a: &Row, b: &Row| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.id.cmp(&b.id))
    };
    rows.sort_by(|a, b| {
        let ordered = match sort.column {
            Column::Title => by_title(a, b),
            Column::Organisation => a
                .organisation
                .as_deref()
                .map(str::to_lowercase)
                .cmp(&b.organisation.as_deref().map(str::to_lowercase)),
            column => match (figure(a, column), figure(b, column)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => return by_title(a, b),
            },
        };
        let ordered = if sort.descending {
            ordered.reverse()
        } else {
            ordered
        };
        ordered.then_with(|| by_title(a, b))
    });
}

fn header_word(column: Column) -> W {
    match column {
        Column::Title => W::Procedure,
        Column::Organisation => W::Organisation,
        Column::Indicator(name) => indicator_word(name),
        Column::Answers => W::Answers,
        Column::Level => W::Level,
        Column::Trend => W::Change,
    }
}

/// The table; `link(sort)` is the address of the same table sorted by `sort`.
pub fn table(
    lang: Lang,
    caption: &str,
    rows: &[Row],
    current: Sort,
    link: &dyn Fn(Sort) -> String,
) -> Markup {
    let w = |word: W| word.text(lang);
    let with_organisation = rows.iter().any(|r| r.organisation.is_some());
    let shown = columns(with_organisation);
    html! {
        div class="table" role="region" aria-label=(caption) tabindex="0" {
            table class="scoreboard" id="scoreboard" {
                caption { (caption) }
                thead { tr {
                    @for column in &shown {
                        @let sorted = current.column == *column;
                        @let next = Sort {
                            column: *column,
                            descending: if sorted { !current.descending } else { column.first_descending() },
                        };
                        th scope="col" aria-sort=[sorted.then(|| if current.descending { "descending" } else { "ascending" })] {
                            a href=(link(next)) { (w(header_word(*column))) }
                            @if sorted { span aria-hidden="true" { @if current.descending { " ↓" } @else { " ↑" } } }
                        }
                    }
                } }
                tbody {
                    @for row in rows {
                        tr {
                            th scope="row" {
                                a href=(format!("/admin/procedures/{}", row.id)) { (row.title) }
                                @if row.is_essential { " " span class="badge" { (w(W::Essential)) } }
                                @if row.is_closed { " " span class="badge" { (w(W::Closed)) } }
                            }
                            @if with_organisation { td { (row.organisation.as_deref().unwrap_or_default()) } }
                            @for (name, indicator) in row.indicators.named() {
                                td { (value_text(lang, name, indicator)) }
                            }
                            td class="number" { (row.indicators.satisfaction.n) }
                            td {
                                @if let Some(level) = row.indicators.satisfaction.level {
                                    span class=(super::figures::level_class(level)) { (w(level_word(level))) }
                                }
                            }
                            td { @if let Some(delta) = row.trend { (change(lang, Unit::Score, delta)) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::{Counts, compute};

    fn row(title: &str, good: i64, bad: i64, trend: Option<f64>) -> Row {
        let mut counts = Counts::default();
        counts.add(&[
            (("satisfaction", "good".to_owned()), good),
            (("satisfaction", "bad".to_owned()), bad),
        ]);
        Row {
            id: Uuid::now_v7(),
            title: title.to_owned(),
            external_id: None,
            organisation: None,
            is_essential: false,
            is_closed: false,
            indicators: compute(&counts, 100),
            trend,
        }
    }

    fn titles(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.title.as_str()).collect()
    }

    #[test]
    fn figures_sort_either_way_and_missing_ones_stay_last() {
        let mut rows = vec![
            row("b", 1, 1, Some(1.0)),
            row("a", 0, 0, None),
            row("c", 3, 1, Some(-2.0)),
            row("d", 1, 3, Some(0.5)),
        ];
        let by = |code, dir| Sort::parse(Some(code), Some(dir), false).unwrap();
        sort(&mut rows, by("satisfaction", "desc"));
        assert_eq!(titles(&rows), ["c", "b", "d", "a"]);
        sort(&mut rows, by("satisfaction", "asc"));
        assert_eq!(titles(&rows), ["d", "b", "c", "a"]);
        sort(&mut rows, by("trend", "asc"));
        assert_eq!(titles(&rows), ["c", "d", "b", "a"]);
        sort(&mut rows, by("n", "desc"));
        assert_eq!(titles(&rows), ["c", "d", "b", "a"], "ties by title");
        sort(&mut rows, Sort::default());
        assert_eq!(titles(&rows), ["a", "b", "c", "d"]);
    }

    #[test]
    fn only_the_table_s_columns_and_two_directions_are_understood() {
        assert_eq!(Sort::parse(None, None, false), Some(Sort::default()));
        assert_eq!(
            Sort::parse(Some("help_quality"), None, false),
            Some(Sort {
                column: Column::Indicator("help_quality"),
                descending: true
            })
        );
        assert_eq!(Sort::parse(Some("organisation"), None, false), None);
        assert!(Sort::parse(Some("organisation"), Some("asc"), true).is_some());
        assert_eq!(Sort::parse(Some("title"), Some("up"), false), None);
        assert_eq!(Sort::parse(Some("verbatim"), None, false), None);
    }

    #[test]
    fn the_sorted_header_says_so() {
        let rows = vec![row("a", 1, 0, None)];
        let sort = Sort::parse(Some("n"), Some("desc"), false).unwrap();
        let html = table(Lang::En, "t", &rows, sort, &|s| {
            format!("?sort={}&dir={}", s.column.code(), s.dir())
        })
        .into_string();
        assert!(html.contains(r#"<th scope="col" aria-sort="descending"><a href="?sort=n&amp;dir=asc">Answers</a>"#), "{html}");
        assert!(html.contains(r#"<a href="?sort=satisfaction&amp;dir=desc">Satisfaction</a>"#));
        assert_eq!(html.matches("aria-sort").count(), 1);
    }
}
