//! Notifications sent from the service: webhooks to administrations' own systems, through the
//! database's outbox (`webhook_messages`), by a background task on every node.

pub mod webhooks;

use std::time::Duration;

use crate::store::Store;

/// How the delivery task runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Whether endpoints may resolve to loopback, private or link-local addresses.
    pub allow_private: bool,
}

/// Starts the task that delivers webhook messages: every half second it looks for due ones,
/// and while some are due it takes them up a few at a time and sends them.
pub fn spawn(store: Store, settings: Settings) {
    tokio::spawn(async move {
        let sender = match webhooks::Sender::new(store, settings) {
            Ok(sender) => sender,
            Err(err) => {
                tracing::error!(error = ?err, "webhooks cannot be sent");
                return;
            }
        };
        let mut ticks = tokio::time::interval(Duration::from_millis(500));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sender.send_due().await {
                Ok(_) => {}
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "sending webhooks failed"),
            }
        }
    });
}
