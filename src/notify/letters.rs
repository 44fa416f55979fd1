//! The messages the back-office mails, composed in the person's language: plain text and the
//! same in HTML, with the link they carry written out in full (some readers show no links).

use jiff::Timestamp;
use maud::{DOCTYPE, Markup, html};

use crate::domain::mail::Mail;
use crate::domain::people::Email;
use crate::domain::questionnaire::Lang;
use crate::views::words::W;

/// An invitation to the back-office, to an organisation when it names one.
pub fn invitation(
    lang: Lang,
    to: &Email,
    link: &str,
    organisation: Option<&str>,
    expires: Timestamp,
) -> Mail {
    let w = |word: W| word.text(lang);
    let organisation =
        organisation.map(|name| format!("{} {name}", w(W::MailInvitationOrganisation)));
    letter(
        lang,
        to,
        w(W::MailInvitationSubject),
        &[Some(w(W::MailInvitationIntro).to_owned()), organisation],
        w(W::MailInvitationAction),
        link,
        expires,
    )
}

/// A link to choose a new password.
pub fn password_reset(lang: Lang, to: &Email, link: &str, expires: Timestamp) -> Mail {
    let w = |word: W| word.text(lang);
    letter(
        lang,
        to,
        w(W::MailResetSubject),
        &[Some(w(W::MailResetIntro).to_owned())],
        w(W::MailResetAction),
        link,
        expires,
    )
}

/// An organisation's endpoint was disabled: which, why, and where to enable it again.
pub fn webhook_disabled(
    lang: Lang,
    to: &Email,
    (url, reason): (&str, &str),
    organisation: &str,
    page: &str,
) -> Mail {
    let w = |word: W| word.text(lang);
    let subject = format!("{} {url}", w(W::MailWebhookDisabledSubject));
    let intro = w(W::MailWebhookDisabledIntro)
        .replace("{url}", url)
        .replace("{organisation}", organisation);
    let why = format!("{} {reason}", w(W::MailWebhookDisabledWhy));
    let text = format!(
        "{intro}\n\n{why}\n\n{}\n{page}\n\n-- \n{}\n",
        w(W::MailWebhookDisabledAction),
        w(W::Site)
    );
    let html: Markup = html! {
        (DOCTYPE)
        html lang=(code(lang)) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (intro) }
                p { (why) }
                p { (w(W::MailWebhookDisabledAction)) br; a href=(page) { (page) } }
                p { "— " (w(W::Site)) }
            }
        }
    };
    Mail {
        to: to.clone(),
        subject,
        text,
        html: html.into_string(),
        unsubscribe: None,
    }
}

/// Paragraphs, then the link and when it expires, then what to do with an unexpected message.
fn letter(
    lang: Lang,
    to: &Email,
    subject: &str,
    paragraphs: &[Option<String>],
    action: &str,
    link: &str,
    expires: Timestamp,
) -> Mail {
    let w = |word: W| word.text(lang);
    let paragraphs: Vec<&str> = paragraphs.iter().flatten().map(String::as_str).collect();
    let expiry = format!(
        "{} {}.",
        w(W::MailLinkExpires),
        expires.strftime("%Y-%m-%d %H:%M UTC")
    );
    let text = format!(
        "{}\n\n{action}\n{link}\n\n{expiry}\n\n{}\n\n-- \n{}\n",
        paragraphs.join("\n\n"),
        w(W::MailIgnore),
        w(W::Site)
    );
    let html: Markup = html! {
        (DOCTYPE)
        html lang=(code(lang)) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                @for paragraph in &paragraphs { p { (paragraph) } }
                p { (action) br; a href=(link) { (link) } }
                p { (expiry) }
                p { (w(W::MailIgnore)) }
                p { "— " (w(W::Site)) }
            }
        }
    };
    Mail {
        to: to.clone(),
        subject: subject.to_owned(),
        text,
        html: html.into_string(),
        unsubscribe: None,
    }
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_carries_its_link_in_both_bodies_and_in_the_person_s_language() {
        let to = Email::parse("agent@ville.fr").unwrap();
        let link = "https://avis.example.fr/admin/invitations/abc?x=1&y=2";
        let mail = invitation(
            Lang::En,
            &to,
            link,
            Some("Ville & Co"),
            Timestamp::UNIX_EPOCH,
        );
        assert!(mail.subject.starts_with("Invitation to"));
        assert!(mail.text.contains(link) && mail.text.contains("Ville & Co"));
        assert!(mail.html.contains("abc?x=1&amp;y=2") && mail.html.contains("Ville &amp; Co"));
        assert!(mail.text.contains("1970-01-01 00:00 UTC"));
        let french = password_reset(Lang::Fr, &to, link, Timestamp::UNIX_EPOCH);
        assert!(french.subject.starts_with("Nouveau mot de passe"));
        assert!(french.html.contains("lang=\"fr\""));
    }
}
