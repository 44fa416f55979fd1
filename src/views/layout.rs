//! The frame of every back-office page: skip link, header with the menu for the signed-in
//! person, main content, and the scripts and styles the pages share.

use maud::{DOCTYPE, Markup, html};

use super::words::W;
use crate::domain::questionnaire::Lang;

/// Who the page is for, as the menu shows them.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub is_superadmin: bool,
    pub csrf_token: &'a str,
}

/// What a page puts in the frame.
pub struct Frame<'a> {
    pub lang: Lang,
    pub title: &'a str,
    /// The signed-in person, if any: the menu appears only for them.
    pub viewer: Option<Viewer<'a>>,
    /// Which menu entry is the current page's.
    pub current: Option<W>,
    /// An address to go on to at once: a page between two sites, after a form whose policy
    /// (`form-action 'self'`) forbids redirecting it elsewhere.
    pub refresh: Option<&'a str>,
}

pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// The whole document.
pub fn page(frame: &Frame, body: Markup) -> String {
    let lang = frame.lang;
    let w = |word: W| word.text(lang);
    html! {
        (DOCTYPE)
        html lang=(lang_code(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(url) = frame.refresh {
                    meta http-equiv="refresh" content=(format!("0; url={url}"));
                }
                title { (frame.title) " – " (w(W::BackOffice)) " – " (w(W::Site)) }
                link rel="stylesheet" href="/assets/avis.css";
                link rel="stylesheet" href="/assets/admin.css";
                script src="/assets/admin.js" defer {}
            }
            body {
                a class="skip" href="#content" { (w(W::SkipToContent)) }
                header class="bar" {
                    div class="brand" {
                        a href="/admin/" { (w(W::Site)) }
                        span class="hint" { (w(W::BackOffice)) }
                    }
                    @if let Some(viewer) = &frame.viewer {
                        (menu(lang, viewer, frame.current))
                    }
                }
                main id="content" tabindex="-1" { (body) }
            }
        }
    }
    .into_string()
}

fn menu(lang: Lang, viewer: &Viewer, current: Option<W>) -> Markup {
    let w = |word: W| word.text(lang);
    let mut entries = vec![(W::Home, "/admin/")];
    if viewer.is_superadmin {
        entries.extend([
            (W::Organisations, "/admin/organisations"),
            (W::Observatory, "/admin/observatory"),
            (W::Users, "/admin/users"),
            (W::Audit, "/admin/audit"),
            (W::Settings, "/admin/settings"),
        ]);
    }
    entries.push((W::Account, "/admin/account"));
    html! {
        nav aria-label=(w(W::MainMenu)) {
            ul {
                @for (word, href) in entries {
                    li {
                        @if current == Some(word) {
                            a href=(href) aria-current="page" { (w(word)) }
                        } @else {
                            a href=(href) { (w(word)) }
                        }
                    }
                }
                li {
                    form method="post" action="/admin/logout" {
                        (csrf_field(viewer.csrf_token))
                        button type="submit" class="link" {
                            (w(W::SignOut))
                            span class="visually-hidden" { " (" (viewer.name) ")" }
                        }
                    }
                }
            }
        }
    }
}

/// The colon between a label and its value: French puts a no-break space before it.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}: ",
        Lang::En => ": ",
    }
}

/// The hidden field every state-changing form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(token); }
}

/// A one-button form for an action on a row of a table (revoke, remove, disable): the button
/// says what it does, and to screen readers also on what (`about`).
pub fn action_button(
    action: &str,
    csrf_token: &str,
    label: &str,
    about: &str,
    danger: bool,
) -> Markup {
    html! {
        form method="post" action=(action) class="inline" {
            (csrf_field(csrf_token))
            button type="submit" class={ "secondary" @if danger { " danger" } } {
                (label) span class="visually-hidden" { " – " (about) }
            }
        }
    }
}

/// A message that a change was made, announced to screen readers.
pub fn notice(text: &str) -> Markup {
    html! { p class="notice" role="status" { (text) } }
}

/// Text meant to be copied (a snippet, a link, a secret), with a copy button that the script
/// enables; without JavaScript the text stays selectable.
pub fn copyable(lang: Lang, id: &str, label: &str, text: &str) -> Markup {
    html! {
        div class="copyable" {
            label for=(id) { (label) }
            textarea id=(id) readonly rows=(text.lines().count().clamp(1, 8)) spellcheck="false" { (text) }
            button type="button" class="secondary copy" data-copy=(id) data-done=(W::Copied.text(lang))
                data-failed=(W::CopyFallback.text(lang)) hidden {
                (W::Copy.text(lang))
            }
        }
    }
}

/// Under a link to hand over: to whom it is also being mailed, or that mail is off and the
/// link is the only way it reaches the person.
pub fn mail_note(lang: Lang, mailed_to: Option<&str>) -> Markup {
    html! {
        @match mailed_to {
            Some(address) => p class="mail-note" { (W::MailSentTo.text(lang)) " " (address) "." },
            None => p class="mail-note" { (W::MailOff.text(lang)) },
        }
    }
}

/// A date and time as people read it, in Paris time.
pub fn when(at: jiff::Timestamp) -> String {
    let local = at.to_zoned(crate::domain::time::paris());
    local.strftime("%Y-%m-%d %H:%M").to_string()
}
