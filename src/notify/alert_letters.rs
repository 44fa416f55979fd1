//! The alerts and digests mailed to people who asked for them, in their language: plain text
//! and the same in HTML, each with the link to the back-office page it is about and the link
//! that stops messages of its kind.

use maud::{DOCTYPE, Markup, html};

use crate::domain::alerts::{Side, THRESHOLD_MONTHS};
use crate::domain::indicators::Indicators;
use crate::domain::mail::Mail;
use crate::domain::people::Email;
use crate::domain::questionnaire::Lang;
use crate::domain::window::Window;
use crate::views::figures::score;
use crate::views::tiles::{indicator_word, value_text};
use crate::views::words::W;

/// Who a message goes to, and where their links lead.
pub struct Reader<'a> {
    pub lang: Lang,
    pub to: &'a Email,
    /// The back-office's address, without a trailing slash.
    pub base_url: &'a str,
}

impl Reader<'_> {
    fn w(&self, word: W) -> &'static str {
        word.text(self.lang)
    }

    fn unsubscribe_link(&self, key: &str) -> String {
        let lang = match self.lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        };
        format!("{}/unsubscribe/{key}?lang={lang}", self.base_url)
    }
}

/// New reviews arrived: how many, and how many carry a comment.
pub fn new_reviews(
    reader: &Reader,
    (procedure, title): (uuid::Uuid, &str),
    reviews: i64,
    commented: i64,
    key: &str,
) -> Mail {
    let fill = |word: W| {
        reader
            .w(word)
            .replace("{title}", title)
            .replace("{n}", &reviews.to_string())
            .replace("{c}", &commented.to_string())
    };
    let link = format!("{}/admin/procedures/{procedure}/reviews", reader.base_url);
    alert(
        reader,
        &fill(W::AlertNewSubject),
        &[fill(W::AlertNewBody)],
        (reader.w(W::AlertReadReviews), &link),
        key,
    )
}

/// Satisfaction moved to another side of the person's levels.
pub fn satisfaction_crossed(
    reader: &Reader,
    (procedure, title): (uuid::Uuid, &str),
    (side, level): (Side, Option<f64>),
    (value, n): (f64, i64),
    key: &str,
) -> Mail {
    let lang = reader.lang;
    let fill = |word: W| {
        reader
            .w(word)
            .replace("{title}", title)
            .replace(
                "{level}",
                &level.map(|l| score(lang, l)).unwrap_or_default(),
            )
            .replace("{value}", &score(lang, value))
            .replace("{n}", &n.to_string())
            .replace("{months}", &THRESHOLD_MONTHS.to_string())
    };
    let subject = match side {
        Side::Below => W::AlertBelowSubject,
        Side::Above => W::AlertAboveSubject,
        Side::Between => W::AlertBetweenSubject,
    };
    let link = format!("{}/admin/procedures/{procedure}?window=3m", reader.base_url);
    alert(
        reader,
        &fill(subject),
        &[fill(W::AlertSatisfactionBody)],
        (reader.w(W::AlertSeeDashboard), &link),
        key,
    )
}

/// Many reviews were excluded within the last hour.
pub fn burst(
    reader: &Reader,
    (procedure, title): (uuid::Uuid, &str),
    excluded: i64,
    key: &str,
) -> Mail {
    let fill = |word: W| {
        reader
            .w(word)
            .replace("{title}", title)
            .replace("{n}", &excluded.to_string())
    };
    let link = format!(
        "{}/admin/procedures/{procedure}/reviews?excluded=true",
        reader.base_url
    );
    alert(
        reader,
        &fill(W::AlertBurstSubject),
        &[fill(W::AlertBurstBody)],
        (reader.w(W::AlertReadReviews), &link),
        key,
    )
}

/// One procedure's lines in a digest: its reviews and indicators over the period and the one
/// before.
pub struct DigestPart<'a> {
    pub procedure: uuid::Uuid,
    pub title: &'a str,
    pub now: Indicators,
    pub before: Indicators,
}

/// The digest of a period: per procedure, its new reviews and each indicator, then and before.
pub fn digest(reader: &Reader, period: Window, parts: &[DigestPart], key: &str) -> Mail {
    let lang = reader.lang;
    let fill = |word: W| {
        reader
            .w(word)
            .replace("{from}", &period.from.to_string())
            .replace("{to}", &period.to.to_string())
    };
    let subject = fill(W::DigestSubject);
    let intro = fill(W::DigestIntro);
    let unsubscribe = reader.unsubscribe_link(key);
    let mut text = format!("{intro}\n");
    for part in parts {
        let link = format!("{}/admin/procedures/{}", reader.base_url, part.procedure);
        let colon = crate::views::layout::colon(lang);
        text.push_str(&format!(
            "\n{}\n{}{colon}{} ({}{colon}{})\n",
            part.title,
            reader.w(W::DigestReviews),
            part.now.satisfaction.n,
            reader.w(W::DigestBefore),
            part.before.satisfaction.n
        ));
        for ((name, now), (_, before)) in part.now.named().into_iter().zip(part.before.named()) {
            text.push_str(&format!(
                "  {}{colon}{} ({}{colon}{})\n",
                reader.w(indicator_word(name)),
                value_text(lang, name, now),
                reader.w(W::DigestBefore),
                value_text(lang, name, before)
            ));
        }
        text.push_str(&format!("{link}\n"));
    }
    text.push_str(&format!(
        "\n{}\n{} {unsubscribe}\n\n-- \n{}\n",
        reader.w(W::DigestWhy),
        reader.w(W::DigestUnsubscribe),
        reader.w(W::Site)
    ));
    let html = document(
        lang,
        &subject,
        html! {
            p { (intro) }
            @for part in parts {
                h2 { a href=(format!("{}/admin/procedures/{}", reader.base_url, part.procedure)) { (part.title) } }
                table {
                    thead { tr {
                        th scope="col" { }
                        th scope="col" { (period.from) " – " (period.to) }
                        th scope="col" { (reader.w(W::DigestBefore)) }
                    } }
                    tbody {
                        tr {
                            th scope="row" { (reader.w(W::DigestReviews)) }
                            td { (part.now.satisfaction.n) }
                            td { (part.before.satisfaction.n) }
                        }
                        @for ((name, now), (_, before)) in part.now.named().into_iter().zip(part.before.named()) {
                            tr {
                                th scope="row" { (reader.w(indicator_word(name))) }
                                td { (value_text(lang, name, now)) }
                                td { (value_text(lang, name, before)) }
                            }
                        }
                    }
                }
            }
            (footer(reader, W::DigestWhy, W::DigestUnsubscribe, &unsubscribe))
        },
    );
    Mail {
        to: reader.to.clone(),
        subject,
        text,
        html,
        unsubscribe: Some(unsubscribe),
    }
}

/// An alert: its paragraphs, the page it is about, why it came and how to stop it.
fn alert(
    reader: &Reader,
    subject: &str,
    paragraphs: &[String],
    (action, link): (&str, &str),
    key: &str,
) -> Mail {
    let unsubscribe = reader.unsubscribe_link(key);
    let text = format!(
        "{}\n\n{action}\n{link}\n\n{}\n{} {unsubscribe}\n\n-- \n{}\n",
        paragraphs.join("\n\n"),
        reader.w(W::AlertWhy),
        reader.w(W::AlertUnsubscribe),
        reader.w(W::Site)
    );
    let html = document(
        reader.lang,
        subject,
        html! {
            @for paragraph in paragraphs { p { (paragraph) } }
            p { (action) br; a href=(link) { (link) } }
            (footer(reader, W::AlertWhy, W::AlertUnsubscribe, &unsubscribe))
        },
    );
    Mail {
        to: reader.to.clone(),
        subject: subject.to_owned(),
        text,
        html,
        unsubscribe: Some(unsubscribe),
    }
}

fn footer(reader: &Reader, why: W, stop: W, unsubscribe: &str) -> Markup {
    html! {
        p { (reader.w(why)) " " (reader.w(stop)) " " a href=(unsubscribe) { (unsubscribe) } }
        p { "— " (reader.w(W::Site)) }
    }
}

fn document(lang: Lang, subject: &str, body: Markup) -> String {
    let code = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(code) {
            head { meta charset="utf-8"; title { (subject) } }
            body { (body) }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::compute;
    use jiff::civil::date;

    #[test]
    fn an_alert_names_its_figures_and_carries_its_way_out_in_both_bodies() {
        let to = Email::parse("agent@ville.fr").unwrap();
        let reader = Reader {
            lang: Lang::Fr,
            to: &to,
            base_url: "https://avis.example.fr",
        };
        let procedure = uuid::Uuid::nil();
        let mail = new_reviews(&reader, (procedure, "Carte & grise"), 7, 2, "k3y");
        assert!(mail.subject.contains("7") && mail.subject.contains("Carte & grise"));
        assert!(mail.text.contains("dont 2 avec un commentaire"));
        assert!(mail.html.contains("Carte &amp; grise"));
        let link = "https://avis.example.fr/unsubscribe/k3y?lang=fr";
        assert_eq!(mail.unsubscribe.as_deref(), Some(link));
        assert!(mail.text.contains(link) && mail.html.contains(link));
        let english = Reader {
            lang: Lang::En,
            ..reader
        };
        let crossed = satisfaction_crossed(
            &english,
            (procedure, "Passport"),
            (Side::Below, Some(6.0)),
            (5.25, 40),
            "k",
        );
        assert!(crossed.subject.contains("below 6.0"));
        assert!(crossed.text.contains("5.2/10") || crossed.text.contains("5.3/10"));
        let empty = compute(&Default::default(), 100);
        let digest = digest(
            &english,
            Window {
                from: date(2026, 11, 30),
                to: date(2026, 12, 6),
            },
            &[DigestPart {
                procedure,
                title: "Passport",
                now: empty.clone(),
                before: empty,
            }],
            "d",
        );
        assert!(digest.subject.contains("2026-11-30") && digest.text.contains("Passport"));
    }
}
