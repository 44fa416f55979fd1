//! A procedure: its page (its dashboard, its buttons, a new button), its charts' figures as
//! CSV, and its settings (title, observatory's id, flags, yearly volume). Reading is for its
//! organisation's people; changing, for its admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};

use super::buttons::{ButtonDraft, button_fields, parse_button};
use super::{agent_page_status, back_to, done, optional_tag, path_id, record, required_name};
use crate::accounts::{Agent, Submitted};
use crate::domain::people::Role;
use crate::routes::pages::dashboard;
use crate::routes::pages::error::PageError;
use crate::routes::pages::see_other;
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::catalog::{NewButton, Procedure};
use crate::views::forms::{Errors, Input, checkbox};
use crate::views::layout::{csrf_field, notice};
use crate::views::words::W;

/// The procedure behind a path and the person's role in its organisation.
pub(super) async fn visible(
    state: &AppState,
    agent: &Agent,
    raw: &str,
) -> Result<(Procedure, Role), PageError> {
    let id = path_id(raw, agent)?;
    let procedure = state
        .store
        .find_procedure(id)
        .await?
        .ok_or(PageError::NotFound(agent.lang))?;
    let role = agent.require_member(procedure.organisation_id)?;
    Ok((procedure, role))
}

/// The name of a procedure's organisation: known from the person's memberships, or read (a
/// superadmin sees organisations they are not a member of).
pub(super) async fn organisation_name(
    state: &AppState,
    agent: &Agent,
    procedure: &Procedure,
) -> Result<String, PageError> {
    let known = agent
        .memberships
        .iter()
        .find(|m| m.organisation_id == procedure.organisation_id);
    if let Some(membership) = known {
        return Ok(membership.organisation_name.clone());
    }
    let organisation = state
        .store
        .find_organisation(procedure.organisation_id)
        .await?;
    Ok(organisation.map(|o| o.name).unwrap_or_default())
}

/// The links back to a procedure and its organisation.
pub(super) fn crumbs(procedure: &Procedure, organisation: &str) -> Markup {
    html! {
        p class="crumbs" {
            a href=(format!("/admin/organisations/{}", procedure.organisation_id)) { (organisation) }
            " › " a href=(format!("/admin/procedures/{}", procedure.id)) { (procedure.title) }
        }
    }
}

/// The new button form as it is shown: empty, or as sent with its errors.
struct NewButtonForm<'a> {
    draft: &'a ButtonDraft,
    errors: &'a Errors,
    message: Option<W>,
}

/// The address of a procedure's page.
fn base(procedure: &Procedure) -> String {
    format!("/admin/procedures/{}", procedure.id)
}

/// The page: the dashboard for the query `query`, the buttons, the new button form. A query
/// it cannot read turns the page into a `400` that says why (unless `status` is already an
/// error of the form).
async fn procedure_page(
    state: &AppState,
    agent: &Agent,
    (procedure, role): (&Procedure, Role),
    (status, query): (StatusCode, &str),
    form: NewButtonForm<'_>,
) -> Result<HttpResponse, PageError> {
    let NewButtonForm {
        draft,
        errors,
        message,
    } = form;
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let address = base(procedure);
    let (shown, buttons) = tokio::try_join!(
        dashboard::section(state, lang, procedure.id, query, &address),
        async {
            let buttons = state.store.list_buttons(Some(procedure.id)).await;
            buttons.map_err(PageError::from)
        },
    )?;
    let (dashboard_status, dashboard) = shown;
    let status = if status.is_success() {
        dashboard_status
    } else {
        status
    };
    let organisation = organisation_name(state, agent, procedure).await?;
    let body = html! {
        (crumbs(procedure, &organisation))
        h1 { (procedure.title) }
        @if let Some(word) = message { (notice(w(word))) }
        ul class="inline" {
            li { a href=(format!("{}/reviews", base(procedure))) { (w(W::ReadReviews)) } }
            li { a href=(format!("{}/alerts", base(procedure))) { (w(W::Alerts)) } }
            @if role == Role::Admin {
                li { a href=(format!("{}/settings", base(procedure))) { (w(W::ProcedureSettings)) } }
            }
            @if procedure.is_public {
                li { a href=(format!("/p/{}", procedure.id)) { (w(W::PublicPage)) } }
            }
        }
        (dashboard)
        h2 id="buttons" { (w(W::Buttons)) }
        @if buttons.is_empty() {
            p { (w(W::NoButtons)) }
        } @else {
            ul class="cards" {
                @for b in &buttons {
                    li {
                        a href=(format!("/admin/buttons/{}", b.id)) { (b.label) }
                        " " span class="hint" { (b.source) }
                        @if b.is_test { " " span class="badge" { "test" } }
                        @if !b.is_open { " " span class="badge" { (w(W::Closed)) } }
                    }
                }
            }
        }
        @if role == Role::Admin && procedure.closed_at.is_none() {
            h2 id="new" { (w(W::NewButton)) }
            (errors.summary(lang))
            form method="post" action=(format!("/admin/procedures/{}/buttons", procedure.id)) novalidate {
                (csrf_field(&agent.session.csrf_token))
                (button_fields(lang, draft, errors))
                div class="actions" { button type="submit" { (w(W::Create)) } }
            }
        }
    };
    Ok(agent_page_status(
        agent,
        status,
        &procedure.title,
        None,
        body,
    ))
}

#[get("/admin/procedures/{id}")]
pub async fn show(
    agent: Agent,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (procedure, role) = visible(&state, &agent, &path).await?;
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .unwrap_or_else(|_| web::Query(Vec::new()));
    let message = match done(&query) {
        Some("created") => Some(W::Created),
        Some("saved") => Some(W::Saved),
        _ => None,
    };
    let draft = ButtonDraft {
        source: "web".into(),
        ..ButtonDraft::default()
    };
    procedure_page(
        &state,
        &agent,
        (&procedure, role),
        (StatusCode::OK, req.query_string()),
        NewButtonForm {
            draft: &draft,
            errors: &Errors::default(),
            message,
        },
    )
    .await
}

/// `/admin/procedures/{id}/charts/{name}.csv`: one chart's figures, for the page's query.
#[get("/admin/procedures/{id}/charts/{name}.csv")]
pub async fn chart(
    agent: Agent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (id, name) = path.into_inner();
    let (procedure, _) = visible(&state, &agent, &id).await?;
    dashboard::chart(&state, agent.lang, procedure.id, req.query_string(), &name).await
}

#[post("/admin/procedures/{id}/buttons")]
pub async fn create_button(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (procedure, role) = visible(&state, agent, &path).await?;
    agent.require_admin(procedure.organisation_id)?;
    let fields = &form.fields;
    let mut errors = Errors::default();
    if let Some((label, source, allowed_origins)) = parse_button(fields, &mut errors) {
        let new = NewButton {
            procedure_id: procedure.id,
            label,
            source,
            allowed_origins,
            is_test: fields.ticked("is_test"),
        };
        let mut button = state.store.create_button(&new).await?;
        button.asks_contact_email = fields.ticked("asks_contact_email");
        button.requires_proof_of_work = fields.ticked("requires_proof_of_work");
        if button.asks_contact_email || button.requires_proof_of_work {
            state.store.save_button(&button).await?;
        }
        record(
            &state,
            agent,
            Some(procedure.organisation_id),
            "button_created",
            Some(button.id.to_string()),
            format!("{} ({})", button.label, procedure.title),
        )
        .await?;
        return Ok(see_other(&format!(
            "/admin/buttons/{}?done=created",
            button.id
        )));
    }
    let draft = ButtonDraft {
        label: fields.text("label").into(),
        source: fields.text("source").into(),
        origins: fields.text("origins").into(),
        is_test: fields.ticked("is_test"),
        asks_contact_email: fields.ticked("asks_contact_email"),
        requires_proof_of_work: fields.ticked("requires_proof_of_work"),
    };
    procedure_page(
        &state,
        agent,
        (&procedure, role),
        (StatusCode::UNPROCESSABLE_ENTITY, ""),
        NewButtonForm {
            draft: &draft,
            errors: &errors,
            message: None,
        },
    )
    .await
}

struct SettingsDraft<'a> {
    title: &'a str,
    external_id: &'a str,
    yearly_volume: String,
    essential: bool,
    public: bool,
}

fn settings_page(
    agent: &Agent,
    (procedure, organisation): (&Procedure, &str),
    status: StatusCode,
    draft: &SettingsDraft,
    errors: &Errors,
) -> HttpResponse {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let body = html! {
        (crumbs(procedure, organisation))
        h1 { (w(W::ProcedureSettings)) }
        (errors.summary(lang))
        form method="post" action=(format!("/admin/procedures/{}/settings", procedure.id)) novalidate {
            (csrf_field(&agent.session.csrf_token))
            (Input::text("title", w(W::Title), draft.title).required().render(lang, errors))
            (Input::text("external_id", w(W::ExternalId), draft.external_id).hint(w(W::ExternalIdHint)).render(lang, errors))
            (Input::text("yearly_volume", w(W::YearlyVolume), &draft.yearly_volume).kind("text", "off").hint(w(W::YearlyVolumeHint)).render(lang, errors))
            (checkbox("is_essential", w(W::IsEssential), draft.essential))
            (checkbox("is_public", w(W::IsPublic), draft.public))
            div class="actions" { button type="submit" { (w(W::Save)) } }
        }
    };
    agent_page_status(agent, status, w(W::ProcedureSettings), None, body)
}

#[get("/admin/procedures/{id}/settings")]
pub async fn settings(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (procedure, _) = visible(&state, &agent, &path).await?;
    agent.require_admin(procedure.organisation_id)?;
    let draft = SettingsDraft {
        title: &procedure.title,
        external_id: procedure.external_id.as_deref().unwrap_or_default(),
        yearly_volume: procedure
            .yearly_volume
            .map(|v| v.to_string())
            .unwrap_or_default(),
        essential: procedure.is_essential,
        public: procedure.is_public,
    };
    let organisation = organisation_name(&state, &agent, &procedure).await?;
    Ok(settings_page(
        &agent,
        (&procedure, &organisation),
        StatusCode::OK,
        &draft,
        &Errors::default(),
    ))
}

#[post("/admin/procedures/{id}/settings")]
pub async fn save_settings(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (mut procedure, _) = visible(&state, agent, &path).await?;
    agent.require_admin(procedure.organisation_id)?;
    let fields = &form.fields;
    let mut errors = Errors::default();
    let title = required_name(fields, &mut errors, "title");
    let external_id = optional_tag(fields, &mut errors, "external_id");
    let volume = match fields
        .text("yearly_volume")
        .replace([' ', '\u{a0}', '\u{202f}'], "")
    {
        raw if raw.is_empty() => Some(None),
        raw => errors
            .check(
                "yearly_volume",
                raw.parse::<i64>()
                    .map_err(|_| ())
                    .and_then(|v| if v >= 0 { Ok(v) } else { Err(()) }),
                |_| W::InvalidNumber,
            )
            .map(Some),
    };
    if let (Some(title), Some(external_id), Some(volume)) = (title, external_id, volume) {
        let before = procedure.clone();
        procedure.title = title.as_str().to_owned();
        procedure.external_id = external_id.map(|t| t.as_str().to_owned());
        procedure.yearly_volume = volume;
        procedure.is_essential = fields.ticked("is_essential");
        procedure.is_public = fields.ticked("is_public");
        match state.store.save_procedure(&procedure).await {
            Ok(()) => {
                record(
                    &state,
                    agent,
                    Some(procedure.organisation_id),
                    "procedure_updated",
                    Some(procedure.id.to_string()),
                    changes(&before, &procedure),
                )
                .await?;
                return Ok(back_to(
                    &format!("/admin/procedures/{}", procedure.id),
                    "saved",
                ));
            }
            Err(StoreError::Conflict(_)) => errors.add("external_id", W::ExternalIdTaken),
            Err(err) => return Err(err.into()),
        }
    }
    let draft = SettingsDraft {
        title: fields.text("title"),
        external_id: fields.text("external_id"),
        yearly_volume: fields.text("yearly_volume").to_owned(),
        essential: fields.ticked("is_essential"),
        public: fields.ticked("is_public"),
    };
    let organisation = organisation_name(&state, agent, &procedure).await?;
    Ok(settings_page(
        agent,
        (&procedure, &organisation),
        StatusCode::UNPROCESSABLE_ENTITY,
        &draft,
        &errors,
    ))
}

/// What changed, for the audit log.
fn changes(before: &Procedure, after: &Procedure) -> String {
    let mut parts = Vec::new();
    if before.title != after.title {
        parts.push(format!("title: {} → {}", before.title, after.title));
    }
    if before.external_id != after.external_id {
        parts.push(format!(
            "external_id: {:?} → {:?}",
            before.external_id, after.external_id
        ));
    }
    if before.yearly_volume != after.yearly_volume {
        parts.push(format!(
            "yearly_volume: {:?} → {:?}",
            before.yearly_volume, after.yearly_volume
        ));
    }
    if before.is_essential != after.is_essential {
        parts.push(format!("is_essential: {}", after.is_essential));
    }
    if before.is_public != after.is_public {
        parts.push(format!("is_public: {}", after.is_public));
    }
    parts.join("; ")
}
