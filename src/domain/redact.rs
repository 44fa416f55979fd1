//! Personal data in free text is replaced by placeholders before anything is stored: email
//! addresses, phone numbers, social security numbers (NIR), IBANs, French tax numbers and payment
//! card numbers. Checksums (IBAN mod 97, Luhn) keep ordinary numbers out.

use std::sync::LazyLock;

use regex::{Captures, Regex};

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the redaction patterns are valid")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)[a-z0-9][a-z0-9._%+-]*\s?@\s?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b[a-z]{2}\d{2}(?:[ -]?[a-z0-9]{4}){2,7}(?:[ -]?[a-z0-9]{1,3})?\b")
});
static NIR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[ab])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b",
    )
});
static DIGIT_RUN: LazyLock<Regex> = LazyLock::new(|| regex(r"\b\d(?:[ .-]?\d){12,18}\b"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?:(?:\+|\b00)33[ .-]?(?:\(0\)[ .-]?)?[1-9](?:[ .-]?\d{2}){4}\b)",
        r"|(?:\b0[1-9](?:[ .-]?\d{2}){4}\b)",
        r"|(?:(?:\+|\b00)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){5,12}\b)",
    ))
});

/// Text with its personal data replaced, and how many replacements were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub count: u32,
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The Luhn checksum of payment cards.
fn luhn(number: &str) -> bool {
    let sum: u32 = number
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The ISO 13616 check of an IBAN (letters as numbers, remainder 1 modulo 97).
fn iban_valid(candidate: &str) -> bool {
    let compact: String = candidate
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut remainder: u64 = 0;
    for c in rearranged.chars() {
        let value = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// A 13-digit French tax number (numéro fiscal): it starts with 0, 1, 2 or 3.
fn tax_number(number: &str) -> bool {
    number.len() == 13 && number.starts_with(['0', '1', '2', '3'])
}

/// Replaces IBANs. The pattern may run on into the next word, so each match is cut back at a
/// separator until what remains passes the checksum.
fn replace_ibans(text: &str, count: &mut u32) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for found in IBAN.find_iter(text) {
        let candidate = found.as_str();
        let ends = candidate
            .char_indices()
            .filter(|(_, c)| *c == ' ' || *c == '-')
            .map(|(i, _)| i)
            .chain(std::iter::once(candidate.len()));
        let mut ends: Vec<usize> = ends.collect();
        ends.reverse();
        if let Some(end) = ends.into_iter().find(|&end| iban_valid(&candidate[..end])) {
            out.push_str(&text[copied..found.start()]);
            out.push_str("[iban]");
            copied = found.start() + end;
            *count += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces every personal datum of `text` by its placeholder.
pub fn redact(text: &str) -> Redacted {
    let mut count = 0;
    let text = replace_ibans(text, &mut count);
    let mut replace =
        |text: &str, pattern: &Regex, label: &dyn Fn(&str) -> Option<&'static str>| -> String {
            pattern
                .replace_all(text, |caps: &Captures| match label(&caps[0]) {
                    Some(placeholder) => {
                        count += 1;
                        placeholder.to_owned()
                    }
                    None => caps[0].to_owned(),
                })
                .into_owned()
        };
    let text = replace(&text, &EMAIL, &|_| Some("[email]"));
    let text = replace(&text, &NIR, &|_| Some("[nir]"));
    let text = replace(&text, &DIGIT_RUN, &|m| {
        let number = digits(m);
        if luhn(&number) && (13..=19).contains(&number.len()) && !tax_number(&number) {
            Some("[card]")
        } else if tax_number(&number) {
            Some("[tax_id]")
        } else if luhn(&number) {
            Some("[card]")
        } else {
            None
        }
    });
    let text = replace(&text, &PHONE, &|_| Some("[phone]"));
    Redacted { text, count }
}

/// How well redaction does on a corpus: planted data found, clean texts left untouched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub planted: usize,
    pub found: usize,
    pub clean: usize,
    pub altered: usize,
}

impl Score {
    pub fn recall(&self) -> f64 {
        if self.planted == 0 {
            1.0
        } else {
            self.found as f64 / self.planted as f64
        }
    }

    pub fn false_positive_rate(&self) -> f64 {
        if self.clean == 0 {
            0.0
        } else {
            self.altered as f64 / self.clean as f64
        }
    }
}

/// Scores redaction on texts with planted data (each with the exact data planted) and clean texts.
pub fn evaluate(planted: &[(String, Vec<String>)], clean: &[String]) -> Score {
    let mut score = Score {
        planted: 0,
        found: 0,
        clean: clean.len(),
        altered: 0,
    };
    for (text, data) in planted {
        let redacted = redact(text).text;
        for datum in data {
            score.planted += 1;
            if !redacted.contains(datum.as_str()) {
                score.found += 1;
            }
        }
    }
    score.altered = clean.iter().filter(|text| redact(text).count > 0).count();
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let redacted = redact(input);
        assert_eq!(redacted.text, expected, "{input}");
    }

    #[test]
    fn each_kind_of_personal_data_gets_its_placeholder() {
        check(
            "écrivez à jean.dupont@exemple.fr merci",
            "écrivez à [email] merci",
        );
        check(
            "mon 06 12 34 56 78 ou +33 6 12 34 56 78",
            "mon [phone] ou [phone]",
        );
        check("appelez le 01.45.67.89.10", "appelez le [phone]");
        check("au +44 20 7946 0958", "au [phone]");
        check("NIR 1 85 05 78 006 084 36", "NIR [nir]");
        check("sécu 2 90 12 2A 123 456 78", "sécu [nir]");
        check(
            "IBAN FR76 3000 6000 0112 3456 7890 189 svp",
            "IBAN [iban] svp",
        );
        check(
            "compte BE47 5722 8464 2892 paiement refusé",
            "compte [iban] paiement refusé",
        );
        check("carte 4970 1012 3456 7893", "carte [card]");
        check("numéro fiscal 3012345678901", "numéro fiscal [tax_id]");
    }

    #[test]
    fn ordinary_numbers_stay() {
        for text in [
            "J'ai attendu 3 semaines, le 12/03/2024 à 14h30.",
            "Montant de 1 250 € versé en 2023, code postal 75015.",
            "Formulaire cerfa 12345*03, 45 minutes au téléphone, 98 % des cas.",
            "Dossier déposé le 2024-01-15, réponse sous 10 jours.",
        ] {
            assert_eq!(redact(text).count, 0, "{text}");
        }
    }

    #[test]
    fn checksums_tell_accounts_and_cards_from_other_numbers() {
        assert!(iban_valid("FR7630006000011234567890189"));
        assert!(!iban_valid("FR7630006000011234567890188"));
        assert!(luhn("4970101234567893"));
        assert!(!luhn("4970101234567894"));
    }

    #[test]
    fn the_count_says_how_many_were_replaced() {
        assert_eq!(redact("a@b.fr et c@d.fr, 0612345678").count, 3);
    }
}
