//! Notifications sent from the service, each through an outbox in the database and a background
//! task on every node: webhooks to administrations' own systems (`webhook_messages`), and mail
//! to people through an SMTP relay (`mail_messages`).

pub mod alert_letters;
pub mod alerts;
pub mod endpoints;
pub mod letters;
pub mod levels;
pub mod mail;
pub mod smtp;
pub mod webhooks;

use std::time::Duration;

use crate::store::Store;

/// How the delivery task runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Whether endpoints may resolve to loopback, private or link-local addresses.
    pub allow_private: bool,
}

/// Days a delivered or failed message is kept, with its attempts, for the deliveries' list.
const KEPT_DAYS: i64 = 30;
/// Old messages are deleted at start and then every hour (7,200 ticks of half a second).
const FORGET_EVERY_TICKS: u64 = 7_200;

/// Starts the task that delivers webhook messages: every half second it looks for due ones,
/// and while some are due it takes them up a few at a time and sends them.
/// With mail on, `tell` is the back-office's address for the message that tells an endpoint's
/// admins it was disabled.
pub fn spawn(store: Store, settings: Settings, tell: Option<String>) {
    tokio::spawn(async move {
        let sender = match webhooks::Sender::new(store.clone(), settings, tell) {
            Ok(sender) => sender,
            Err(err) => {
                tracing::error!(error = ?err, "webhooks cannot be sent");
                return;
            }
        };
        let mut ticks = tokio::time::interval(Duration::from_millis(500));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for n in 0u64.. {
            ticks.tick().await;
            if n % FORGET_EVERY_TICKS == 0 {
                let before =
                    jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * KEPT_DAYS);
                match store.forget_messages(before).await {
                    Ok(0) => {}
                    Ok(forgotten) => tracing::info!(forgotten, "old webhook messages deleted"),
                    Err(err) => {
                        tracing::warn!(error = ?err, "deleting old webhook messages failed")
                    }
                }
            }
            match sender.send_due().await {
                Ok(_) => {}
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "sending webhooks failed"),
            }
        }
    });
}

/// Starts the task that sends mail: every second it looks for due messages and sends them.
pub fn spawn_mail(store: Store, settings: smtp::SmtpSettings) {
    tokio::spawn(async move {
        let postman = match mail::Postman::new(store, &settings) {
            Ok(postman) => postman,
            Err(err) => {
                tracing::error!(error = ?err, "mail cannot be sent");
                return;
            }
        };
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match postman.send_due().await {
                Ok(_) => {}
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "sending mail failed"),
            }
        }
    });
}

/// Starts the task that queues alerts and digests: every `interval` it looks at every
/// subscription. Indicators are computed with the instance's publication `threshold`.
pub fn spawn_alerts(store: Store, interval: Duration, threshold: i64) {
    every(
        interval,
        "alerts and digests queued",
        "looking for alerts failed",
        move || {
            let store = store.clone();
            async move { alerts::look(&store, jiff::Timestamp::now(), threshold).await }
        },
    );
}

/// Starts the task that writes `indicator.threshold_crossed` messages: every `interval` it
/// looks at the indicators of the procedures some endpoint listens to.
pub fn spawn_levels(store: Store, interval: Duration, threshold: i64) {
    every(
        interval,
        "indicators crossed a level",
        "looking at indicators' levels failed",
        move || {
            let store = store.clone();
            async move { levels::look(&store, jiff::Timestamp::now(), threshold).await }
        },
    );
}

/// Runs `step` every `interval` until the database is closed, saying in the log how many
/// things it did (when it did any) or why it failed.
fn every<F, Fut>(interval: Duration, done: &'static str, failed: &'static str, mut step: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<usize, crate::store::StoreError>> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match step().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "{done}"),
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "{failed}"),
            }
        }
    });
}
