//! Reviews for agents: a procedure's or an organisation's reviews, filtered and searched, newest
//! first, page after page; one review with every answer and its exclusion history; exclusion and
//! restoration by admins. Reading comments, and a contact address, goes to the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};
use uuid::Uuid;

use super::exports::export_forms;
use super::organisations::tabs;
use super::procedures::{crumbs, organisation_name, visible};
use super::{agent_page_status, back_to, done, path_id, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::answers::{Answers, Channel};
use crate::domain::people::Role;
use crate::domain::questionnaire::{Lang, QUESTIONS, option_label};
use crate::domain::text::clean_text;
use crate::error::ApiError;
use crate::routes::pages::error::PageError;
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::catalog::{Button, Organisation, Procedure};
use crate::store::moderation::{AuditEntry, Moderator, ReviewFilter};
use crate::store::reviews::StoredReview;
use crate::views::forms::{Errors, Input, select, textarea};
use crate::views::layout::{colon, csrf_field, notice, when};
use crate::views::words::W;

/// Reviews one page lists.
const PAGE: i64 = 50;

/// Characters of a comment a list shows; the review's page shows it whole.
const EXCERPT_CHARS: usize = 280;

/// The longest reason for an exclusion or a restoration.
const REASON_MAX_CHARS: usize = 500;

/// Whose reviews a list shows.
enum Owner {
    Procedure {
        procedure: Procedure,
        buttons: Vec<Button>,
    },
    Organisation {
        organisation: Organisation,
        procedures: Vec<Procedure>,
    },
}

impl Owner {
    fn path(&self) -> String {
        match self {
            Owner::Procedure { procedure, .. } => {
                format!("/admin/procedures/{}/reviews", procedure.id)
            }
            Owner::Organisation { organisation, .. } => {
                format!("/admin/organisations/{}/reviews", organisation.id)
            }
        }
    }

    fn organisation(&self) -> Uuid {
        match self {
            Owner::Procedure { procedure, .. } => procedure.organisation_id,
            Owner::Organisation { organisation, .. } => organisation.id,
        }
    }
}

/// The filters of a list as typed, to fill its form again.
struct Typed(Vec<(String, String)>);

impl Typed {
    fn of(params: &[(String, String)]) -> Typed {
        Typed(params.to_vec())
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The query string of the filters that are set, without the page's cursor.
    fn query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.0.iter().filter(|(k, v)| k != "after" && !v.is_empty()) {
            query.append_pair(name, value);
        }
        query.finish()
    }
}

/// The fields a filter refused, named as the form names them.
fn refused(err: ApiError) -> Result<Vec<String>, PageError> {
    match err {
        ApiError::InvalidRequest(fields) => Ok(fields.into_iter().map(|f| f.field).collect()),
        other => Err(PageError::Internal(other.into())),
    }
}

#[get("/admin/procedures/{id}/reviews")]
pub async fn of_procedure(
    agent: Agent,
    path: web::Path<String>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (procedure, role) = visible(&state, &agent, &path).await?;
    let buttons = state.store.list_buttons(Some(procedure.id)).await?;
    list(
        &state,
        &agent,
        &req,
        role,
        Owner::Procedure { procedure, buttons },
    )
    .await
}

#[get("/admin/organisations/{id}/reviews")]
pub async fn of_organisation(
    agent: Agent,
    path: web::Path<String>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, &agent)?;
    let organisation = state
        .store
        .find_organisation(id)
        .await?
        .ok_or(PageError::NotFound(agent.lang))?;
    let role = agent.require_member(id)?;
    let procedures = state.store.list_procedures(Some(id)).await?;
    list(
        &state,
        &agent,
        &req,
        role,
        Owner::Organisation {
            organisation,
            procedures,
        },
    )
    .await
}

async fn list(
    state: &AppState,
    agent: &Agent,
    req: &HttpRequest,
    role: Role,
    owner: Owner,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let params = Params::of(req);
    let typed = Typed::of(&params_pairs(req));
    let mut status = StatusCode::OK;
    let mut invalid = Vec::new();
    let mut reviews = Vec::new();
    match params.reviews() {
        Err(err) => {
            invalid = refused(err)?;
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(query) => {
            let mut filter = ReviewFilter {
                limit: PAGE,
                ..query.filter
            };
            match &owner {
                Owner::Procedure { procedure, buttons } => {
                    filter.procedure = Some(procedure.id);
                    // A button of another procedure would list nothing: say so rather than lie.
                    if filter
                        .button
                        .is_some_and(|b| !buttons.iter().any(|x| x.id == b))
                    {
                        invalid.push("button".to_owned());
                    }
                }
                Owner::Organisation { organisation, .. } => {
                    filter.organisation = Some(organisation.id);
                }
            }
            if let Some(after) = query.after {
                match state.store.find_review(after).await? {
                    Some(review) => filter.after = Some((&review).into()),
                    None => invalid.push("after".to_owned()),
                }
            }
            if invalid.is_empty() {
                reviews = state.store.list_reviews(&filter).await?;
                record(
                    state,
                    agent,
                    Some(owner.organisation()),
                    "reviews.read",
                    Some(owner.path()),
                    typed.query(),
                )
                .await?;
            } else {
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    }

    let (title, heading) = match &owner {
        Owner::Procedure { procedure, .. } => {
            let organisation = organisation_name(state, agent, procedure).await?;
            (
                format!("{} – {}", w(W::Reviews), procedure.title),
                crumbs(procedure, &organisation),
            )
        }
        Owner::Organisation { organisation, .. } => (
            format!("{} – {}", w(W::Reviews), organisation.name),
            tabs(agent, organisation, W::Reviews),
        ),
    };
    let path = owner.path();
    let filters = typed.query();
    let moderating = may_moderate(agent, role);
    let older = reviews
        .last()
        .filter(|_| reviews.len() as i64 == PAGE)
        .map(|last| {
            let joined = if filters.is_empty() { "" } else { "&" };
            format!("{path}?{filters}{joined}after={}", last.id)
        });
    let newest = (!typed.get("after").is_empty()).then(|| {
        if filters.is_empty() {
            path.clone()
        } else {
            format!("{path}?{filters}")
        }
    });
    let body = html! {
        (heading)
        h1 { (title) }
        (filter_form(lang, &owner, &typed, &invalid))
        @if moderating {
            p class="hint" { (w(W::ReviewsAdminHint)) }
        }
        @if invalid.is_empty() {
            (export_forms(lang, &agent.session.csrf_token, &path, &filters, moderating))
            @if reviews.is_empty() {
                p role="status" { (w(W::NoReviews)) }
            } @else {
                (review_table(lang, &owner, &reviews))
            }
            @if older.is_some() || newest.is_some() {
                nav class="pager" aria-label=(w(W::Pagination)) {
                    @if let Some(newest) = &newest { a href=(newest) { (w(W::NewestReviews)) } }
                    @if let Some(older) = &older { a href=(older) rel="next" { (w(W::OlderReviews)) } }
                }
            }
        }
    };
    Ok(agent_page_status(agent, status, &title, None, body))
}

fn params_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// The label of a filter's field, for the message saying it was refused.
fn field_label(field: &str) -> W {
    match field {
        "from" => W::FromDay,
        "to" => W::ToDay,
        "button" => W::Button,
        "procedure" => W::Procedure,
        "satisfaction" => W::SatisfactionShort,
        "comprehension" => W::Clarity,
        "help" => W::HelpSought,
        "comment" => W::Comment,
        "contact" => W::ContactLeft,
        "excluded" => W::Status,
        _ => W::ReviewsPage,
    }
}

fn filter_form(lang: Lang, owner: &Owner, typed: &Typed, invalid: &[String]) -> Markup {
    let w = |word: W| word.text(lang);
    let label = |code: &str, value: &str| option_label(code, value, lang).unwrap_or_default();
    let all = ("", w(W::All));
    let satisfaction: Vec<(&str, &str)> = std::iter::once(all)
        .chain(
            ["good", "medium", "bad"]
                .into_iter()
                .map(|v| (v, label("satisfaction", v))),
        )
        .collect();
    let scores: Vec<(String, String)> = (1..=5)
        .rev()
        .map(|n| {
            let value = n.to_string();
            let text = format!("{n} – {}", label("comprehension", &value));
            (value, text)
        })
        .collect();
    let comprehension: Vec<(&str, &str)> = std::iter::once(all)
        .chain(scores.iter().map(|(v, t)| (v.as_str(), t.as_str())))
        .collect();
    let help: Vec<(&str, &str)> = [all, ("any", w(W::SomeHelp))]
        .into_iter()
        .chain(
            Channel::ALL
                .iter()
                .map(|c| (c.code(), label("contact_tried", c.code()))),
        )
        .collect();
    let yes_no = |yes: W, no: W| vec![all, ("true", w(yes)), ("false", w(no))];
    let (scope_name, scope_label, scope_options): (&str, W, Vec<(String, String)>) = match owner {
        Owner::Procedure { buttons, .. } => (
            "button",
            W::Button,
            buttons
                .iter()
                .map(|b| (b.id.to_string(), format!("{} ({})", b.label, b.source)))
                .collect(),
        ),
        Owner::Organisation { procedures, .. } => (
            "procedure",
            W::Procedure,
            procedures
                .iter()
                .map(|p| (p.id.to_string(), p.title.clone()))
                .collect(),
        ),
    };
    let scope: Vec<(&str, &str)> = std::iter::once(all)
        .chain(scope_options.iter().map(|(v, t)| (v.as_str(), t.as_str())))
        .collect();
    let excluded = [
        all,
        ("false", w(W::Counted)),
        ("true", w(W::ExcludedPlural)),
    ];
    html! {
        @if !invalid.is_empty() {
            div class="summary" role="alert" {
                h2 { (w(W::InvalidFilter)) }
                ul { @for field in invalid { li { (field_label(field).text(lang)) } } }
            }
        }
        form method="get" action=(owner.path()) class="filters" role="search" aria-label=(w(W::FilterReviews)) {
            div class="field" {
                label for="q" { (w(W::SearchComments)) }
                p class="hint" id="q-hint" { (w(W::SearchCommentsHint)) }
                input type="search" id="q" name="q" value=(typed.get("q")) aria-describedby="q-hint";
            }
            div class="row" {
                (Input::text("from", w(W::FromDay), typed.get("from")).kind("date", "off").render(lang, &Errors::default()))
                (Input::text("to", w(W::ToDay), typed.get("to")).kind("date", "off").render(lang, &Errors::default()))
                (select(scope_name, scope_name, w(scope_label), &scope, typed.get(scope_name)))
            }
            div class="row" {
                (select("satisfaction", "satisfaction", w(W::SatisfactionShort), &satisfaction, typed.get("satisfaction")))
                (select("comprehension", "comprehension", w(W::Clarity), &comprehension, typed.get("comprehension")))
                (select("help", "help", w(W::HelpSought), &help, typed.get("help")))
            }
            div class="row" {
                (select("comment", "comment", w(W::Comment), &yes_no(W::WithComment, W::WithoutComment), typed.get("comment")))
                (select("contact", "contact", w(W::ContactLeft), &yes_no(W::Yes, W::No), typed.get("contact")))
                (select("excluded", "excluded", w(W::Status), &excluded, typed.get("excluded")))
            }
            div class="actions" {
                button type="submit" { (w(W::Filter)) }
                a href=(owner.path()) { (w(W::ClearFilters)) }
            }
        }
    }
}

fn review_table(lang: Lang, owner: &Owner, reviews: &[StoredReview]) -> Markup {
    let w = |word: W| word.text(lang);
    let buttons: Vec<&Button> = match owner {
        Owner::Procedure { buttons, .. } => buttons.iter().collect(),
        Owner::Organisation { .. } => Vec::new(),
    };
    let procedures: Vec<&Procedure> = match owner {
        Owner::Organisation { procedures, .. } => procedures.iter().collect(),
        Owner::Procedure { .. } => Vec::new(),
    };
    html! {
        div class="table" role="region" aria-label=(w(W::Reviews)) tabindex="0" {
            table class="reviews" {
                caption { (w(W::ReviewsNewestFirst)) }
                thead { tr {
                    th scope="col" { (w(W::When)) }
                    @if procedures.is_empty() { th scope="col" { (w(W::Button)) } } @else { th scope="col" { (w(W::Procedure)) } }
                    th scope="col" { (w(W::SatisfactionShort)) }
                    th scope="col" { (w(W::Clarity)) }
                    th scope="col" { (w(W::HelpSought)) }
                    th scope="col" { (w(W::Comment)) }
                    th scope="col" { (w(W::Status)) }
                } }
                tbody {
                    @for review in reviews {
                        tr {
                            td { a href=(format!("/admin/reviews/{}", review.id)) { (when(review.created_at)) } }
                            @if procedures.is_empty() {
                                td { (buttons.iter().find(|b| b.id == review.button_id).map_or("", |b| b.label.as_str())) }
                            } @else {
                                td { (procedures.iter().find(|p| p.id == review.procedure_id).map_or("", |p| p.title.as_str())) }
                            }
                            td { (satisfaction_text(lang, &review.answers)) }
                            td { (review.answers.comprehension.map(|s| s.get().to_string()).unwrap_or_default()) }
                            td { (help_summary(lang, &review.answers)) }
                            td class="comment" { (excerpt(review.answers.verbatim.as_deref().unwrap_or_default())) }
                            td { @if review.excluded_reason.is_some() { span class="badge" { (w(W::Excluded)) } } @else { (w(W::Counted)) } }
                        }
                    }
                }
            }
        }
    }
}

fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

fn satisfaction_text(lang: Lang, answers: &Answers) -> &'static str {
    answers
        .satisfaction
        .and_then(|s| option_label("satisfaction", s.code(), lang))
        .unwrap_or_default()
}

fn help_summary(lang: Lang, answers: &Answers) -> String {
    answers
        .contact_tried
        .iter()
        .flatten()
        .filter_map(|c| option_label("contact_tried", c.code(), lang))
        .collect::<Vec<_>>()
        .join(", ")
}

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

fn may_moderate(agent: &Agent, role: Role) -> bool {
    role == Role::Admin || agent.user.is_superadmin
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
