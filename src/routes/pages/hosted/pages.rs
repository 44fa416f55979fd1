//! The hosted questionnaire's HTML: one step per page, plain forms, no script.

use maud::{DOCTYPE, Markup, html};
use uuid::Uuid;

use super::text::{Words, words};
use crate::domain::answers::{Answers, Channel, Reached};
use crate::domain::questionnaire::{self, Lang, QUESTIONS, Question};

fn question(code: &str) -> &'static Question {
    QUESTIONS
        .iter()
        .find(|q| q.code == code)
        .expect("questionnaire v1 has this question")
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// The frame of every page.
pub fn layout(lang: Lang, title: &str, body: Markup) -> String {
    let w = words(lang);
    html! {
        (DOCTYPE)
        html lang=(lang_code(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (w.site) }
                link rel="stylesheet" href="/assets/avis.css";
            }
            body {
                header { p { (w.site) } }
                main id="content" { (body) }
            }
        }
    }
    .into_string()
}

/// Hidden fields every step carries.
fn carried(lang: Lang, fields: &[(&str, &str)]) -> Markup {
    html! {
        input type="hidden" name="lang" value=(lang_code(lang));
        @for (name, value) in fields { input type="hidden" name=(name) value=(value); }
    }
}

fn errors_summary(w: &Words, errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="summary" role="alert" {
                h2 { (w.error_summary) }
                ul { @for (field, message) in errors { li { a href=(format!("#{field}")) { (message) } } } }
            }
        }
    }
}

fn step_label(w: &Words, n: u8) -> String {
    w.step.replace("{n}", &n.to_string())
}

fn options_of<'a>(
    q: &'a Question,
    lang: Lang,
) -> impl Iterator<Item = (&'static str, &'static str)> + 'a {
    q.options
        .iter()
        .map(move |(value, text)| (*value, text.get(lang)))
}

fn radios(name: &str, q: &Question, lang: Lang, checked: Option<&str>) -> Markup {
    html! {
        div class="choices" {
            @for (i, (value, label)) in options_of(q, lang).enumerate() {
                @let id = if i == 0 { name.to_owned() } else { format!("{name}-{value}") };
                label for=(id) {
                    input type="radio" id=(id) name=(name) value=(value) checked[checked == Some(value)];
                    (label)
                }
            }
        }
    }
}

/// Step 1: the satisfaction question.
pub fn first(lang: Lang, form_token: &str, errors: &[(String, String)]) -> String {
    let w = words(lang);
    let q = question("satisfaction");
    let (other_lang, other_label) = w.other_language;
    let body = html! {
        h1 { (w.site) }
        p class="hint" { (step_label(w, 1)) }
        p { (questionnaire::INTRO.get(lang)) }
        (errors_summary(w, errors))
        form method="post" {
            (carried(lang, &[("form_token", form_token)]))
            // For robots only: people do not see it, and are told to leave it empty if they do.
            p class="visually-hidden" {
                label for="website" { (w.honeypot) }
                input type="text" id="website" name="website" tabindex="-1" autocomplete="off";
            }
            fieldset aria-describedby=[(!errors.is_empty()).then_some("satisfaction-error")] {
                legend { (q.label.get(lang)) }
                @if !errors.is_empty() { p id="satisfaction-error" class="error" { (w.pick_one) } }
                (radios("satisfaction", q, lang, None))
            }
            div class="actions" { button type="submit" { (w.send) } }
        }
        p { a href=(format!("?lang={other_lang}")) lang=(other_lang) { (other_label) } }
    };
    layout(lang, q.label.get(lang), body)
}

/// A later step's form around its fields.
fn later(lang: Lang, n: u8, heading: &str, token: &str, fields: Markup) -> String {
    let w = words(lang);
    let n_text = n.to_string();
    let body = html! {
        h1 { (heading) }
        p class="hint" { (step_label(w, n)) }
        form method="post" {
            (carried(lang, &[("t", token), ("step", &n_text)]))
            (fields)
            div class="actions" {
                button type="submit" name="action" value="send" { @if n == 4 { (w.send) } @else { (w.next) } }
                button type="submit" name="action" value="skip" class="secondary" { (w.skip) }
            }
        }
    };
    layout(lang, heading, body)
}

/// Step 2: clarity and the ways help was sought.
pub fn clarity_and_help(lang: Lang, token: &str) -> String {
    let clarity = question("comprehension");
    let tried = question("contact_tried");
    let fields = html! {
        fieldset {
            legend { (clarity.label.get(lang)) }
            (radios("comprehension", clarity, lang, None))
        }
        fieldset {
            legend { (tried.label.get(lang)) }
            div class="choices column" {
                @for (value, label) in options_of(tried, lang) {
                    @let id = format!("contact_tried-{value}");
                    label for=(id) { input type="checkbox" id=(id) name="contact_tried" value=(value); (label) }
                }
            }
            p {
                label for="contact_tried_other" { (question("contact_tried_other").label.get(lang)) }
                input type="text" id="contact_tried_other" name="contact_tried_other" maxlength="250";
            }
        }
    };
    later(lang, 2, words(lang).site, token, fields)
}

/// Step 3: for each administration channel tried, reached or not, and how good the help was.
pub fn reached_and_quality(lang: Lang, token: &str, answers: &Answers) -> String {
    let w = words(lang);
    let reached = question("contact_reached");
    let quality = question("contact_satisfaction");
    let tried = question("contact_tried");
    let channels: Vec<Channel> = answers
        .contact_tried
        .iter()
        .flatten()
        .copied()
        .filter(|c| c.is_administration())
        .collect();
    let label_of = |c: Channel| {
        options_of(tried, lang)
            .find(|(v, _)| *v == c.code())
            .map_or(c.code(), |(_, l)| l)
    };
    let fields = html! {
        p { (w.reached_if) }
        @for channel in channels {
            @let code = channel.code();
            fieldset {
                legend { (label_of(channel)) }
                fieldset {
                    legend { (reached.label.get(lang)) }
                    div class="choices" {
                        @for (value, label) in options_of(reached, lang) {
                            @let id = format!("reached-{code}-{value}");
                            @let current = answers.contact_reached.as_ref().and_then(|m| m.get(&channel)).map(|r| if *r == Reached::Yes { "yes" } else { "no" });
                            label for=(id) { input type="radio" id=(id) name=(format!("reached-{code}")) value=(value) checked[current == Some(value)]; (label) }
                        }
                    }
                }
                fieldset {
                    legend { (w.quality_if) }
                    div class="choices" {
                        @for (value, label) in options_of(quality, lang) {
                            @let id = format!("quality-{code}-{value}");
                            label for=(id) { input type="radio" id=(id) name=(format!("quality-{code}")) value=(value); (value) " – " (label) }
                        }
                    }
                }
            }
        }
    };
    later(lang, 3, w.site, token, fields)
}

/// Step 4: the free comment, with the warning about personal data.
pub fn comment(lang: Lang, token: &str, asks_contact_email: bool) -> String {
    let q = question("verbatim");
    let email = &questionnaire::CONTACT_EMAIL;
    let fields = html! {
        p id="verbatim-hint" class="hint" { (questionnaire::INTRO.get(lang)) }
        label for="verbatim" { (q.label.get(lang)) }
        textarea id="verbatim" name="verbatim" maxlength=(q.max_chars.unwrap_or(5_000)) aria-describedby="verbatim-hint" {}
        @if asks_contact_email {
            p {
                label for="contact_email" { (email.label.get(lang)) }
                input type="email" id="contact_email" name="contact_email" autocomplete="email" maxlength=(email.max_chars.unwrap_or(254));
            }
            p class="choices" {
                label for="contact_consent" {
                    input type="checkbox" id="contact_consent" name="contact_consent" value="yes";
                    (questionnaire::CONTACT_CONSENT.get(lang))
                }
            }
        }
    };
    later(lang, 4, q.label.get(lang), token, fields)
}

/// The last page.
pub fn thanks(lang: Lang, email_skipped: bool) -> String {
    let w = words(lang);
    let body = html! {
        h1 { (w.thanks_title) }
        p { (w.thanks) }
        @if email_skipped { p { (w.email_skipped) } }
    };
    layout(lang, w.thanks_title, body)
}

/// A page that explains why the citizen cannot go on.
pub fn notice(lang: Lang, title: &str, text: &str) -> String {
    layout(lang, title, html! { h1 { (title) } p { (text) } })
}

/// The demo procedure's confirmation page with the widget embedded, as an administration would.
pub fn demo(lang: Lang, button: Uuid) -> String {
    let w = words(lang);
    let body = html! {
        h1 { (w.demo_title) }
        p { (w.demo_done) }
        p class="hint" { (w.demo_note) }
        div class="demo" {
            div id="avis" {}
            script src="/widget.js" data-button=(button.to_string()) data-container="#avis" async {}
            noscript { a class="button" href=(format!("/f/{button}")) { img src=(format!("/buttons/{button}.svg")) alt=(w.site); } }
        }
    };
    layout(lang, w.demo_title, body)
}
