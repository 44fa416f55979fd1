//! Charts as SVG drawn on the server, readable without JavaScript.
//!
//! Lengths along the width are percentages and text keeps its own size, so a chart fits any
//! screen without shrinking its words. Each chart is one image for screen readers, named by its
//! title and described in words; its figures are also in a data table beside it (the caller's).
//! Colours come from the stylesheet through classes: the pages' policy forbids inline styles.

use maud::{Markup, html};

/// What names a chart: a unique id on the page (its title's and description's ids derive from
/// it), a title and a description for screen readers.
pub struct Named<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

/// One horizontal bar.
pub struct Bar {
    pub label: String,
    /// Its length as a share of the longest possible bar; none draws no bar.
    pub fraction: Option<f64>,
    /// What is written after the bar.
    pub figure: String,
    /// A level (`good`, `medium`, `bad`) or nothing, for its colour.
    pub class: &'static str,
    /// Drawn as an outline: a figure not yet publishable.
    pub hollow: bool,
}

/// One column of a series.
pub struct Column {
    /// Written under the column when there is room for it.
    pub label: String,
    /// Its height as a share of the panel's; none draws no column.
    pub fraction: Option<f64>,
    /// The answers it counts, drawn in the lower panel.
    pub n: i64,
    /// A short text for a pointer's tooltip.
    pub tip: String,
    pub class: &'static str,
    pub hollow: bool,
}

/// How far across the width the longest bar reaches, in percent: the rest is for its figure.
const BAR_SPAN: f64 = 58.0;
const ROW: usize = 46;
/// Labels longer than this are cut: the table beside the chart has them whole.
const LABEL_CHARS: usize = 40;

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", kept.trim_end())
}

fn pct(value: f64) -> String {
    format!("{value:.3}%")
}

fn classes(base: &str, class: &str, hollow: bool) -> String {
    let mut all = base.to_owned();
    for extra in [class, if hollow { "hollow" } else { "" }] {
        if !extra.is_empty() {
            all.push(' ');
            all.push_str(extra);
        }
    }
    all
}

/// The frame every chart shares: its size, role and names.
fn frame(named: &Named, height: usize, body: Markup) -> Markup {
    let (title, desc) = (format!("{}-title", named.id), format!("{}-desc", named.id));
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" id=(named.id) role="img"
            aria-labelledby=(format!("{title} {desc}")) width="100%" height=(height) {
            title id=(title) { (named.title) }
            desc id=(desc) { (named.description) }
            (body)
        }
    }
}

/// Horizontal bars, one per row, each under its label and followed by its figure.
pub fn bars(named: &Named, bars: &[Bar]) -> Markup {
    let body = html! {
        @for (i, bar) in bars.iter().enumerate() {
            @let top = i * ROW;
            text class="label" x="0" y=(top + 16) { (cut(&bar.label)) }
            rect class="track" x="0" y=(top + 22) width=(pct(BAR_SPAN)) height="14" {}
            @let length = bar.fraction.map_or(0.0, |f| f.clamp(0.0, 1.0) * BAR_SPAN);
            @if bar.fraction.is_some() {
                rect class=(classes("bar", bar.class, bar.hollow)) x="0" y=(top + 22)
                    width=(pct(length)) height="14" {
                    title { (bar.label) ", " (bar.figure) }
                }
            }
            text class="figure" x=(pct(length)) dx="6" y=(top + 34) { (bar.figure) }
        }
    };
    frame(named, bars.len().max(1) * ROW, body)
}

/// Where the series' plot begins across the width: the axis' figures are on its left.
const PLOT_LEFT: f64 = 8.0;
const PLOT_TOP: usize = 10;
const PLOT_HEIGHT: usize = 150;
const VOLUME_TOP: usize = 196;
const VOLUME_HEIGHT: usize = 40;
const SERIES_HEIGHT: usize = 262;

/// The columns whose labels are written: the first, the last and a few evenly between.
fn labelled(count: usize) -> Vec<usize> {
    if count <= 6 {
        return (0..count).collect();
    }
    let mut picked: Vec<usize> = (0..5).map(|j| j * (count - 1) / 4).collect();
    picked.dedup();
    picked
}

/// Columns over time: the value in the upper panel against `ticks` (fraction, text), and the
/// answers counted in a lower panel named `volume`.
pub fn columns(named: &Named, columns: &[Column], ticks: &[(f64, String)], volume: &str) -> Markup {
    let count = columns.len().max(1);
    let slot = (100.0 - PLOT_LEFT) / count as f64;
    let most = columns.iter().map(|c| c.n).max().unwrap_or(0).max(1);
    let base = PLOT_TOP + PLOT_HEIGHT;
    let y_of = |fraction: f64| base as f64 - fraction.clamp(0.0, 1.0) * PLOT_HEIGHT as f64;
    let shown = labelled(columns.len());
    let body = html! {
        @for (fraction, text) in ticks {
            @let y = y_of(*fraction);
            line class="grid" x1=(pct(PLOT_LEFT)) x2="100%" y1=(format!("{y:.1}")) y2=(format!("{y:.1}")) {}
            text class="tick" x="0" y=(format!("{:.1}", y + 4.0)) { (text) }
        }
        text class="tick" x=(pct(PLOT_LEFT)) y=(VOLUME_TOP - 6) { (volume) }
        line class="axis" x1=(pct(PLOT_LEFT)) x2="100%" y1=(VOLUME_TOP + VOLUME_HEIGHT) y2=(VOLUME_TOP + VOLUME_HEIGHT) {}
        @for (i, column) in columns.iter().enumerate() {
            @let left = PLOT_LEFT + slot * i as f64 + slot * 0.15;
            @let width = slot * 0.7;
            @if let Some(fraction) = column.fraction {
                @let top = y_of(fraction);
                rect class=(classes("bar", column.class, column.hollow)) x=(pct(left)) y=(format!("{top:.1}"))
                    width=(pct(width)) height=(format!("{:.1}", (base as f64 - top).max(1.0))) {
                    title { (column.tip) }
                }
            }
            @if column.n > 0 {
                @let height = (column.n as f64 / most as f64 * VOLUME_HEIGHT as f64).max(1.0);
                rect class="volume" x=(pct(left)) y=(format!("{:.1}", (VOLUME_TOP + VOLUME_HEIGHT) as f64 - height))
                    width=(pct(width)) height=(format!("{height:.1}")) {
                    title { (column.tip) }
                }
            }
        }
        @for (j, &i) in shown.iter().enumerate() {
            @let (x, anchor) = match i {
                0 => (PLOT_LEFT + slot * 0.15, "start"),
                last if last + 1 == columns.len() => (100.0 - slot * 0.15, "end"),
                _ => (PLOT_LEFT + slot * (i as f64 + 0.5), "middle"),
            };
            // Every other label between the ends gives way on a narrow screen.
            @let class = if shown.len() == 5 && j % 2 == 1 { "tick minor" } else { "tick" };
            text class=(class) x=(pct(x)) y=(SERIES_HEIGHT - 4) text-anchor=(anchor) { (columns[i].label) }
        }
    };
    frame(named, SERIES_HEIGHT, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named() -> Named<'static> {
        Named {
            id: "c",
            title: "Titre",
            description: "Description",
        }
    }

    #[test]
    fn a_chart_is_one_named_image() {
        let svg = bars(
            &named(),
            &[Bar {
                label: "Très bien".into(),
                fraction: Some(0.5),
                figure: "60".into(),
                class: "good",
                hollow: true,
            }],
        )
        .into_string();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="c" role="img" aria-labelledby="c-title c-desc""#), "{svg}");
        assert!(
            svg.contains(
                r#"<title id="c-title">Titre</title><desc id="c-desc">Description</desc>"#
            )
        );
        assert!(
            svg.contains(r#"class="bar good hollow" x="0" y="22" width="29.000%""#),
            "{svg}"
        );
        assert!(!svg.contains("style="));
    }

    #[test]
    fn long_labels_are_cut_and_bars_stay_within_their_span() {
        let long = "x".repeat(80);
        let svg = bars(
            &named(),
            &[Bar {
                label: long.clone(),
                fraction: Some(3.0),
                figure: String::new(),
                class: "",
                hollow: false,
            }],
        )
        .into_string();
        assert!(svg.contains(&format!(">{}…</text>", "x".repeat(39))));
        assert!(svg.contains(r#"width="58.000%""#));
    }

    #[test]
    fn a_long_series_labels_five_columns() {
        assert_eq!(labelled(3), vec![0, 1, 2]);
        assert_eq!(labelled(13), vec![0, 3, 6, 9, 12]);
        let many: Vec<Column> = (0..13)
            .map(|i| Column {
                label: format!("m{i}"),
                fraction: (i % 2 == 0).then_some(0.5),
                n: i,
                tip: String::new(),
                class: "medium",
                hollow: false,
            })
            .collect();
        let svg = columns(
            &named(),
            &many,
            &[(0.0, "0".into()), (1.0, "10".into())],
            "n",
        )
        .into_string();
        assert_eq!(svg.matches(r#"class="bar medium""#).count(), 7);
        assert_eq!(svg.matches(r#"class="volume""#).count(), 12);
        assert!(svg.contains(r#"text-anchor="end">m12</text>"#));
        assert!(svg.contains(r#"class="tick minor" x="#));
        assert!(!svg.contains(">m1</text>"));
    }
}
