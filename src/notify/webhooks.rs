//! Sending webhook messages in batches: their bodies, their Standard Webhooks headers and
//! signatures, and what each answer makes of them. Where they go is checked by
//! [`super::endpoints`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream;
use jiff::Timestamp;
use serde_json::json;
use uuid::Uuid;

use super::Settings;
use super::endpoints::{Clients, LOOKUP_TIMEOUT};
use super::letters;
use crate::domain::people::{Email, Role};
use crate::domain::questionnaire::Lang;
use crate::domain::webhooks::{retry_after_ms, signature};
use crate::store::reviews::StoredReview;
use crate::store::webhook_outbox::{Attempt, Claimed, Outcome, Settled};
use crate::store::webhooks::Webhook;
use crate::store::{Store, StoreError};

/// How many endpoints' messages a node takes up at once, and sends side by side.
const ENDPOINTS: i64 = 8;
/// How many of an endpoint's messages a node takes up at once, and sends one after the other.
const EACH: i64 = 64;
/// How long a node holds the messages it took up: past it, another node (or this one, started
/// again after a crash) may send them. Twice the time an endpoint has to answer.
const LEASE: Duration = Duration::from_secs(30);
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of an endpoint's error answer is kept with the attempt.
const KEPT_ERROR_CHARS: usize = 200;

pub struct Sender {
    store: Store,
    settings: Settings,
    clients: Clients,
    /// With mail on, the address of the back-office for the message that tells an endpoint's
    /// admins it was disabled (empty: links relative to it).
    tell: Option<String>,
}

impl Sender {
    pub fn new(store: Store, settings: Settings, tell: Option<String>) -> anyhow::Result<Sender> {
        crate::accounts::oidc::install_tls_provider();
        Ok(Sender {
            store,
            settings,
            clients: Clients::new(TIMEOUT),
            tell,
        })
    }

    /// Disables an endpoint and, with mail on, tells its organisation's admins why.
    async fn disable(&self, webhook: &Webhook, reason: &str) -> Result<(), StoreError> {
        let mut letters = Vec::new();
        if let Some(base) = &self.tell {
            let organisation = self
                .store
                .find_organisation(webhook.organisation_id)
                .await?;
            let name = organisation.map(|o| o.name).unwrap_or_default();
            let page = format!(
                "{}/admin/organisations/{}/webhooks/{}",
                base.trim_end_matches('/'),
                webhook.organisation_id,
                webhook.id
            );
            for (user, role) in self.store.members(webhook.organisation_id).await? {
                let Ok(to) = Email::parse(&user.email) else {
                    continue;
                };
                if role == Role::Admin && user.disabled_at.is_none() {
                    let lang = Lang::parse(&user.lang).unwrap_or(Lang::Fr);
                    letters.push(letters::webhook_disabled(
                        lang,
                        &to,
                        (&webhook.url, reason),
                        &name,
                        &page,
                    ));
                }
            }
        }
        self.store
            .disable_webhook(webhook.id, reason, &letters)
            .await
    }

    /// Sends every message due now, a batch at a time. Returns how many were tried.
    ///
    /// A batch takes up to [`EACH`] messages of each of up to [`ENDPOINTS`] endpoints at once,
    /// and keeps the bodies of those that had none: the endpoints side by side, each one's
    /// messages in order; what became of them is written in one transaction. A busy endpoint's
    /// messages thus cost a few statements a batch, not several each.
    pub async fn send_due(&self) -> Result<usize, StoreError> {
        let mut tried = 0;
        while self.store.messages_due(Timestamp::now()).await? {
            // One more request, its host's lookup included, must end well within the lease, for
            // every endpoint of the batch.
            let last_start = Instant::now() + LEASE / 4 * 3 - TIMEOUT - LOOKUP_TIMEOUT;
            let now = Timestamp::now();
            let until = now
                .checked_add(LEASE)
                .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e.to_string())))?;
            let claimed = self
                .store
                .claim_messages(now, until, ENDPOINTS, EACH)
                .await?;
            if claimed.is_empty() {
                break;
            }
            let mut by_endpoint: Vec<(Uuid, Vec<(Claimed, String)>)> = Vec::new();
            for (message, body) in self.with_bodies(claimed).await? {
                match by_endpoint
                    .iter_mut()
                    .find(|(id, _)| *id == message.webhook_id)
                {
                    Some((_, messages)) => messages.push((message, body)),
                    None => by_endpoint.push((message.webhook_id, vec![(message, body)])),
                }
            }
            let results: Vec<Result<Vec<Settled>, StoreError>> = stream::iter(by_endpoint)
                .map(|(webhook_id, messages)| self.send_endpoint(webhook_id, messages, last_start))
                .buffer_unordered(ENDPOINTS as usize)
                .collect()
                .await;
            // An endpoint that could not be read keeps its messages until the lease ends; the
            // others' outcomes are written all the same.
            let mut settled = Vec::new();
            let mut failed = None;
            for result in results {
                match result {
                    Ok(outcomes) => settled.extend(outcomes),
                    Err(err) => failed = failed.or(Some(err)),
                }
            }
            tried += settled
                .iter()
                .filter(|s| matches!(s, Settled::Tried { .. }))
                .count();
            self.store.settle_messages(&settled, until).await?;
            if let Some(err) = failed {
                return Err(err);
            }
        }
        Ok(tried)
    }

    /// Each message with the body it is sent with: the one kept, or for a message sent for the
    /// first time one written from its review (all read at once) and kept before it is sent,
    /// so that every attempt sends the same.
    async fn with_bodies(
        &self,
        claimed: Vec<Claimed>,
    ) -> Result<Vec<(Claimed, String)>, StoreError> {
        let wanted: Vec<Uuid> = claimed
            .iter()
            .filter(|m| m.payload.is_none())
            .map(|m| m.review_id)
            .collect();
        let reviews: HashMap<Uuid, StoredReview> = self
            .store
            .find_reviews(&wanted)
            .await?
            .into_iter()
            .map(|review| (review.id, review))
            .collect();
        let mut new = Vec::new();
        let mut batch = Vec::with_capacity(claimed.len());
        for mut message in claimed {
            let body = match message.payload.take() {
                Some(kept) => kept,
                None => {
                    let written = body(&message, reviews.get(&message.review_id));
                    new.push((message.id, written.clone()));
                    written
                }
            };
            batch.push((message, body));
        }
        self.store.save_payloads(&new).await?;
        Ok(batch)
    }

    /// One endpoint's messages, in order: each tried once, until one fails (the rest are given
    /// back, to be tried at the next look, after the failed one's retry lets them through) or
    /// it is too late in the lease to start another request.
    async fn send_endpoint(
        &self,
        webhook_id: Uuid,
        messages: Vec<(Claimed, String)>,
        last_start: Instant,
    ) -> Result<Vec<Settled>, StoreError> {
        let Some(webhook) = self.store.find_webhook(webhook_id).await? else {
            // Deleted meanwhile, and its messages with it.
            return Ok(Vec::new());
        };
        let secret = self.store.webhook_secret(webhook_id).await?;
        let mut settled = Vec::with_capacity(messages.len());
        let mut stopped = false;
        for (message, body) in messages {
            if stopped || Instant::now() > last_start {
                settled.push(Settled::Released(message.id));
                continue;
            }
            let (attempt, outcome) = self
                .send(&webhook, secret.as_deref(), &message, &body)
                .await?;
            stopped = outcome != Outcome::Delivered && webhook.enabled;
            settled.push(Settled::Tried {
                message_id: message.id,
                attempt,
                outcome,
            });
        }
        Ok(settled)
    }

    /// One attempt at one message, and what it makes of it.
    async fn send(
        &self,
        webhook: &Webhook,
        secret: Option<&str>,
        message: &Claimed,
        body: &str,
    ) -> Result<(Attempt, Outcome), StoreError> {
        let started = Instant::now();
        let at = Timestamp::now();
        let answer = if webhook.enabled {
            self.attempt(message, &webhook.url, secret, body).await
        } else {
            Err(format!(
                "the endpoint is disabled: {}",
                webhook.disabled_reason.as_deref().unwrap_or("")
            ))
        };
        let attempts = message.attempts + 1;
        let (status, error, outcome) = match answer {
            Ok(status) if (200..300).contains(&status) => (Some(status), None, Outcome::Delivered),
            Ok(410) => {
                self.disable(webhook, "the endpoint answered 410 Gone")
                    .await?;
                (Some(410), None, Outcome::Failed)
            }
            Ok(status) => (Some(status), None, retry(at, attempts)),
            Err(error) if !webhook.enabled => (None, Some(error), Outcome::Failed),
            Err(error) => (None, Some(error), retry(at, attempts)),
        };
        if outcome == Outcome::Failed && webhook.enabled && status != Some(410) {
            tracing::warn!(webhook = %webhook.id, "a message failed every attempt for a day: endpoint disabled");
            self.disable(webhook, "a message failed every attempt for a day and more")
                .await?;
        }
        let attempt = Attempt {
            at,
            status: status.map(i64::from),
            error,
            duration_ms: started.elapsed().as_millis() as i64,
        };
        Ok((attempt, outcome))
    }

    /// Posts a message; its status, or what kept it from being answered.
    async fn attempt(
        &self,
        message: &Claimed,
        url: &str,
        secret: Option<&str>,
        body: &str,
    ) -> Result<u16, String> {
        let Some(secret) = secret else {
            return Err("the endpoint was deleted".to_owned());
        };
        let id = format!("msg_{}", message.id.simple());
        let timestamp = Timestamp::now().as_second();
        let Some(signed) = signature(secret, &id, timestamp, body) else {
            return Err("the endpoint's secret is not usable".to_owned());
        };
        let client = self
            .clients
            .checked(url, self.settings.allow_private)
            .await
            .map_err(|refused| format!("address refused: {refused}"))?;
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", concat!("avis/", env!("CARGO_PKG_VERSION")))
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(body.to_owned())
            .send()
            .await;
        match sent {
            Ok(response) => Ok(response.status().as_u16()),
            Err(err) => Err(describe(err)),
        }
    }
}

/// The body of a message: its type, when it happened, and the review as the administration
/// API shows it (texts as redacted, no edit token, fingerprint nor contact address).
fn body(message: &Claimed, review: Option<&StoredReview>) -> String {
    let data = match review {
        Some(review) => serde_json::to_value(review).unwrap_or_default(),
        None => json!({ "id": message.review_id }),
    };
    json!({
        "type": message.event.code(),
        "timestamp": message.occurred_at.to_string(),
        "data": data,
    })
    .to_string()
}

/// When a failed message is tried again, or that it has failed for good.
fn retry(at: Timestamp, attempts: i64) -> Outcome {
    match retry_after_ms(attempts)
        .and_then(|ms| at.checked_add(Duration::from_millis(ms as u64)).ok())
    {
        Some(next) => Outcome::RetryAt(next),
        None => Outcome::Failed,
    }
}

/// What kept a request from being answered, without the URL (it may hold a token).
fn describe(err: reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "no answer in time"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let detail = err.without_url().to_string();
    format!(
        "{what}: {}",
        detail.chars().take(KEPT_ERROR_CHARS).collect::<String>()
    )
}
