//! Form fields with their labels, hints and errors, and the summary of a form's errors that
//! links to each wrong field (the pattern of the French State design system).

use maud::{Markup, html};

use super::words::W;
use crate::domain::questionnaire::Lang;

/// The errors of a submitted form, by field name, in the order of the form.
#[derive(Debug, Default)]
pub struct Errors(Vec<(&'static str, W)>);

impl Errors {
    pub fn add(&mut self, field: &'static str, word: W) {
        self.0.push((field, word));
    }

    pub fn of(&self, field: &str) -> Option<W> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, w)| *w)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the value if `parsed` is fine, else notes `word` against `field`.
    pub fn check<T, E>(
        &mut self,
        field: &'static str,
        parsed: Result<T, E>,
        word: impl FnOnce(E) -> W,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, word(err));
                None
            }
        }
    }

    /// The summary at the top of the form, focused by nothing but announced as an alert.
    pub fn summary(&self, lang: Lang) -> Markup {
        html! {
            @if !self.0.is_empty() {
                div class="summary" role="alert" {
                    h2 { (W::ErrorSummary.text(lang)) }
                    ul {
                        @for (field, word) in &self.0 {
                            li { a href=(format!("#{field}")) { (word.text(lang)) } }
                        }
                    }
                }
            }
        }
    }
}

/// How a text input is typed and filled in.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub hint: Option<&'a str>,
    pub required: bool,
}

impl<'a> Input<'a> {
    pub fn text(name: &'static str, label: &'a str, value: &'a str) -> Input<'a> {
        Input {
            name,
            label,
            value,
            kind: "text",
            autocomplete: "off",
            hint: None,
            required: false,
        }
    }

    pub fn kind(self, kind: &'static str, autocomplete: &'static str) -> Input<'a> {
        Input {
            kind,
            autocomplete,
            ..self
        }
    }

    pub fn hint(self, hint: &'a str) -> Input<'a> {
        Input {
            hint: Some(hint),
            ..self
        }
    }

    pub fn required(self) -> Input<'a> {
        Input {
            required: true,
            ..self
        }
    }

    pub fn render(&self, lang: Lang, errors: &Errors) -> Markup {
        let error = errors.of(self.name);
        let described = described_by(self.name, self.hint.is_some(), error.is_some());
        html! {
            div class={ "field" @if error.is_some() { " invalid" } } {
                label for=(self.name) { (self.label) }
                @if let Some(hint) = self.hint { p class="hint" id=(format!("{}-hint", self.name)) { (hint) } }
                @if let Some(word) = error { p class="error" id=(format!("{}-error", self.name)) { (word.text(lang)) } }
                input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                    autocomplete=(self.autocomplete) required[self.required]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
            }
        }
    }
}

/// A multi-line text field.
pub fn textarea(input: Input, lang: Lang, errors: &Errors) -> Markup {
    let error = errors.of(input.name);
    let described = described_by(input.name, input.hint.is_some(), error.is_some());
    html! {
        div class={ "field" @if error.is_some() { " invalid" } } {
            label for=(input.name) { (input.label) }
            @if let Some(hint) = input.hint { p class="hint" id=(format!("{}-hint", input.name)) { (hint) } }
            @if let Some(word) = error { p class="error" id=(format!("{}-error", input.name)) { (word.text(lang)) } }
            textarea id=(input.name) name=(input.name) rows="3"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[described] { (input.value) }
        }
    }
}

/// A checkbox with its label after it.
pub fn checkbox(name: &'static str, label: &str, checked: bool) -> Markup {
    html! {
        div class="check" {
            input type="checkbox" id=(name) name=(name) value="true" checked[checked];
            label for=(name) { (label) }
        }
    }
}

/// A drop-down list of `(value, label)`.
pub fn select(
    id: &str,
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [(hint, "hint"), (error, "error")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, kind)| format!("{name}-{kind}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}
