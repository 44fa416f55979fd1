//! Words to find in comments. What a person types is cut into words, folded (case and accents
//! aside, so « démarche » finds « DEMARCHE ») and rendered for each backend's full-text index as
//! quoted terms only: nothing typed is ever read as query syntax.

/// Accented letters and the letter each folds to, upper case first; PostgreSQL's `avis_fold`
/// (migration 21) translates with the same two strings.
pub const FOLD_FROM: &str = "ÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĖĘĚÌÍÎÏĪĮŁÑŃŇÒÓÔÕÖØŌŐŔŘŚŠŞŤÙÚÛÜŪŮŰŲÝŸŹŻŽàáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž";
pub const FOLD_TO: &str = "aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzzaaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz";

/// The most words one search takes, and the longest word.
const MAX_WORDS: usize = 8;
const MAX_WORD_CHARS: usize = 64;

/// A text in lower case without accents, as the search index holds it.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match FOLD_FROM.chars().position(|from| from == c) {
            Some(at) => folded.extend(FOLD_TO.chars().nth(at)),
            None => match c {
                'œ' | 'Œ' => folded.push_str("oe"),
                'æ' | 'Æ' => folded.push_str("ae"),
                other => folded.extend(other.to_lowercase()),
            },
        }
    }
    folded
}

/// Every word must be found, each as the beginning of a word of the comment: « démarche » also
/// finds « démarches ».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms(Vec<String>);

impl SearchTerms {
    /// The words of `raw`; none when it holds no letter or digit.
    pub fn parse(raw: &str) -> Option<SearchTerms> {
        let folded = fold(raw);
        let mut words: Vec<String> = Vec::new();
        for word in folded.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() || words.iter().any(|w| w == word) {
                continue;
            }
            words.push(word.chars().take(MAX_WORD_CHARS).collect());
            if words.len() == MAX_WORDS {
                break;
            }
        }
        (!words.is_empty()).then_some(SearchTerms(words))
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// An SQLite FTS5 query on the comments' column: each word a quoted prefix, all of them
    /// required.
    pub fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|w| format!("verbatim : \"{}\"*", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// A PostgreSQL `to_tsquery('simple', …)` query: each word a quoted prefix, all required.
    pub fn tsquery(&self) -> String {
        self.0
            .iter()
            .map(|w| format!("'{}':*", w.replace('\'', "''").replace('\\', "\\\\")))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_fold_away() {
        assert_eq!(
            fold("DÉMARCHE démarche Démarche"),
            "demarche demarche demarche"
        );
        assert_eq!(fold("Œuvre, cœur, ÇA, Ÿ"), "oeuvre, coeur, ca, y");
        assert_eq!(FOLD_FROM.chars().count(), FOLD_TO.chars().count());
    }

    #[test]
    fn words_are_cut_out_of_anything_typed() {
        let words = |raw: &str| SearchTerms::parse(raw).map(|t| t.words().to_vec());
        assert_eq!(words("  "), None);
        assert_eq!(words("\"*' OR 1=1 --"), Some(vec!["or".into(), "1".into()]));
        assert_eq!(
            words("l'aide, peut-être"),
            Some(vec![
                "l".into(),
                "aide".into(),
                "peut".into(),
                "etre".into()
            ])
        );
        assert_eq!(words("a a A"), Some(vec!["a".into()]));
    }

    #[test]
    fn queries_hold_quoted_words_only() {
        let terms = SearchTerms::parse("Démarche NEAR(x) : trop*").unwrap();
        assert_eq!(
            terms.fts5(),
            "verbatim : \"demarche\"* AND verbatim : \"near\"* AND verbatim : \"x\"* AND verbatim : \"trop\"*"
        );
        assert_eq!(
            terms.tsquery(),
            "'demarche':* & 'near':* & 'x':* & 'trop':*"
        );
    }

    #[test]
    fn the_postgres_fold_uses_the_same_letters() {
        let migration = include_str!("../../migrations/postgres/0021_review_search.sql");
        assert!(migration.contains(FOLD_FROM) && migration.contains(FOLD_TO));
    }
}
