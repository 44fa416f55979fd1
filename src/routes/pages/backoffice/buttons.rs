//! A button: its ready-to-paste snippets (widget, image, link, QR code) with previews, its
//! settings, and closing it. Reading is for its organisation's people; changing, for its admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};

use super::procedures::{crumbs, organisation_name};
use super::{agent_page_status, back_to, done, path_id, record, required_name};
use crate::accounts::{Agent, Fields, Submitted};
use crate::domain::catalog::{Name, Origin, Tag};
use crate::domain::embed::snippets;
use crate::domain::people::Role;
use crate::routes::assets::widget_integrity;
use crate::routes::client::base_url;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::catalog::{Button, Procedure};
use crate::views::forms::{Errors, Input, checkbox, textarea};
use crate::views::layout::{colon, copyable, csrf_field, lang_code, notice};
use crate::views::words::W;

/// The button behind a path, its procedure, and the person's role in its organisation.
async fn visible(
    state: &AppState,
    agent: &Agent,
    raw: &str,
) -> Result<(Button, Procedure, Role), PageError> {
    let id = path_id(raw, agent)?;
    let not_found = || PageError::NotFound(agent.lang);
    let button = state.store.find_button(id).await?.ok_or_else(not_found)?;
    let procedure = state
        .store
        .find_procedure(button.procedure_id)
        .await?
        .ok_or_else(not_found)?;
    let role = agent.require_member(procedure.organisation_id)?;
    Ok((button, procedure, role))
}

/// What a new button form was filled with.
#[derive(Default)]
pub(super) struct ButtonDraft {
    pub label: String,
    pub source: String,
    pub origins: String,
    pub is_test: bool,
    pub asks_contact_email: bool,
    pub requires_proof_of_work: bool,
}

/// The fields of a button's form, parsed; errors noted.
pub(super) fn parse_button(
    fields: &Fields,
    errors: &mut Errors,
) -> Option<(Name, Tag, Vec<Origin>)> {
    let label = required_name(fields, errors, "label");
    let source = match fields.text("source") {
        "" => Tag::parse("web").ok(),
        raw => errors.check("source", Tag::parse(raw), |_| W::InvalidTag),
    };
    let origins: Result<Vec<Origin>, String> = fields
        .text("origins")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Origin::parse)
        .collect();
    let origins = errors.check("origins", origins, |_| W::InvalidOrigin);
    let mut origins = origins?;
    origins.sort();
    origins.dedup();
    Some((label?, source?, origins))
}

pub(super) fn button_fields(
    lang: crate::domain::questionnaire::Lang,
    draft: &ButtonDraft,
    errors: &Errors,
) -> Markup {
    let w = |word: W| word.text(lang);
    html! {
        (Input::text("label", w(W::Label), &draft.label).hint(w(W::LabelHint)).required().render(lang, errors))
        (Input::text("source", w(W::Source), &draft.source).hint(w(W::SourceHint)).render(lang, errors))
        (textarea(Input::text("origins", w(W::Origins), &draft.origins).hint(w(W::OriginsHint)), lang, errors))
        (checkbox("is_test", w(W::IsTest), draft.is_test))
        (checkbox("asks_contact_email", w(W::AsksContact), draft.asks_contact_email))
        (checkbox("requires_proof_of_work", w(W::ProofOfWork), draft.requires_proof_of_work))
    }
}

fn draft_of(button: &Button) -> ButtonDraft {
    ButtonDraft {
        label: button.label.clone(),
        source: button.source.clone(),
        origins: button
            .allowed_origins
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        is_test: button.is_test,
        asks_contact_email: button.asks_contact_email,
        requires_proof_of_work: button.requires_proof_of_work,
    }
}

struct View<'a> {
    button: &'a Button,
    procedure: &'a Procedure,
    organisation: String,
    role: Role,
    draft: ButtonDraft,
    errors: Errors,
    message: Option<W>,
}

fn button_page(
    req: &HttpRequest,
    state: &AppState,
    agent: &Agent,
    status: StatusCode,
    view: &View,
) -> HttpResponse {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let button = view.button;
    let s = snippets(&base_url(req, state), button.id, widget_integrity());
    let body = html! {
        (crumbs(view.procedure, &view.organisation))
        h1 { (w(W::Button)) (colon(lang)) (button.label) }
        @if let Some(word) = view.message { (notice(w(word))) }
        @if !button.is_open { p class="notice" { (w(W::ButtonClosed)) } }
        h2 id="snippets" { (w(W::Snippets)) }
        section class="snippet" aria-labelledby="snippet-widget" {
            h3 id="snippet-widget" { (w(W::SnippetWidget)) }
            p class="hint" { (w(W::SnippetWidgetHint)) }
            (copyable(lang, "code-widget", w(W::SnippetWidget), &s.script))
            (copyable(lang, "code-widget-pinned", w(W::SnippetPinned), &s.pinned_script))
            p class="hint" { (w(W::SnippetPinnedHint)) }
            figure class="widget-preview" {
                div id="widget-preview" {}
                script src="/widget.js" data-button=(button.id) data-container="#widget-preview"
                    data-lang=(lang_code(lang)) data-preview async {}
                figcaption { (w(W::Preview)) " – " (w(W::PreviewNothingSent)) }
            }
        }
        section class="snippet" aria-labelledby="snippet-image" {
            h3 id="snippet-image" { (w(W::SnippetImage)) }
            (copyable(lang, "code-image", w(W::SnippetImage), &s.image))
            (copyable(lang, "code-image-dark", w(W::SnippetImageDark), &s.image_dark))
            div class="previews" {
                figure {
                    img src=(format!("/buttons/{}.svg", button.id)) alt="Je donne mon avis" height="48";
                    figcaption { (w(W::Preview)) }
                }
                figure class="dark" {
                    img src=(format!("/buttons/{}.svg?theme=dark", button.id)) alt="Je donne mon avis" height="48";
                    figcaption { (w(W::Preview)) " – " (w(W::SnippetImageDark)) }
                }
            }
        }
        section class="snippet" aria-labelledby="snippet-link" {
            h3 id="snippet-link" { (w(W::SnippetLink)) }
            (copyable(lang, "code-link", w(W::SnippetLink), &s.link))
            p { a href=(format!("/f/{}", button.id)) { (w(W::OpenQuestionnaire)) } }
        }
        section class="snippet" aria-labelledby="snippet-qr" {
            h3 id="snippet-qr" { (w(W::QrCode)) }
            img class="qr" src=(format!("/buttons/{}/qr.svg", button.id)) alt=(w(W::QrAlt)) width="160" height="160";
            p {
                a href=(format!("/buttons/{}/qr.svg", button.id)) download=(format!("avis-{}.svg", button.id)) { (w(W::DownloadSvg)) }
                " · "
                a href=(format!("/buttons/{}/qr.png", button.id)) download=(format!("avis-{}.png", button.id)) { (w(W::DownloadPng)) }
            }
        }
        @if view.role == Role::Admin && button.closed_at.is_none() {
            h2 id="settings" { (w(W::ButtonSettings)) }
            (view.errors.summary(lang))
            form method="post" action=(format!("/admin/buttons/{}", button.id)) novalidate {
                (csrf_field(&agent.session.csrf_token))
                (button_fields(lang, &view.draft, &view.errors))
                div class="actions" { button type="submit" { (w(W::Save)) } }
            }
            h2 { (w(W::CloseButton)) }
            p class="hint" { (w(W::CloseButtonHint)) }
            form method="post" action=(format!("/admin/buttons/{}/close", button.id)) {
                (csrf_field(&agent.session.csrf_token))
                div class="actions" { button type="submit" class="danger" { (w(W::CloseButton)) } }
            }
        }
    };
    agent_page_status(agent, status, &button.label, None, body)
}

#[get("/admin/buttons/{id}")]
pub async fn show(
    req: HttpRequest,
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (button, procedure, role) = visible(&state, &agent, &path).await?;
    let message = match done(&query) {
        Some("created") => Some(W::Created),
        Some("saved") => Some(W::Saved),
        _ => None,
    };
    let view = View {
        organisation: organisation_name(&state, &agent, &procedure).await?,
        draft: draft_of(&button),
        button: &button,
        procedure: &procedure,
        role,
        errors: Errors::default(),
        message,
    };
    Ok(button_page(&req, &state, &agent, StatusCode::OK, &view))
}

#[post("/admin/buttons/{id}")]
pub async fn save(
    req: HttpRequest,
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (mut button, procedure, role) = visible(&state, agent, &path).await?;
    agent.require_admin(procedure.organisation_id)?;
    let fields = &form.fields;
    let mut errors = Errors::default();
    let Some((label, source, origins)) = parse_button(fields, &mut errors) else {
        let view = View {
            organisation: organisation_name(&state, agent, &procedure).await?,
            draft: ButtonDraft {
                label: fields.text("label").into(),
                source: fields.text("source").into(),
                origins: fields.text("origins").into(),
                is_test: fields.ticked("is_test"),
                asks_contact_email: fields.ticked("asks_contact_email"),
                requires_proof_of_work: fields.ticked("requires_proof_of_work"),
            },
            button: &button,
            procedure: &procedure,
            role,
            errors,
            message: None,
        };
        return Ok(button_page(
            &req,
            &state,
            agent,
            StatusCode::UNPROCESSABLE_ENTITY,
            &view,
        ));
    };
    button.label = label.as_str().to_owned();
    button.source = source.as_str().to_owned();
    button.allowed_origins = origins;
    button.is_test = fields.ticked("is_test");
    button.asks_contact_email = fields.ticked("asks_contact_email");
    button.requires_proof_of_work = fields.ticked("requires_proof_of_work");
    state.store.save_button(&button).await?;
    let origins: Vec<&str> = button.allowed_origins.iter().map(|o| o.as_str()).collect();
    record(
        &state,
        agent,
        Some(procedure.organisation_id),
        "button_updated",
        Some(button.id.to_string()),
        format!(
            "{}; source {}; origins {}; test {}; contact {}; proof of work {}",
            button.label,
            button.source,
            origins.join(" "),
            button.is_test,
            button.asks_contact_email,
            button.requires_proof_of_work
        ),
    )
    .await?;
    Ok(back_to(&format!("/admin/buttons/{}", button.id), "saved"))
}

#[post("/admin/buttons/{id}/close")]
pub async fn close(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (button, procedure, _) = visible(&state, agent, &path).await?;
    agent.require_admin(procedure.organisation_id)?;
    if button.closed_at.is_none() {
        state.store.close_button(button.id).await?;
        record(
            &state,
            agent,
            Some(procedure.organisation_id),
            "button_closed",
            Some(button.id.to_string()),
            button.label.clone(),
        )
        .await?;
    }
    Ok(back_to(&format!("/admin/buttons/{}", button.id), "saved"))
}
