//! Sending the mail outbox through the SMTP relay: messages due are taken up under a lease,
//! sent one by one with their outbox id as Message-ID, and marked sent, rescheduled (the relay
//! is down or answers "try later") or failed (the relay refuses the message itself).

use std::time::Duration;

use jiff::Timestamp;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::smtp::SmtpSettings;
use crate::domain::mail::{GIVE_UP_AFTER_MS, retry_after_ms};
use crate::domain::time::to_millis;
use crate::store::mail::{Claimed, Outcome};
use crate::store::{Store, StoreError};

/// How many messages a node takes up at once.
const CLAIM: i64 = 16;
/// How long a node holds the messages it took up: past it, another node may send them. Longer
/// than a batch can take at the transport's timeouts.
const LEASE: Duration = Duration::from_secs(600);
/// How much of a relay's error is kept with the message.
const KEPT_ERROR_CHARS: usize = 300;

pub struct Postman {
    store: Store,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl Postman {
    pub fn new(store: Store, settings: &SmtpSettings) -> anyhow::Result<Postman> {
        Ok(Postman {
            store,
            transport: settings.transport()?,
            from: settings.from.clone(),
            domain: settings.domain().to_owned(),
        })
    }

    /// Sends every message due now, a batch at a time. Returns how many were sent.
    pub async fn send_due(&self) -> Result<usize, StoreError> {
        let mut sent = 0;
        while self.store.mail_due(Timestamp::now()).await? {
            let now = Timestamp::now();
            let until = now
                .checked_add(LEASE)
                .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e.to_string())))?;
            let claimed = self.store.claim_mail(now, until, CLAIM).await?;
            if claimed.is_empty() {
                break;
            }
            // One at a time: a relay limits connections, and mail is not in a hurry.
            for message in claimed {
                let outcome = self.send(&message).await;
                if outcome == Outcome::Sent {
                    sent += 1;
                }
                self.store.record_mail_attempt(message.id, &outcome).await?;
            }
        }
        Ok(sent)
    }

    /// One attempt at one message.
    async fn send(&self, message: &Claimed) -> Outcome {
        let email = match self.message(message) {
            Ok(email) => email,
            Err(err) => return Outcome::Failed(format!("the message cannot be built: {err}")),
        };
        match self.transport.send(email).await {
            Ok(_) => {
                tracing::info!(message = %message.id, "mail sent");
                Outcome::Sent
            }
            Err(err) if err.is_permanent() => {
                tracing::warn!(message = %message.id, error = %err, "the relay refused a message");
                Outcome::Failed(kept(&err))
            }
            Err(err) => {
                let attempts = message.attempts + 1;
                let now = Timestamp::now();
                if to_millis(now) - message.created_at_ms > GIVE_UP_AFTER_MS {
                    tracing::warn!(message = %message.id, error = %err, "a message could not be sent for days: given up");
                    return Outcome::Failed(kept(&err));
                }
                tracing::warn!(message = %message.id, attempts, error = %err, "mail not sent, tried again later");
                let next = now
                    .checked_add(Duration::from_millis(retry_after_ms(attempts) as u64))
                    .unwrap_or(now);
                Outcome::RetryAt(next, kept(&err))
            }
        }
    }

    /// The message as the relay gets it. Its Message-ID is its outbox id, so a message sent
    /// again (its node stopped before recording it sent) is recognisably the same one.
    fn message(&self, message: &Claimed) -> anyhow::Result<Message> {
        let mail = &message.mail;
        let mut builder = Message::builder();
        if let Some(link) = &mail.unsubscribe {
            // RFC 2369 and RFC 8058: mail programs offer a one-click way out, a POST to the link.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{link}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        Ok(builder
            .from(self.from.clone())
            .to(mail.to.as_str().parse()?)
            .subject(&mail.subject)
            .message_id(Some(format!("<{}@{}>", message.id.simple(), self.domain)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))?)
    }
}

/// What went wrong, short. lettre's errors name the relay's answer, never the credentials.
fn kept(err: &lettre::transport::smtp::Error) -> String {
    err.to_string().chars().take(KEPT_ERROR_CHARS).collect()
}
