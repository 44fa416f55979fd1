//! A procedure's or an organisation's reviews: filtered, searched, newest first, page after page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use maud::{Markup, html};
use uuid::Uuid;

use super::super::exports::export_forms;
use super::super::organisations::tabs;
use super::super::procedures::{crumbs, organisation_name, visible};
use super::super::{agent_page_status, path_id, record};
use super::may_moderate;
use crate::accounts::Agent;
use crate::domain::answers::{Answers, Channel};
use crate::domain::people::Role;
use crate::domain::questionnaire::{Lang, option_label};
use crate::error::ApiError;
use crate::routes::pages::error::PageError;
use crate::routes::query::Params;
use crate::startup::AppState;
use crate::store::catalog::{Button, Organisation, Procedure};
use crate::store::review_list::ReviewFilter;
use crate::store::reviews::StoredReview;
use crate::views::forms::{Errors, Input, select};
use crate::views::layout::when;
use crate::views::words::W;

/// Reviews one page lists.
const PAGE: i64 = 50;

/// Characters of a comment a list shows; the review's page shows it whole.
const EXCERPT_CHARS: usize = 280;
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
