//! What an export of reviews holds: its columns, each review as a row of typed cells with the
//! answers' labels in the chosen language beside their codes, where a row falls when a
//! spreadsheet's sheets fill up, and the guard against text a spreadsheet would run as a formula.
//!
//! Column names are codes: scripts rely on them, whatever the language of the labels.

use std::borrow::Cow;

use jiff::Timestamp;
use uuid::Uuid;

use super::answers::{Answers, Channel};
use super::questionnaire::{Lang, option_label};
use super::time::paris_day;

/// The most rows one sheet of a workbook holds, its header row included.
pub const SHEET_ROWS: u32 = 1_048_576;

/// One cell, typed so that a workbook can count and average numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    Bool(bool),
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    fn maybe(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Empty, Cell::text)
    }

    /// The cell as CSV writes it: booleans as `true`/`false`, text defused.
    pub fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => defused(text),
            Cell::Integer(n) => Cow::Owned(n.to_string()),
            Cell::Bool(true) => Cow::Borrowed("true"),
            Cell::Bool(false) => Cow::Borrowed("false"),
        }
    }
}

/// Text that a spreadsheet would read as a formula (it begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) gets a leading apostrophe, which spreadsheets take as « this is text ».
pub fn defused(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Everything an export shows of one review.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub procedure_id: Uuid,
    pub procedure_title: &'a str,
    pub button_id: Uuid,
    pub button_label: &'a str,
    pub button_source: &'a str,
    pub questionnaire_version: i64,
    pub excluded_reason: Option<&'a str>,
    pub answers: &'a Answers,
    /// The address left to be contacted back, when the export includes them.
    pub contact_email: Option<&'a str>,
}

/// The columns of an export: labels in `lang`, contact addresses or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub lang: Lang,
    pub contacts: bool,
}

/// The channels through which the administration itself is reached: only those have the
/// « reached? » and « quality? » questions.
fn administration() -> impl Iterator<Item = Channel> {
    Channel::ALL.into_iter().filter(|c| c.is_administration())
}

impl Layout {
    /// The header row: one code per column, the review's id first.
    pub fn header(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "id",
            "created_at",
            "day",
            "procedure_id",
            "procedure_title",
            "button_id",
            "button_label",
            "button_source",
            "questionnaire_version",
            "excluded",
            "excluded_reason",
            "satisfaction",
            "satisfaction_label",
            "comprehension",
            "comprehension_label",
            "contact_tried",
            "contact_tried_label",
        ]
        .map(String::from)
        .into();
        names.extend(
            Channel::ALL
                .into_iter()
                .map(|c| format!("contact_tried_{}", c.code())),
        );
        // The precision of « other »: the channel's own column has the question's code.
        names.push("contact_tried_other_text".into());
        for channel in administration() {
            let code = channel.code();
            names.extend([
                format!("contact_reached_{code}"),
                format!("contact_reached_{code}_label"),
                format!("contact_satisfaction_{code}"),
                format!("contact_satisfaction_{code}_label"),
            ]);
        }
        names.push("verbatim".into());
        if self.contacts {
            names.push("contact_email".into());
        }
        names
    }

    /// One review as a row, in the order of [`Layout::header`].
    pub fn row(&self, review: &Review) -> Vec<Cell> {
        let lang = self.lang;
        let answers = review.answers;
        let label = |question: &str, value: &str| Cell::maybe(option_label(question, value, lang));
        let satisfaction = answers.satisfaction.map(|s| s.code());
        let comprehension = answers.comprehension.map(|s| s.get());
        let tried = answers.contact_tried.as_ref();
        let tried_codes: Option<Vec<&str>> = tried.map(|t| t.iter().map(|c| c.code()).collect());
        let tried_labels: Option<Vec<&str>> = tried_codes.as_ref().map(|codes| {
            codes
                .iter()
                .filter_map(|code| option_label("contact_tried", code, lang))
                .collect()
        });
        let mut row = vec![
            Cell::text(review.id.to_string()),
            Cell::text(review.created_at.to_string()),
            Cell::text(paris_day(review.created_at).to_string()),
            Cell::text(review.procedure_id.to_string()),
            Cell::text(review.procedure_title),
            Cell::text(review.button_id.to_string()),
            Cell::text(review.button_label),
            Cell::text(review.button_source),
            Cell::Integer(review.questionnaire_version),
            Cell::Bool(review.excluded_reason.is_some()),
            Cell::maybe(review.excluded_reason),
            Cell::maybe(satisfaction),
            satisfaction.map_or(Cell::Empty, |code| label("satisfaction", code)),
            comprehension.map_or(Cell::Empty, |n| Cell::Integer(n.into())),
            comprehension.map_or(Cell::Empty, |n| label("comprehension", &n.to_string())),
            Cell::maybe(tried_codes.map(|codes| codes.join(";"))),
            Cell::maybe(tried_labels.map(|labels| labels.join("; "))),
        ];
        row.extend(Channel::ALL.into_iter().map(|channel| match tried {
            Some(set) => Cell::Bool(set.contains(&channel)),
            None => Cell::Empty,
        }));
        row.push(Cell::maybe(answers.contact_tried_other.as_deref()));
        for channel in administration() {
            let reached = answers
                .contact_reached
                .as_ref()
                .and_then(|m| m.get(&channel))
                .map(|r| r.code());
            let quality = answers
                .contact_satisfaction
                .as_ref()
                .and_then(|m| m.get(&channel))
                .map(|s| s.get());
            row.extend([
                Cell::maybe(reached),
                reached.map_or(Cell::Empty, |code| label("contact_reached", code)),
                quality.map_or(Cell::Empty, |n| Cell::Integer(n.into())),
                quality.map_or(Cell::Empty, |n| {
                    label("contact_satisfaction", &n.to_string())
                }),
            ]);
        }
        row.push(Cell::maybe(answers.verbatim.as_deref()));
        if self.contacts {
            row.push(Cell::maybe(review.contact_email));
        }
        row
    }
}

/// The filters an export takes, in the order its recorded query string lists them.
pub const FILTERS: [&str; 10] = [
    "procedure",
    "button",
    "from",
    "to",
    "satisfaction",
    "comprehension",
    "help",
    "comment",
    "contact",
    "q",
];

/// The query string of the filters in `query`, without empty values or other parameters.
pub fn filter_query(query: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for name in FILTERS {
        if let Some((_, value)) = pairs
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
        {
            kept.append_pair(name, value.trim());
        }
    }
    kept.finish()
}

/// Where the `n`th review (from 0) of a workbook goes when each sheet holds `sheet_rows` rows,
/// its header included: (sheet, from 0; row within it, from 1 below the header).
pub fn place(n: u64, sheet_rows: u32) -> (u64, u32) {
    let per_sheet = u64::from(sheet_rows.max(2) - 1);
    (n / per_sheet, (n % per_sheet) as u32 + 1)
}

/// How many sheets `rows` reviews fill, one at least.
pub fn sheets_for(rows: u64, sheet_rows: u32) -> u64 {
    let per_sheet = u64::from(sheet_rows.max(2) - 1);
    rows.div_ceil(per_sheet).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::answers::{Reached, Satisfaction, Score};

    fn review(answers: &Answers) -> Review<'_> {
        Review {
            id: Uuid::nil(),
            created_at: "2026-01-15T23:30:00Z".parse().unwrap(),
            procedure_id: Uuid::nil(),
            procedure_title: "Prime d'activité",
            button_id: Uuid::nil(),
            button_label: "Fin de démarche",
            button_source: "web",
            questionnaire_version: 1,
            excluded_reason: None,
            answers,
            contact_email: Some("a@b.fr"),
        }
    }

    fn cell<'a>(layout: &Layout, row: &'a [Cell], name: &str) -> &'a Cell {
        let at = layout.header().iter().position(|h| h == name).unwrap();
        &row[at]
    }

    #[test]
    fn every_row_has_one_cell_per_column_and_the_id_first() {
        for contacts in [false, true] {
            let layout = Layout {
                lang: Lang::Fr,
                contacts,
            };
            let answers = Answers::default();
            let row = layout.row(&review(&answers));
            assert_eq!(row.len(), layout.header().len());
            let unique: std::collections::BTreeSet<String> = layout.header().into_iter().collect();
            assert_eq!(unique.len(), row.len(), "no two columns share a name");
            assert_eq!(layout.header()[0], "id");
            assert_eq!(
                layout.header().contains(&"contact_email".to_owned()),
                contacts
            );
        }
    }

    #[test]
    fn codes_stay_and_labels_follow_the_language() {
        let score = |n| Score::try_from(n).unwrap();
        let answers = Answers {
            satisfaction: Some(Satisfaction::Good),
            comprehension: Some(score(5)),
            contact_tried: Some([Channel::Phone, Channel::Other].into()),
            contact_tried_other: Some("mairie".into()),
            contact_reached: Some([(Channel::Phone, Reached::Yes)].into()),
            contact_satisfaction: Some([(Channel::Phone, score(4))].into()),
            verbatim: Some("=1+1".into()),
        };
        for (lang, good, quality) in [
            (Lang::Fr, "Très bien", "Bonne"),
            (Lang::En, "Very well", "Good"),
        ] {
            let layout = Layout {
                lang,
                contacts: false,
            };
            let row = layout.row(&review(&answers));
            let at = |name| cell(&layout, &row, name).clone();
            assert_eq!(at("satisfaction"), Cell::text("good"));
            assert_eq!(at("satisfaction_label"), Cell::text(good));
            assert_eq!(at("comprehension"), Cell::Integer(5));
            assert_eq!(at("contact_tried"), Cell::text("phone;other"));
            assert_eq!(at("contact_tried_phone"), Cell::Bool(true));
            assert_eq!(at("contact_tried_email"), Cell::Bool(false));
            assert_eq!(at("contact_reached_phone"), Cell::text("yes"));
            assert_eq!(at("contact_reached_email"), Cell::Empty);
            assert_eq!(at("contact_satisfaction_phone"), Cell::Integer(4));
            assert_eq!(at("contact_satisfaction_phone_label"), Cell::text(quality));
            assert_eq!(at("day"), Cell::text("2026-01-16"));
            assert_eq!(at("excluded"), Cell::Bool(false));
            assert_eq!(at("verbatim").csv(), "'=1+1");
        }
    }

    #[test]
    fn unanswered_help_leaves_every_channel_blank() {
        let layout = Layout {
            lang: Lang::Fr,
            contacts: false,
        };
        let answers = Answers::default();
        let row = layout.row(&review(&answers));
        assert_eq!(cell(&layout, &row, "contact_tried_none"), &Cell::Empty);
    }

    #[test]
    fn formulas_are_defused_and_other_text_left_alone() {
        for risky in ["=SUM(A1)", "+33 6", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(defused(risky), format!("'{risky}"));
        }
        for safe in ["", "Très bien", "2026-01-01", "a=b", " =x"] {
            assert_eq!(defused(safe), safe);
        }
    }

    #[test]
    fn rows_go_on_the_next_sheet_once_one_is_full() {
        // Four rows a sheet: a header and three reviews.
        let places: Vec<(u64, u32)> = (0..7).map(|n| place(n, 4)).collect();
        assert_eq!(
            places,
            [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3), (2, 1)]
        );
        assert_eq!(sheets_for(0, 4), 1);
        assert_eq!(sheets_for(6, 4), 2);
        assert_eq!(sheets_for(7, 4), 3);
        assert_eq!(place(1_048_574, SHEET_ROWS), (0, 1_048_575));
        assert_eq!(place(1_048_575, SHEET_ROWS), (1, 1));
    }
}
