//! Organisations: the list and its creation (superadmins), and one organisation's page with its
//! procedures' indicators (see [`super::scoreboard`]), the creation of a procedure (its admins)
//! and renaming (superadmins).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};

use super::{
    agent_page_status, back_to, done, optional_tag, page_number, path_id, record, required_name,
    scoreboard, search_of,
};
use crate::accounts::{Agent, Submitted};
use crate::domain::people::Role;
use crate::routes::pages::error::PageError;
use crate::routes::pages::see_other;
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::catalog::{NewProcedure, Organisation};
use crate::views::forms::{Errors, Input, checkbox};
use crate::views::layout::{colon, csrf_field, notice, when};
use crate::views::table;
use crate::views::words::W;

const PER_PAGE: usize = 50;

/// Which part of the list a page shows: those matching `q`, page `page`.
struct Shown<'a> {
    q: &'a str,
    page: usize,
}

const ALL: Shown<'static> = Shown { q: "", page: 1 };

fn list_page(
    agent: &Agent,
    organisations: &[Organisation],
    status: StatusCode,
    shown: Shown,
    form: (&str, &Errors),
    created: bool,
) -> HttpResponse {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let (name, errors) = form;
    let needle = shown.q.to_lowercase();
    let matching: Vec<&Organisation> = organisations
        .iter()
        .filter(|o| table::matches(&needle, &[&o.name]))
        .collect();
    let pages = matching.len().div_ceil(PER_PAGE);
    let organisations = matching
        .into_iter()
        .skip((shown.page - 1) * PER_PAGE)
        .take(PER_PAGE);
    let body = html! {
        h1 { (w(W::Organisations)) }
        @if created { (notice(w(W::Created))) }
        (table::search(lang, "/admin/organisations", shown.q))
        div class="table" role="region" aria-label=(w(W::Organisations)) tabindex="0" {
            table {
                caption class="visually-hidden" { (w(W::Organisations)) }
                thead { tr { th scope="col" { (w(W::Name)) } th scope="col" { (w(W::CreatedAt)) } } }
                tbody {
                    @for o in organisations {
                        tr {
                            th scope="row" { a href=(format!("/admin/organisations/{}", o.id)) { (o.name) } }
                            td { (when(o.created_at)) }
                        }
                    }
                }
            }
        }
        (table::pager(lang, "/admin/organisations", &[("q", shown.q)], shown.page, pages))
        h2 id="new" { (w(W::NewOrganisation)) }
        (errors.summary(lang))
        form method="post" action="/admin/organisations" novalidate {
            (csrf_field(&agent.session.csrf_token))
            (Input::text("name", w(W::Name), name).required().render(lang, errors))
            div class="actions" { button type="submit" { (w(W::Create)) } }
        }
    };
    agent_page_status(
        agent,
        status,
        w(W::Organisations),
        Some(W::Organisations),
        body,
    )
}

#[get("/admin/organisations")]
pub async fn list(
    agent: Agent,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    agent.require_superadmin()?;
    let organisations = state.store.list_organisations().await?;
    let created = done(&query) == Some("created");
    let q = search_of(&query);
    let shown = Shown {
        q: &q,
        page: page_number(&query) as usize,
    };
    Ok(list_page(
        &agent,
        &organisations,
        StatusCode::OK,
        shown,
        ("", &Errors::default()),
        created,
    ))
}

#[post("/admin/organisations")]
pub async fn create(
    form: Submitted,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    agent.require_superadmin()?;
    let mut errors = Errors::default();
    if let Some(name) = required_name(&form.fields, &mut errors, "name") {
        match state.store.create_organisation(&name).await {
            Ok(organisation) => {
                record(
                    &state,
                    agent,
                    Some(organisation.id),
                    "organisation_created",
                    Some(organisation.id.to_string()),
                    organisation.name.clone(),
                )
                .await?;
                return Ok(see_other(&format!(
                    "/admin/organisations/{}?done=created",
                    organisation.id
                )));
            }
            Err(StoreError::Conflict(_)) => errors.add("name", W::NameTaken),
            Err(err) => return Err(err.into()),
        }
    }
    let organisations = state.store.list_organisations().await?;
    Ok(list_page(
        agent,
        &organisations,
        StatusCode::UNPROCESSABLE_ENTITY,
        ALL,
        (form.fields.text("name"), &errors),
        false,
    ))
}

/// The organisation behind a path, if the person is one of its people.
pub(super) async fn visible(
    state: &AppState,
    agent: &Agent,
    raw: &str,
) -> Result<(Organisation, Role), PageError> {
    let id = path_id(raw, agent)?;
    let role = agent.require_member(id)?;
    let organisation = state
        .store
        .find_organisation(id)
        .await?
        .ok_or(PageError::NotFound(agent.lang))?;
    Ok((organisation, role))
}

/// The links every page of one organisation shows.
pub(super) fn tabs(agent: &Agent, organisation: &Organisation, current: W) -> Markup {
    let w = |word: W| word.text(agent.lang);
    let admin = agent.role_in(organisation.id) == Some(Role::Admin);
    let base = format!("/admin/organisations/{}", organisation.id);
    let mut entries = vec![
        (W::Procedures, base.clone()),
        (W::Reviews, format!("{base}/reviews")),
        (W::Members, format!("{base}/members")),
    ];
    if admin {
        entries.push((W::ApiKeys, format!("{base}/keys")));
        entries.push((W::Webhooks, format!("{base}/webhooks")));
        entries.push((W::Audit, format!("{base}/audit")));
    }
    html! {
        p class="crumbs" { (w(W::Organisation)) (colon(agent.lang)) strong { (organisation.name) } }
        nav class="tabs" aria-label=(organisation.name) {
            ul {
                @for (word, href) in entries {
                    li {
                        @if word == current { a href=(href) aria-current="page" { (w(word)) } }
                        @else { a href=(href) { (w(word)) } }
                    }
                }
            }
        }
    }
}

struct ProcedureDraft<'a> {
    title: &'a str,
    external_id: &'a str,
    essential: bool,
    public: bool,
}

/// The page: its procedures' table for the query `query` (a `400` that says why when it cannot
/// be read, unless `status` is already an error of the form), then the forms.
async fn organisation_page(
    state: &AppState,
    agent: &Agent,
    organisation: &Organisation,
    (status, query): (StatusCode, &str),
    (draft, errors): (&ProcedureDraft<'_>, &Errors),
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let (table_status, procedures) =
        scoreboard::organisation_table(state, lang, organisation.id, query).await?;
    let status = if status.is_success() {
        table_status
    } else {
        status
    };
    let admin = agent.role_in(organisation.id) == Some(Role::Admin);
    let body = html! {
        h1 { (organisation.name) }
        (tabs(agent, organisation, W::Procedures))
        @if let Some(word) = message { (notice(w(word))) }
        h2 { (w(W::Procedures)) }
        (procedures)
        @if admin {
            h2 id="new" { (w(W::NewProcedure)) }
            (errors.summary(lang))
            form method="post" action=(format!("/admin/organisations/{}/procedures", organisation.id)) novalidate {
                (csrf_field(&agent.session.csrf_token))
                (Input::text("title", w(W::Title), draft.title).required().render(lang, errors))
                (Input::text("external_id", w(W::ExternalId), draft.external_id).hint(w(W::ExternalIdHint)).render(lang, errors))
                (checkbox("is_essential", w(W::IsEssential), draft.essential))
                (checkbox("is_public", w(W::IsPublic), draft.public))
                div class="actions" { button type="submit" { (w(W::Create)) } }
            }
        }
        @if agent.user.is_superadmin {
            h2 { (w(W::Rename)) }
            form method="post" action=(format!("/admin/organisations/{}/name", organisation.id)) novalidate {
                (csrf_field(&agent.session.csrf_token))
                (Input::text("name", w(W::Name), &organisation.name).required().render(lang, &Errors::default()))
                div class="actions" { button type="submit" class="secondary" { (w(W::Rename)) } }
            }
        }
    };
    Ok(agent_page_status(
        agent,
        status,
        &organisation.name,
        None,
        body,
    ))
}

#[get("/admin/organisations/{id}")]
pub async fn show(
    agent: Agent,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (organisation, _) = visible(&state, &agent, &path).await?;
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .unwrap_or_else(|_| web::Query(Vec::new()));
    let message = match done(&query) {
        Some("created") => Some(W::Created),
        Some("saved") => Some(W::Saved),
        _ => None,
    };
    let draft = ProcedureDraft {
        title: "",
        external_id: "",
        essential: false,
        public: false,
    };
    organisation_page(
        &state,
        &agent,
        &organisation,
        (StatusCode::OK, req.query_string()),
        (&draft, &Errors::default()),
        message,
    )
    .await
}

#[post("/admin/organisations/{id}/name")]
pub async fn rename(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    agent.require_superadmin()?;
    let (mut organisation, _) = visible(&state, agent, &path).await?;
    let mut errors = Errors::default();
    let Some(name) = required_name(&form.fields, &mut errors, "name") else {
        return Err(PageError::Forbidden(agent.lang));
    };
    let before = std::mem::replace(&mut organisation.name, name.as_str().to_owned());
    match state.store.save_organisation(&organisation).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let mut errors = Errors::default();
            errors.add("name", W::NameTaken);
            let organisations = state.store.list_organisations().await?;
            return Ok(list_page(
                agent,
                &organisations,
                StatusCode::UNPROCESSABLE_ENTITY,
                ALL,
                (name.as_str(), &errors),
                false,
            ));
        }
        Err(err) => return Err(err.into()),
    }
    record(
        &state,
        agent,
        Some(organisation.id),
        "organisation_renamed",
        Some(organisation.id.to_string()),
        format!("{before} → {}", organisation.name),
    )
    .await?;
    Ok(back_to(
        &format!("/admin/organisations/{}", organisation.id),
        "saved",
    ))
}

#[post("/admin/organisations/{id}/procedures")]
pub async fn create_procedure(
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let fields = &form.fields;
    let mut errors = Errors::default();
    let title = required_name(fields, &mut errors, "title");
    let external_id = optional_tag(fields, &mut errors, "external_id");
    if let (Some(title), Some(external_id)) = (title, external_id) {
        let new = NewProcedure {
            organisation_id: organisation.id,
            title,
            external_id,
            is_essential: fields.ticked("is_essential"),
            is_public: fields.ticked("is_public"),
            yearly_volume: None,
        };
        match state.store.create_procedure(&new).await {
            Ok(procedure) => {
                record(
                    &state,
                    agent,
                    Some(organisation.id),
                    "procedure_created",
                    Some(procedure.id.to_string()),
                    procedure.title.clone(),
                )
                .await?;
                return Ok(see_other(&format!(
                    "/admin/procedures/{}?done=created",
                    procedure.id
                )));
            }
            Err(StoreError::Conflict(_)) => errors.add("external_id", W::ExternalIdTaken),
            Err(err) => return Err(err.into()),
        }
    }
    let draft = ProcedureDraft {
        title: fields.text("title"),
        external_id: fields.text("external_id"),
        essential: fields.ticked("is_essential"),
        public: fields.ticked("is_public"),
    };
    organisation_page(
        &state,
        agent,
        &organisation,
        (StatusCode::UNPROCESSABLE_ENTITY, ""),
        (&draft, &errors),
        None,
    )
    .await
}
