//! The links that let a person choose a password: invitations (the first account's, and to an
//! organisation) and password resets. Each works once and expires.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::html;

use super::record_by;
use super::sign_in::{public_fields, signed_out_page, start_session};
use crate::accounts::session::request_lang;
use crate::accounts::{PublicForm, password};
use crate::domain::people::{Email, Grant, Password, PasswordError, Role};
use crate::domain::questionnaire::Lang;
use crate::routes::pages::error::PageError;
use crate::routes::pages::see_other;
use crate::startup::AppState;
use crate::store::invitations::{Invitation, LinkError};
use crate::store::people::User;
use crate::views::forms::{Errors, Input};
use crate::views::layout::{colon, lang_code};
use crate::views::words::W;

fn dead_link(lang: Lang) -> HttpResponse {
    let body = html! {
        h1 { (W::DeadLinkTitle.text(lang)) }
        p { (W::DeadLink.text(lang)) }
        p { a href="/admin/login" { (W::SignIn.text(lang)) } }
    };
    signed_out_page(lang, StatusCode::GONE, W::DeadLinkTitle, body)
}

fn role_word(grant: Grant) -> W {
    match grant {
        Grant::Superadmin => W::RoleSuperadmin,
        Grant::Organisation(_, Role::Admin) => W::RoleAdmin,
        Grant::Organisation(_, Role::Member) => W::RoleMember,
    }
}

struct InvitationForm<'a> {
    token: &'a str,
    invitation: &'a Invitation,
    /// Whether the address already has an account with a password.
    existing: bool,
    email: &'a str,
    name: &'a str,
}

fn invitation_page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    form: &InvitationForm,
    errors: &Errors,
) -> HttpResponse {
    let w = |word: W| word.text(lang);
    let invitation = form.invitation;
    let body = html! {
        h1 { (w(W::InvitationTitle)) }
        @match (invitation.email.is_none(), invitation.grant) {
            (true, _) => p { (w(W::InvitationFirst)) },
            (false, Grant::Superadmin) => p { (w(W::InvitationSuperadmin)) },
            (false, grant) => p {
                (w(W::InvitationTo)) " " strong { (invitation.organisation_name.as_deref().unwrap_or_default()) }
                " " (w(W::AsRole)) " " strong { (w(role_word(grant))) } "."
            },
        }
        @if form.existing { p { (w(W::InvitationExisting)) } }
        (errors.summary(lang))
        form method="post" action=(format!("/admin/invitations/{}", form.token)) novalidate {
            (public_fields(state, lang))
            @match &invitation.email {
                Some(email) => p { (w(W::Email)) (colon(lang)) strong { (email) } },
                None => (Input::text("email", w(W::Email), form.email).kind("email", "username").required().render(lang, errors)),
            }
            @if form.existing {
                (Input::text("password", w(W::Password), "").kind("password", "current-password").required().render(lang, errors))
                div class="actions" { button type="submit" { (w(W::Accept)) } }
            } @else {
                (Input::text("name", w(W::DisplayName), form.name).kind("text", "name").required().render(lang, errors))
                (Input::text("password", w(W::NewPassword), "").kind("password", "new-password").hint(w(W::PasswordHint)).required().render(lang, errors))
                div class="actions" { button type="submit" { (w(W::CreateAccount)) } }
            }
        }
    };
    signed_out_page(lang, status, W::InvitationTitle, body)
}

async fn has_password(state: &AppState, email: Option<&str>) -> Result<bool, PageError> {
    let Some(email) = email.and_then(|e| Email::parse(e).ok()) else {
        return Ok(false);
    };
    Ok(state
        .store
        .find_user_by_email(&email)
        .await?
        .is_some_and(|(_, hash)| hash.is_some()))
}

#[get("/admin/invitations/{token}")]
pub async fn invitation_form(
    req: HttpRequest,
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    let Some(invitation) = state.store.find_invitation(&token).await? else {
        return Ok(dead_link(lang));
    };
    let existing = has_password(&state, invitation.email.as_deref()).await?;
    let form = InvitationForm {
        token: &token,
        invitation: &invitation,
        existing,
        email: "",
        name: "",
    };
    Ok(invitation_page(
        &state,
        lang,
        StatusCode::OK,
        &form,
        &Errors::default(),
    ))
}

fn password_word(err: PasswordError) -> W {
    match err {
        PasswordError::TooShort => W::PasswordTooShort,
        PasswordError::TooLong => W::PasswordTooLong,
    }
}

#[post("/admin/invitations/{token}")]
pub async fn accept_invitation(
    req: HttpRequest,
    token: web::Path<String>,
    form: PublicForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = form.lang;
    let fields = &form.fields;
    let Some(invitation) = state.store.find_invitation(&token).await? else {
        return Ok(dead_link(lang));
    };
    let mut errors = Errors::default();
    let typed = invitation
        .email
        .clone()
        .unwrap_or_else(|| fields.text("email").to_owned());
    let email = errors.check("email", Email::parse(&typed), |_| W::InvalidEmail);
    let existing = match &email {
        Some(email) => state.store.find_user_by_email(email).await?,
        None => None,
    };
    let stored = existing.as_ref().and_then(|(_, hash)| hash.clone());
    let name = fields.text("name");
    let hash = if stored.is_some() {
        if !password::verify(fields.raw("password").to_owned(), stored).await {
            errors.add("password", W::WrongPassword);
        }
        None
    } else {
        if name.is_empty() {
            errors.add("name", W::Required);
        } else if name.chars().count() > 200 {
            errors.add("name", W::TooLong);
        }
        errors.check(
            "password",
            Password::parse(fields.raw("password")),
            password_word,
        )
    };
    let (Some(email), true) = (email, errors.is_empty()) else {
        let form = InvitationForm {
            token: &token,
            invitation: &invitation,
            existing: existing.is_some_and(|(_, h)| h.is_some()),
            email: &typed,
            name,
        };
        return Ok(invitation_page(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        ));
    };
    let hash = match hash {
        Some(new) => Some(password::hash(new).await?),
        None => None,
    };
    let user = match state
        .store
        .accept_invitation(&token, &email, name, hash.as_deref())
        .await
    {
        Ok(user) => user,
        Err(LinkError::Dead) => return Ok(dead_link(lang)),
        Err(LinkError::Disabled) => return Err(PageError::Forbidden(lang)),
        Err(LinkError::Store(err)) => return Err(err.into()),
    };
    if user.lang != lang_code(lang) {
        state.store.set_user_lang(user.id, lang_code(lang)).await?;
    }
    record_by(
        &state,
        &user,
        invitation.grant.organisation(),
        "invitation_accepted",
        Some(invitation.id.to_string()),
        invitation.grant.code().to_owned(),
    )
    .await?;
    start_session(&req, &state, &user, "sign_in", "/admin/", None).await
}

fn reset_page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    token: &str,
    user: &User,
    errors: &Errors,
) -> HttpResponse {
    let w = |word: W| word.text(lang);
    let body = html! {
        h1 { (w(W::ResetTitle)) }
        p { (w(W::ResetFor)) " " strong { (user.email) } }
        (errors.summary(lang))
        form method="post" action=(format!("/admin/reset/{token}")) novalidate {
            (public_fields(state, lang))
            input type="text" name="username" value=(user.email) autocomplete="username" hidden;
            (Input::text("password", w(W::NewPassword), "").kind("password", "new-password").hint(w(W::PasswordHint)).required().render(lang, errors))
            div class="actions" { button type="submit" { (w(W::SavePassword)) } }
        }
    };
    signed_out_page(lang, status, W::ResetTitle, body)
}

#[get("/admin/reset/{token}")]
pub async fn reset_form(
    req: HttpRequest,
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = request_lang(&req);
    match state.store.find_password_reset(&token).await? {
        Some(user) if user.disabled_at.is_none() => Ok(reset_page(
            &state,
            lang,
            StatusCode::OK,
            &token,
            &user,
            &Errors::default(),
        )),
        _ => Ok(dead_link(lang)),
    }
}

#[post("/admin/reset/{token}")]
pub async fn submit_reset(
    token: web::Path<String>,
    form: PublicForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = form.lang;
    let Some(user) = state.store.find_password_reset(&token).await? else {
        return Ok(dead_link(lang));
    };
    let mut errors = Errors::default();
    let Some(new) = errors.check(
        "password",
        Password::parse(form.fields.raw("password")),
        password_word,
    ) else {
        return Ok(reset_page(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            &user,
            &errors,
        ));
    };
    let hash = password::hash(new).await?;
    match state.store.use_password_reset(&token, &hash).await {
        Ok(_) => {}
        Err(LinkError::Dead | LinkError::Disabled) => return Ok(dead_link(lang)),
        Err(LinkError::Store(err)) => return Err(err.into()),
    }
    record_by(
        &state,
        &user,
        None,
        "password_reset",
        Some(user.id.to_string()),
        String::new(),
    )
    .await?;
    Ok(see_other("/admin/login?done=password"))
}
