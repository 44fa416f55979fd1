//! Pagination of the back-office's lists: previous and next links that keep the list's filters.

use maud::{Markup, html};

use super::words::W;
use crate::domain::questionnaire::Lang;

/// The link to page `page` of `path`, with the filters that are set.
fn link(path: &str, filters: &[(&str, &str)], page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(name, value);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The form that filters a list by a text (`?q=`), kept in the page's address.
pub fn search(lang: Lang, path: &str, q: &str) -> Markup {
    html! {
        form method="get" action=(path) class="search" role="search" {
            label for="q" { (W::Search.text(lang)) }
            input type="search" id="q" name="q" value=(q);
            button type="submit" class="secondary" { (W::Filter.text(lang)) }
        }
    }
}

/// Whether any of `texts` contains `needle` (already lower-cased), case aside.
pub fn matches(needle: &str, texts: &[&str]) -> bool {
    needle.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(needle))
}

/// Previous and next links, and where the reader is, when there is more than one page.
pub fn pager(
    lang: Lang,
    path: &str,
    filters: &[(&str, &str)],
    page: usize,
    pages: usize,
) -> Markup {
    html! {
        @if pages > 1 {
            nav class="pager" aria-label=(W::Pagination.text(lang)) {
                @if page > 1 { a href=(link(path, filters, page - 1)) rel="prev" { (W::Previous.text(lang)) } }
                span { (page) " / " (pages) }
                @if page < pages { a href=(link(path, filters, page + 1)) rel="next" { (W::Next.text(lang)) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_matches_any_text_whatever_the_case() {
        assert!(matches("", &["anything"]));
        assert!(matches("carte", &["Demande de CARTE grise", "x"]));
        assert!(!matches("permis", &["Demande de carte grise"]));
    }

    #[test]
    fn links_keep_the_filters_that_are_set_and_drop_page_one() {
        assert_eq!(
            link("/admin/", &[("q", "carte grise")], 2),
            "/admin/?q=carte+grise&page=2"
        );
        assert_eq!(link("/admin/", &[("q", "")], 1), "/admin/");
    }
}
