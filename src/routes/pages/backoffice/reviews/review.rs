//! One review: every answer, its button and its exclusion history; its exclusion and restoration
//! by admins, and its contact address shown to admins who ask.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};

use super::super::procedures::{crumbs, organisation_name, visible};
use super::super::{agent_page_status, back_to, done, path_id, record};
use super::may_moderate;
use crate::accounts::{Agent, Submitted};
use crate::domain::answers::{Answers, Channel};
use crate::domain::people::Role;
use crate::domain::questionnaire::{Lang, QUESTIONS, option_label};
use crate::domain::text::clean_text;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::catalog::Procedure;
use crate::store::moderation::{AuditEntry, Moderator};
use crate::store::reviews::StoredReview;
use crate::views::forms::{Errors, Input, textarea};
use crate::views::layout::{colon, csrf_field, notice, when};
use crate::views::words::W;

/// The longest reason for an exclusion or a restoration.
const REASON_MAX_CHARS: usize = 500;
/// A review a person may read, with its procedure and the person's role there.
async fn readable(
    state: &AppState,
    agent: &Agent,
    raw: &str,
) -> Result<(StoredReview, Procedure, Role), PageError> {
    let id = path_id(raw, agent)?;
    let review = state
        .store
        .find_review(id)
        .await?
        .ok_or(PageError::NotFound(agent.lang))?;
    let (procedure, role) = visible(state, agent, &review.procedure_id.to_string()).await?;
    Ok((review, procedure, role))
}

/// What the review's page shows besides the review.
#[derive(Default)]
struct Extras<'a> {
    message: Option<W>,
    contact: Option<&'a str>,
    reason: &'a str,
    errors: Errors,
}

#[get("/admin/reviews/{id}")]
pub async fn show(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (review, procedure, role) = readable(&state, &agent, &path).await?;
    let message = match done(&query) {
        Some("excluded") => Some(W::ReviewExcluded),
        Some("restored") => Some(W::ReviewRestored),
        _ => None,
    };
    let extras = Extras {
        message,
        ..Extras::default()
    };
    review_page(
        &state,
        &agent,
        &review,
        &procedure,
        role,
        StatusCode::OK,
        extras,
    )
    .await
}

#[post("/admin/reviews/{id}/contact")]
pub async fn show_contact(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (review, procedure, role) = readable(&state, agent, &path).await?;
    if !may_moderate(agent, role) {
        return Err(PageError::Forbidden(agent.lang));
    }
    let address = state.store.find_contact_email(review.id).await?;
    if address.is_some() {
        record(
            &state,
            agent,
            Some(procedure.organisation_id),
            "review.contact_read",
            Some(review.id.to_string()),
            String::new(),
        )
        .await?;
    }
    let extras = Extras {
        contact: Some(address.as_ref().map_or("", |a| a.email.as_str())),
        ..Extras::default()
    };
    review_page(
        &state,
        agent,
        &review,
        &procedure,
        role,
        StatusCode::OK,
        extras,
    )
    .await
}

#[post("/admin/reviews/{id}/exclude")]
pub async fn exclude(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    moderate(form, path, state, true).await
}

#[post("/admin/reviews/{id}/restore")]
pub async fn restore(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    moderate(form, path, state, false).await
}

async fn moderate(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
    excluding: bool,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (review, procedure, role) = readable(&state, agent, &path).await?;
    if !may_moderate(agent, role) {
        return Err(PageError::Forbidden(agent.lang));
    }
    let reason = clean_text(form.fields.text("reason"));
    let mut errors = Errors::default();
    if reason.is_empty() {
        errors.add("reason", W::Required);
    } else if reason.chars().count() > REASON_MAX_CHARS {
        errors.add("reason", W::TooLong);
    }
    if !errors.is_empty() {
        let extras = Extras {
            reason: &reason,
            errors,
            ..Extras::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return review_page(&state, agent, &review, &procedure, role, status, extras).await;
    }
    let exclusion = excluding.then_some(reason.as_str());
    state
        .store
        .moderate_as(
            review.id,
            exclusion,
            &reason,
            Moderator::Person(agent.user.id),
        )
        .await?;
    let (action, notice) = if excluding {
        ("review.excluded", "excluded")
    } else {
        ("review.restored", "restored")
    };
    record(
        &state,
        agent,
        Some(procedure.organisation_id),
        action,
        Some(review.id.to_string()),
        reason.clone(),
    )
    .await?;
    Ok(back_to(&format!("/admin/reviews/{}", review.id), notice))
}

async fn review_page(
    state: &AppState,
    agent: &Agent,
    review: &StoredReview,
    procedure: &Procedure,
    role: Role,
    status: StatusCode,
    extras: Extras<'_>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let (button, history, address) = tokio::try_join!(
        state.store.find_button(review.button_id),
        state.store.audit_of(review.id),
        state.store.find_contact_email(review.id),
    )?;
    let has_contact = address.is_some();
    let organisation = organisation_name(state, agent, procedure).await?;
    let moderators = moderator_names(state, &history).await?;
    if review.answers.verbatim.is_some() {
        record(
            state,
            agent,
            Some(procedure.organisation_id),
            "review.read",
            Some(review.id.to_string()),
            String::new(),
        )
        .await?;
    }
    let title = format!("{} – {}", w(W::Review), when(review.created_at));
    let moderating = may_moderate(agent, role);
    let csrf = &agent.session.csrf_token;
    let reviews_path = format!("/admin/procedures/{}/reviews", procedure.id);
    let body = html! {
        (crumbs(procedure, &organisation))
        p class="crumbs" { a href=(reviews_path) { (w(W::Reviews)) } }
        h1 { (title) }
        @if let Some(word) = extras.message { (notice(w(word))) }
        (extras.errors.summary(lang))
        @if let Some(reason) = &review.excluded_reason {
            p class="notice warning" { (w(W::ExcludedBecause)) (colon(lang)) (reason) }
        }
        h2 { (w(W::Answers)) }
        (answers_list(lang, &review.answers))
        h2 { (w(W::AboutReview)) }
        dl class="facts" {
            dt { (w(W::CreatedAt)) } dd { (when(review.created_at)) }
            @if review.updated_at != review.created_at { dt { (w(W::UpdatedAt)) } dd { (when(review.updated_at)) } }
            dt { (w(W::Button)) }
            dd {
                @if let Some(button) = &button {
                    a href=(format!("/admin/buttons/{}", button.id)) { (button.label) } " (" (button.source) ")"
                    @if button.is_test { " " span class="badge" { "test" } }
                }
            }
            dt { (w(W::QuestionnaireVersion)) } dd { (review.questionnaire_version) }
            dt { (w(W::Redactions)) } dd { (review.redactions) }
            @if let Some(at) = review.text_purged_at { dt { (w(W::TextPurged)) } dd { (when(at)) } }
            dt { (w(W::ContactLeft)) }
            dd {
                @if let Some(address) = extras.contact {
                    @if address.is_empty() { (w(W::No)) } @else { a href=(format!("mailto:{address}")) { (address) } }
                } @else if !has_contact {
                    (w(W::No))
                } @else if moderating {
                    form method="post" action=(format!("/admin/reviews/{}/contact", review.id)) class="inline" {
                        (csrf_field(csrf))
                        button type="submit" class="secondary" { (w(W::ShowContact)) }
                    }
                    p class="hint" { (w(W::ShowContactHint)) }
                } @else {
                    (w(W::ContactAdminsOnly))
                }
            }
        }
        h2 { (w(W::ExclusionHistory)) }
        @if history.is_empty() {
            p { (w(W::NoExclusionHistory)) }
        } @else {
            div class="table" role="region" aria-label=(w(W::ExclusionHistory)) tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { (w(W::When)) }
                        th scope="col" { (w(W::Who)) }
                        th scope="col" { (w(W::What)) }
                        th scope="col" { (w(W::Reason)) }
                    } }
                    tbody {
                        @for (entry, who) in history.iter().zip(&moderators) {
                            tr {
                                td { (when(entry.at)) }
                                td { (who) }
                                td { @if entry.action == "exclude" { (w(W::Excluded)) } @else { (w(W::Restored)) } }
                                td { (entry.reason) }
                            }
                        }
                    }
                }
            }
        }
        @if moderating {
            @let (action, heading, submit) = if review.excluded_reason.is_some() {
                ("restore", W::RestoreReview, W::Restore)
            } else {
                ("exclude", W::ExcludeReview, W::Exclude)
            };
            h2 id="moderate" { (w(heading)) }
            form method="post" action=(format!("/admin/reviews/{}/{action}", review.id)) novalidate {
                (csrf_field(csrf))
                (textarea(Input::text("reason", w(W::Reason), extras.reason).hint(w(W::ReasonHint)).required(), lang, &extras.errors))
                div class="actions" { button type="submit" { (w(submit)) } }
            }
        }
    };
    Ok(agent_page_status(agent, status, &title, None, body))
}

/// Who made each entry of a review's history, as a reader can tell.
async fn moderator_names(
    state: &AppState,
    history: &[AuditEntry],
) -> Result<Vec<String>, PageError> {
    let mut names = Vec::with_capacity(history.len());
    for entry in history {
        let name = match (entry.user_id, entry.key_id) {
            (Some(user), _) => state
                .store
                .find_user(user)
                .await?
                .map_or_else(|| user.to_string(), |u| u.display_name),
            (None, Some(key)) => format!("API ({})", &key.to_string()[..8]),
            (None, None) => "avis (CLI)".to_owned(),
        };
        names.push(name);
    }
    Ok(names)
}

/// Every question with its answer, in the questionnaire's order and words.
fn answers_list(lang: Lang, answers: &Answers) -> Markup {
    let w = |word: W| word.text(lang);
    let label =
        |code: &str, value: &str| option_label(code, value, lang).unwrap_or(value).to_owned();
    let channel = |c: &Channel| label("contact_tried", c.code());
    html! {
        dl class="answers" {
            // « Précisez » is asked only of those who tried another channel: its answer shows
            // beside that channel.
            @for question in QUESTIONS.iter().filter(|q| q.code != "contact_tried_other") {
                dt { (question.label.get(lang)) }
                dd {
                    @match question.code {
                        "satisfaction" => {
                            @if let Some(s) = answers.satisfaction { (label("satisfaction", s.code())) } @else { (w(W::NoAnswer)) }
                        }
                        "comprehension" => {
                            @if let Some(s) = answers.comprehension {
                                (s.get()) " – " (label("comprehension", &s.get().to_string()))
                            } @else { (w(W::NoAnswer)) }
                        }
                        "contact_tried" => {
                            @if let Some(tried) = &answers.contact_tried {
                                ul { @for c in tried {
                                    li {
                                        (channel(c))
                                        @if *c == Channel::Other {
                                            @if let Some(other) = &answers.contact_tried_other { (colon(lang)) (other) }
                                        }
                                    }
                                } }
                            } @else { (w(W::NoAnswer)) }
                        }
                        "contact_reached" => {
                            @if let Some(reached) = &answers.contact_reached {
                                ul { @for (c, r) in reached { li { (channel(c)) (colon(lang)) (label("contact_reached", r.code())) } } }
                            } @else { (w(W::NoAnswer)) }
                        }
                        "contact_satisfaction" => {
                            @if let Some(quality) = &answers.contact_satisfaction {
                                ul { @for (c, s) in quality { li { (channel(c)) (colon(lang)) (s.get()) " – " (label("contact_satisfaction", &s.get().to_string())) } } }
                            } @else { (w(W::NoAnswer)) }
                        }
                        "verbatim" => {
                            @if let Some(text) = &answers.verbatim { p class="verbatim" { (text) } } @else { (w(W::NoAnswer)) }
                        }
                        _ => { (w(W::NoAnswer)) }
                    }
                }
            }
        }
    }
}
