//! An organisation's people: who they are and their roles (for everyone of it); inviting,
//! changing roles, removing and revoking invitations (for its admins). An organisation always
//! keeps one admin.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::html;
use uuid::Uuid;

use super::organisations::{tabs, visible};
use super::{agent_page_status, back_to, done, page_number, path_id, record, search_of};
use crate::accounts::{Agent, Submitted};
use crate::domain::people::{Email, Grant, Role};
use crate::domain::questionnaire::Lang;
use crate::notify::letters;
use crate::routes::client::base_url;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::StoreError;
use crate::store::catalog::Organisation;
use crate::store::mail::Compose;
use crate::views::forms::{Errors, Input, select};
use crate::views::layout::{action_button, copyable, csrf_field, mail_note, notice, when};
use crate::views::table;
use crate::views::words::W;

fn role_word(role: Role) -> W {
    match role {
        Role::Admin => W::RoleAdmin,
        Role::Member => W::RoleMember,
    }
}

/// What the page shows besides the lists.
#[derive(Default)]
struct Extra<'a> {
    email: &'a str,
    errors: Errors,
    link: Option<String>,
    /// Where the link is also mailed; none when mail is off.
    mailed_to: Option<String>,
    message: Option<W>,
    /// The list's filter (`?q=`, on names and addresses), and its page (from 1).
    q: &'a str,
    page: usize,
}

const PER_PAGE: usize = 100;

async fn members_page(
    state: &AppState,
    agent: &Agent,
    organisation: &Organisation,
    status: StatusCode,
    extra: &Extra<'_>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let admin = agent.role_in(organisation.id) == Some(Role::Admin);
    let (mut members, invitations) = tokio::try_join!(
        state.store.members(organisation.id),
        state.store.pending_invitations(organisation.id),
    )?;
    let needle = extra.q.to_lowercase();
    members.retain(|(user, _)| table::matches(&needle, &[&user.email, &user.display_name]));
    let page = extra.page.max(1);
    let pages = members.len().div_ceil(PER_PAGE);
    let members: Vec<_> = members
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let base = format!("/admin/organisations/{}", organisation.id);
    let roles = [("member", w(W::RoleMember)), ("admin", w(W::RoleAdmin))];
    let body = html! {
        h1 { (w(W::Members)) }
        (tabs(agent, organisation, W::Members))
        (table::search(lang, &format!("{base}/members"), extra.q))
        @if let Some(word) = extra.message { (notice(w(word))) }
        @if let Some(link) = &extra.link {
            div class="notice" role="status" {
                (copyable(lang, "invitation-link", w(W::InvitationLink), link))
                (mail_note(lang, extra.mailed_to.as_deref()))
            }
        }
        div class="table" role="region" aria-label=(w(W::Members)) tabindex="0" {
            table {
                caption class="visually-hidden" { (w(W::Members)) }
                thead { tr {
                    th scope="col" { (w(W::Name)) }
                    th scope="col" { (w(W::Email)) }
                    th scope="col" { (w(W::Role)) }
                    @if admin { th scope="col" { (w(W::Actions)) } }
                } }
                tbody {
                    @for (user, role) in &members {
                        tr {
                            th scope="row" {
                                (user.display_name)
                                @if user.id == agent.user.id { " (" (w(W::You)) ")" }
                                @if user.disabled_at.is_some() { " " span class="badge" { (w(W::Disabled)) } }
                            }
                            td { (user.email) }
                            td { (w(role_word(*role))) }
                            @if admin {
                                td class="row-actions" {
                                    form method="post" action=(format!("{base}/members/{}/role", user.id)) class="inline" {
                                        (csrf_field(&agent.session.csrf_token))
                                        (select(&format!("role-{}", user.id), "role", w(W::Role), &roles, role.code()))
                                        button type="submit" class="secondary" { (w(W::ChangeRole)) span class="visually-hidden" { " – " (user.email) } }
                                    }
                                    (action_button(&format!("{base}/members/{}/remove", user.id), &agent.session.csrf_token, w(W::Remove), &user.email, true))
                                }
                            }
                        }
                    }
                }
            }
        }
        (table::pager(lang, &format!("{base}/members"), &[("q", extra.q)], page, pages))
        @if admin {
            h2 id="invite" { (w(W::InviteSomeone)) }
            (extra.errors.summary(lang))
            form method="post" action=(format!("{base}/members/invite")) novalidate {
                (csrf_field(&agent.session.csrf_token))
                (Input::text("email", w(W::Email), extra.email).kind("email", "off").required().render(lang, &extra.errors))
                (select("role", "role", w(W::Role), &roles, "member"))
                div class="actions" { button type="submit" { (w(W::Invite)) } }
            }
            h2 { (w(W::PendingInvitations)) }
            @if invitations.is_empty() {
                p { (w(W::NoPendingInvitations)) }
            } @else {
                div class="table" role="region" aria-label=(w(W::PendingInvitations)) tabindex="0" {
                    table {
                        caption class="visually-hidden" { (w(W::PendingInvitations)) }
                        thead { tr {
                            th scope="col" { (w(W::Email)) }
                            th scope="col" { (w(W::Role)) }
                            th scope="col" { (w(W::Expires)) }
                            th scope="col" { (w(W::Actions)) }
                        } }
                        tbody {
                            @for invitation in &invitations {
                                tr {
                                    th scope="row" { (invitation.email.as_deref().unwrap_or_default()) }
                                    td { @if let Grant::Organisation(_, role) = invitation.grant { (w(role_word(role))) } }
                                    td { (when(invitation.expires_at)) }
                                    td {
                                        (action_button(&format!("{base}/invitations/{}/revoke", invitation.id), &agent.session.csrf_token, w(W::Revoke), invitation.email.as_deref().unwrap_or_default(), false))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(agent_page_status(agent, status, w(W::Members), None, body))
}

#[get("/admin/organisations/{id}/members")]
pub async fn list(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (organisation, _) = visible(&state, &agent, &path).await?;
    let q = search_of(&query);
    let extra = Extra {
        q: &q,
        page: page_number(&query) as usize,
        message: match done(&query) {
            Some("saved") => Some(W::Saved),
            Some("last-admin") => Some(W::LastAdmin),
            _ => None,
        },
        ..Extra::default()
    };
    members_page(&state, &agent, &organisation, StatusCode::OK, &extra).await
}

#[post("/admin/organisations/{id}/members/invite")]
pub async fn invite(
    req: HttpRequest,
    form: Submitted,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path).await?;
    agent.require_admin(organisation.id)?;
    let mut extra = Extra {
        email: form.fields.text("email"),
        ..Extra::default()
    };
    let email = extra
        .errors
        .check("email", Email::parse(extra.email), |_| W::InvalidEmail);
    let role = Role::parse(form.fields.text("role")).unwrap_or(Role::Member);
    let Some(email) = email else {
        return members_page(
            &state,
            agent,
            &organisation,
            StatusCode::UNPROCESSABLE_ENTITY,
            &extra,
        )
        .await;
    };
    let base = base_url(&req, &state);
    let ttl = state.backoffice.invitation_ttl_seconds;
    // The invited person's language when they already have an account, else the inviter's.
    let lang = match state.store.find_user_by_email(&email).await? {
        Some((user, _)) => Lang::parse(&user.lang).unwrap_or(agent.lang),
        None => agent.lang,
    };
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(ttl);
    let compose = |token: &str| {
        letters::invitation(
            lang,
            &email,
            &format!("{base}/admin/invitations/{token}"),
            Some(organisation.name.as_str()),
            expires,
        )
    };
    let (invitation, token) = state
        .store
        .create_invitation(
            Some(&email),
            Grant::Organisation(organisation.id, role),
            Some(agent.user.id),
            ttl,
            state.mail_on.then_some(&compose as Compose<'_>),
        )
        .await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "invitation_created",
        Some(invitation.id.to_string()),
        format!("{email} as {}", role.code()),
    )
    .await?;
    extra.email = "";
    extra.link = Some(format!("{base}/admin/invitations/{token}"));
    extra.mailed_to = state.mail_on.then(|| email.as_str().to_owned());
    members_page(&state, agent, &organisation, StatusCode::OK, &extra).await
}

/// Whether a change would leave the organisation without an admin.
async fn last_admin(state: &AppState, organisation: Uuid, user: Uuid) -> Result<bool, PageError> {
    let members = state.store.members(organisation).await?;
    let admins: Vec<Uuid> = members
        .iter()
        .filter(|(u, r)| *r == Role::Admin && u.disabled_at.is_none())
        .map(|(u, _)| u.id)
        .collect();
    Ok(admins == [user])
}

#[post("/admin/organisations/{id}/members/{user}/role")]
pub async fn change_role(
    form: Submitted,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path.0).await?;
    agent.require_admin(organisation.id)?;
    let user = path_id(&path.1, agent)?;
    let role = Role::parse(form.fields.text("role")).ok_or(PageError::NotFound(agent.lang))?;
    let members = state.store.members(organisation.id).await?;
    let Some((member, current)) = members.iter().find(|(u, _)| u.id == user) else {
        return Err(PageError::NotFound(agent.lang));
    };
    let base = format!("/admin/organisations/{}/members", organisation.id);
    if role == *current {
        return Ok(back_to(&base, "saved"));
    }
    if role == Role::Member && last_admin(&state, organisation.id, user).await? {
        return Ok(back_to(&base, "last-admin"));
    }
    state
        .store
        .set_membership(user, organisation.id, role)
        .await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "role_changed",
        Some(user.to_string()),
        format!("{}: {} → {}", member.email, current.code(), role.code()),
    )
    .await?;
    Ok(back_to(&base, "saved"))
}

#[post("/admin/organisations/{id}/members/{user}/remove")]
pub async fn remove(
    form: Submitted,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path.0).await?;
    agent.require_admin(organisation.id)?;
    let user = path_id(&path.1, agent)?;
    let members = state.store.members(organisation.id).await?;
    let Some((member, _)) = members.iter().find(|(u, _)| u.id == user) else {
        return Err(PageError::NotFound(agent.lang));
    };
    let base = format!("/admin/organisations/{}/members", organisation.id);
    if last_admin(&state, organisation.id, user).await? {
        return Ok(back_to(&base, "last-admin"));
    }
    state.store.remove_membership(user, organisation.id).await?;
    record(
        &state,
        agent,
        Some(organisation.id),
        "member_removed",
        Some(user.to_string()),
        member.email.clone(),
    )
    .await?;
    Ok(back_to(&base, "saved"))
}

#[post("/admin/organisations/{id}/invitations/{invitation}/revoke")]
pub async fn revoke_invitation(
    form: Submitted,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (organisation, _) = visible(&state, agent, &path.0).await?;
    agent.require_admin(organisation.id)?;
    let invitation = path_id(&path.1, agent)?;
    match state
        .store
        .revoke_invitation(invitation, organisation.id)
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => return Err(PageError::NotFound(agent.lang)),
        Err(err) => return Err(err.into()),
    }
    record(
        &state,
        agent,
        Some(organisation.id),
        "invitation_revoked",
        Some(invitation.to_string()),
        String::new(),
    )
    .await?;
    Ok(back_to(
        &format!("/admin/organisations/{}/members", organisation.id),
        "saved",
    ))
}
