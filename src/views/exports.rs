//! The export of reviews as the back-office shows it: the forms that start one from a list of
//! reviews, and the page that follows a workbook until it can be downloaded.

use maud::{Markup, html};
use uuid::Uuid;

use super::figures::score;
use super::forms::select;
use super::layout::{csrf_field, lang_code, when};
use super::words::W;
use crate::domain::export::filter_query;
use crate::domain::questionnaire::Lang;
use crate::store::exports::{Export, Status};

/// The forms that export the reviews a list shows: `action_base` is the list's path (e.g.
/// `/admin/procedures/{id}/reviews`), `query_string` its filters; `contacts` offers to add the
/// contact addresses (for admins).
pub fn export_forms(
    lang: Lang,
    csrf: &str,
    action_base: &str,
    query_string: &str,
    contacts: bool,
) -> Markup {
    let w = |word: W| word.text(lang);
    let filters = filter_query(query_string);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(filters.as_bytes())
        .into_owned()
        .collect();
    let languages = [("fr", w(W::ExportFrench)), ("en", w(W::ExportEnglish))];
    let xlsx_action = if filters.is_empty() {
        format!("{action_base}/export.xlsx")
    } else {
        format!("{action_base}/export.xlsx?{filters}")
    };
    html! {
        section class="exports" aria-labelledby="exports-heading" {
            h2 id="exports-heading" { (w(W::ExportHeading)) }
            p class="hint" { (w(W::ExportWhat)) }
            form method="get" action=(format!("{action_base}/export.csv")) {
                fieldset {
                    legend { (w(W::ExportCsvLegend)) }
                    @for (name, value) in &pairs {
                        input type="hidden" name=(name) value=(value);
                    }
                    (select("export-csv-lang", "lang", w(W::ExportLabelsLanguage), &languages, lang_code(lang)))
                    @if contacts { (checkbox_with_id("export-csv-contacts", w(W::ExportWithContacts))) }
                    div class="actions" { button type="submit" { (w(W::ExportCsvButton)) } }
                }
            }
            form method="post" action=(xlsx_action) {
                fieldset {
                    legend { (w(W::ExportXlsxLegend)) }
                    (csrf_field(csrf))
                    (select("export-xlsx-lang", "lang", w(W::ExportLabelsLanguage), &languages, lang_code(lang)))
                    @if contacts { (checkbox_with_id("export-xlsx-contacts", w(W::ExportWithContacts))) }
                    div class="actions" { button type="submit" { (w(W::ExportXlsxButton)) } }
                }
            }
        }
    }
}

/// The contact addresses' checkbox, under an id of its own (both forms have one).
fn checkbox_with_id(id: &str, label: &str) -> Markup {
    html! {
        div class="check" {
            input type="checkbox" id=(id) name="contact_emails" value="true";
            label for=(id) { (label) }
        }
    }
}

/// The page of a workbook: its progress while it is prepared (the page reloads itself every 2
/// seconds while `automatic`), then its link, or its failure.
pub fn progress(lang: Lang, export: &Export, automatic: bool) -> Markup {
    let w = |word: W| word.text(lang);
    let here = format!("/admin/exports/{}", export.id);
    let back = back_link(export);
    let percent = (export.progress * 100.0).floor() as u32;
    let body = html! {
        p class="crumbs" { a href=(back.0) { (w(back.1)) } }
        h1 { (w(W::ExportPageTitle)) }
        @match export.status {
            Status::Running => {
                @if automatic {
                    p { (w(W::ExportRunning)) " " a href=(format!("{here}?auto=off")) { (w(W::ExportStopRefresh)) } }
                } @else {
                    p { (w(W::ExportAutoOff)) " " a href=(here) { (w(W::ExportRefreshNow)) } }
                }
                div class="field" {
                    label for="export-progress" { (w(W::ExportProgress)) }
                    progress id="export-progress" max="100" value=(percent) { (percent_text(lang, percent)) }
                }
                p {
                    (figure(lang, export.rows_done)) " "
                    @if let Some(total) = export.rows_total {
                        (w(W::ExportRowsWritten)) " " (figure(lang, total.max(export.rows_done)))
                    } @else {
                        (w(W::ExportRowsWrittenSoFar))
                    }
                }
            }
            Status::Done => {
                p role="status" { (w(W::ExportReady)) }
                p {
                    a href=(format!("{here}/download")) download {
                        (w(W::ExportDownload))
                        " (XLSX, " (size(lang, export.size_bytes)) ")"
                    }
                }
                p { (figure(lang, export.rows_done)) " " (w(W::ExportRows).to_lowercase()) "." }
                @if export.sheets > 1 { p { (w(W::ExportSplitPage)) } }
                p class="hint" { (w(W::ExportKeptUntil)) " " (when(export.expires_at)) (w(W::ExportThenDeleted)) }
            }
            Status::Failed => {
                p role="alert" { (w(W::ExportFailed)) }
            }
        }
    };
    body
}

/// Where the export's reviews are listed: its procedure, else its organisation.
fn back_link(export: &Export) -> (String, W) {
    let procedure = url::form_urlencoded::parse(export.filter.as_bytes())
        .find(|(k, _)| k == "procedure")
        .and_then(|(_, v)| Uuid::parse_str(&v).ok());
    match (procedure, export.organisation_id) {
        (Some(p), _) => (format!("/admin/procedures/{p}"), W::ExportBack),
        (None, Some(o)) => (
            format!("/admin/organisations/{o}"),
            W::ExportBackOrganisation,
        ),
        (None, None) => ("/admin/".to_owned(), W::Home),
    }
}

/// A count as people read it: thin spaces between thousands in French, commas in English.
fn figure(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn percent_text(lang: Lang, percent: u32) -> String {
    match lang {
        Lang::Fr => format!("{percent}\u{a0}%"),
        Lang::En => format!("{percent}%"),
    }
}

/// A file's size in kilobytes or megabytes, with one decimal.
fn size(lang: Lang, bytes: i64) -> String {
    let (value, unit) = if bytes < 1_000_000 {
        (bytes as f64 / 1_000.0, W::ExportKilobytes)
    } else {
        (bytes as f64 / 1_000_000.0, W::ExportMegabytes)
    };
    format!("{}\u{a0}{}", score(lang, value), unit.text(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_sizes_read_as_each_language_writes_them() {
        assert_eq!(figure(Lang::Fr, 1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(figure(Lang::En, 1_234), "1,234");
        assert_eq!(figure(Lang::En, 999), "999");
        assert_eq!(size(Lang::Fr, 1_250_000), "1,2\u{a0}Mo");
        assert_eq!(size(Lang::En, 2_500), "2.5\u{a0}kB");
    }

    #[test]
    fn the_forms_carry_only_the_filters_of_the_list() {
        let forms = export_forms(
            Lang::Fr,
            "token",
            "/admin/procedures/p/reviews",
            "satisfaction=good&page=3&after=x&excluded=true&q=",
            false,
        )
        .into_string();
        assert!(
            forms.contains(r#"name="satisfaction" value="good""#),
            "{forms}"
        );
        assert!(
            forms.contains(r#"action="/admin/procedures/p/reviews/export.xlsx?satisfaction=good""#)
        );
        for gone in ["page", "after", "excluded", r#"name="q""#] {
            assert!(!forms.contains(gone), "{gone} in {forms}");
        }
        assert!(!forms.contains("contact_emails"));
    }
}
