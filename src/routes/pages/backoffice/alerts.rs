//! A person's alerts and digest for one procedure: any of its organisation's people chooses
//! what they hear about it by mail. Nobody subscribes anyone else: every message is asked for.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::html;

use super::procedures::{crumbs, organisation_name, visible};
use super::{agent_page_status, back_to, done, record};
use crate::accounts::{Agent, Submitted};
use crate::domain::alerts::{Digest, EVERY_CHOICES, parse_level};
use crate::routes::client::base_url;
use crate::routes::pages::error::PageError;
use crate::startup::AppState;
use crate::store::alerts::Choice;
use crate::store::catalog::Procedure;
use crate::views::figures::score;
use crate::views::forms::{Errors, Input, checkbox, select};
use crate::views::layout::{csrf_field, notice};
use crate::views::words::W;

/// The form as shown: what is saved, or what was sent with its errors.
struct Draft {
    choice: Choice,
    below: String,
    above: String,
    errors: Errors,
}

fn digest_word(digest: Digest) -> W {
    match digest {
        Digest::None => W::DigestNone,
        Digest::Daily => W::DigestDaily,
        Digest::Weekly => W::DigestWeekly,
        Digest::Monthly => W::DigestMonthly,
    }
}

fn every_label(minutes: i64) -> String {
    if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h", minutes / 60)
    }
}

async fn alerts_page(
    state: &AppState,
    agent: &Agent,
    procedure: &Procedure,
    draft: Draft,
    message: Option<W>,
) -> Result<HttpResponse, PageError> {
    let lang = agent.lang;
    let w = |word: W| word.text(lang);
    let organisation = organisation_name(state, agent, procedure).await?;
    let status = if draft.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let choice = &draft.choice;
    let every: Vec<(String, String)> = EVERY_CHOICES
        .iter()
        .map(|m| (m.to_string(), every_label(*m)))
        .collect();
    let every: Vec<(&str, &str)> = every
        .iter()
        .map(|(v, l)| (v.as_str(), l.as_str()))
        .collect();
    let digests: Vec<(&str, &str)> = Digest::ALL
        .iter()
        .map(|d| (d.code(), w(digest_word(*d))))
        .collect();
    let body = html! {
        (crumbs(procedure, &organisation))
        h1 { (w(W::Alerts)) }
        p { (w(W::AlertsIntro)) }
        @if !state.mail_on { (notice(w(W::AlertsMailOff))) }
        @if let Some(word) = message { (notice(w(word))) }
        (draft.errors.summary(lang))
        form method="post" action=(format!("/admin/procedures/{}/alerts", procedure.id)) novalidate {
            (csrf_field(&agent.session.csrf_token))
            fieldset {
                legend { (w(W::DigestReviews)) }
                (checkbox("new_reviews", w(W::AlertNewReviews), choice.new_reviews))
                (select("every", "every", w(W::AlertEvery), &every, &choice.every_minutes.to_string()))
                p class="hint" { (w(W::AlertEveryHint)) }
            }
            fieldset {
                legend { (w(W::AlertLevels)) }
                p class="hint" { (w(W::AlertLevelsHint)) }
                (Input::text("below", w(W::AlertBelow), &draft.below).kind("text", "off").render(lang, &draft.errors))
                (Input::text("above", w(W::AlertAbove), &draft.above).kind("text", "off").render(lang, &draft.errors))
            }
            fieldset {
                legend { (w(W::AlertExclusionsLegend)) }
                (checkbox("exclusions", w(W::AlertExclusions), choice.exclusions))
            }
            fieldset {
                legend { (w(W::DigestChoice)) }
                (select("digest", "digest", w(W::DigestFrequency), &digests, choice.digest.code()))
                p class="hint" { (w(W::DigestHint)) }
            }
            div class="actions" { button type="submit" { (w(W::Save)) } }
        }
    };
    Ok(agent_page_status(
        agent,
        status,
        &format!("{} — {}", w(W::Alerts), procedure.title),
        None,
        body,
    ))
}

fn level_text(lang: crate::domain::questionnaire::Lang, level: Option<f64>) -> String {
    level.map(|l| score(lang, l)).unwrap_or_default()
}

#[get("/admin/procedures/{id}/alerts")]
pub async fn show(
    agent: Agent,
    path: web::Path<String>,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (procedure, _) = visible(&state, &agent, &path).await?;
    let choice = state
        .store
        .alert_choice(agent.user.id, procedure.id)
        .await?
        .unwrap_or_default();
    let draft = Draft {
        below: level_text(agent.lang, choice.below),
        above: level_text(agent.lang, choice.above),
        choice,
        errors: Errors::default(),
    };
    let message = (done(&query) == Some("saved")).then_some(W::Saved);
    alerts_page(&state, &agent, &procedure, draft, message).await
}

#[post("/admin/procedures/{id}/alerts")]
pub async fn save(
    form: Submitted,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let agent = &form.agent;
    let (procedure, _) = visible(&state, agent, &path).await?;
    let fields = &form.fields;
    let mut errors = Errors::default();
    let below = errors.check("below", parse_level(fields.text("below")), |_| {
        W::InvalidLevel
    });
    let above = errors.check("above", parse_level(fields.text("above")), |_| {
        W::InvalidLevel
    });
    let every = fields
        .text("every")
        .parse::<i64>()
        .ok()
        .filter(|m| EVERY_CHOICES.contains(m))
        .unwrap_or(60);
    let choice = Choice {
        new_reviews: fields.ticked("new_reviews"),
        every_minutes: every,
        below: below.flatten(),
        above: above.flatten(),
        exclusions: fields.ticked("exclusions"),
        digest: Digest::parse(fields.text("digest")).unwrap_or(Digest::None),
    };
    if !errors.is_empty() {
        let draft = Draft {
            choice,
            below: fields.text("below").to_owned(),
            above: fields.text("above").to_owned(),
            errors,
        };
        return alerts_page(&state, agent, &procedure, draft, None).await;
    }
    state
        .store
        .save_alert_choice(
            agent.user.id,
            procedure.id,
            &choice,
            &base_url(&req, &state),
        )
        .await?;
    record(
        &state,
        agent,
        Some(procedure.organisation_id),
        "alerts_changed",
        Some(procedure.id.to_string()),
        describe(&choice),
    )
    .await?;
    Ok(back_to(
        &format!("/admin/procedures/{}/alerts", procedure.id),
        "saved",
    ))
}

/// A choice in a few words, for the list on the person's account page.
pub(super) fn summary(lang: crate::domain::questionnaire::Lang, choice: &Choice) -> String {
    let w = |word: W| word.text(lang);
    let mut parts = Vec::new();
    if choice.new_reviews {
        parts.push(format!(
            "{} ({})",
            w(W::DigestReviews),
            every_label(choice.every_minutes)
        ));
    }
    if let Some(level) = choice.below {
        parts.push(format!("< {}", score(lang, level)));
    }
    if let Some(level) = choice.above {
        parts.push(format!("> {}", score(lang, level)));
    }
    if choice.exclusions {
        parts.push(w(W::AlertExclusionsLegend).to_owned());
    }
    if choice.digest != Digest::None {
        parts.push(format!(
            "{}{}{}",
            w(W::DigestChoice),
            crate::views::layout::colon(lang),
            w(digest_word(choice.digest))
        ));
    }
    parts.join(" · ")
}

/// The audit log's line for a choice.
fn describe(choice: &Choice) -> String {
    let level = |l: Option<f64>| l.map_or("-".to_owned(), |l| l.to_string());
    format!(
        "new_reviews={} every={} below={} above={} exclusions={} digest={}",
        choice.new_reviews,
        choice.every_minutes,
        level(choice.below),
        level(choice.above),
        choice.exclusions,
        choice.digest.code()
    )
}
