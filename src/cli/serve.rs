//! `avis serve`: settings merged from flags, variables and the file, then the running service.

use anyhow::Context;
use url::Url;

use super::{ServeArgs, open_store};
use std::sync::Arc;

use crate::accounts::BackOffice;
use crate::accounts::oidc::{Oidc, OidcSettings};
use crate::config::{self, DatabaseUrl, FileConfig, Settings};
use crate::domain::network::Networks;
use crate::domain::people::Grant;
use crate::domain::secret::SigningKey;
use crate::limits::LimitSettings;
use crate::notify::smtp::SmtpSettings;
use crate::startup::{self, Application, Options};
use crate::store::Store;
use crate::store::reviews::Screening;
use crate::{demo, telemetry};

fn networks(list: Option<String>, what: &str) -> anyhow::Result<Networks> {
    Networks::parse(list.as_deref().unwrap_or_default())
        .map_err(|e| anyhow::anyhow!("invalid {what}: {e}"))
}

pub(super) fn settings(
    args: ServeArgs,
    database_url: DatabaseUrl,
    smtp: Option<SmtpSettings>,
    file: FileConfig,
) -> anyhow::Result<Settings> {
    let defaults = LimitSettings::default();
    let ttl = args.edit_token_ttl.or(file.edit_token_ttl);
    let public_url = args.public_url.or(file.public_url);
    Ok(Settings {
        database_url,
        smtp,
        listen: args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| config::DEFAULT_LISTEN.to_owned()),
        edit_token_ttl_seconds: match ttl {
            Some(raw) => {
                config::parse_duration_seconds(&raw).context("invalid edit token lifetime")?
            }
            None => config::DEFAULT_EDIT_TOKEN_TTL,
        },
        publication_threshold: args
            .publication_threshold
            .or(file.publication_threshold)
            .unwrap_or(config::DEFAULT_PUBLICATION_THRESHOLD)
            .max(1),
        log_format: args.log_format.or(file.log_format).unwrap_or_default(),
        form_secret: args.form_secret.or(file.form_secret).map(config::Secret),
        trusted_proxies: networks(
            args.trusted_proxies.or(file.trusted_proxies),
            "trusted proxies",
        )?,
        rate_limit_exempt: networks(
            args.rate_limit_exempt.or(file.rate_limit_exempt),
            "exempt networks",
        )?,
        screening: Screening {
            duplicate_window_seconds: match args.duplicate_window.or(file.duplicate_window) {
                Some(raw) => {
                    config::parse_duration_seconds(&raw).context("invalid duplicate window")?
                }
                None => Screening::default().duplicate_window_seconds,
            },
            burst_per_minute: args
                .burst_per_minute
                .or(file.burst_per_minute)
                .unwrap_or(Screening::default().burst_per_minute)
                .max(1),
        },
        contact_retention_days: args
            .contact_retention_days
            .or(file.contact_retention_days)
            .unwrap_or(config::DEFAULT_CONTACT_RETENTION_DAYS)
            .max(1),
        proof_of_work_cost: args
            .proof_of_work_cost
            .or(file.proof_of_work_cost)
            .unwrap_or(config::DEFAULT_PROOF_OF_WORK_COST)
            .max(1),
        webhook_allow_private: args
            .webhook_allow_private
            .or(file.webhook_allow_private)
            .unwrap_or(false),
        jdma_compat: args.jdma_compat.or(file.jdma_compat).unwrap_or(false),
        queue_capacity: args
            .queue_capacity
            .or(file.queue_capacity)
            .unwrap_or(4_096)
            .max(1),
        text_retention_days: args
            .text_retention_days
            .or(file.text_retention_days)
            .unwrap_or(config::DEFAULT_TEXT_RETENTION_DAYS)
            .max(1),
        limits: LimitSettings {
            per_address_per_minute: args
                .limit_per_address
                .or(file.limit_per_address)
                .unwrap_or(defaults.per_address_per_minute),
            per_button_per_second: args
                .limit_per_button
                .or(file.limit_per_button)
                .unwrap_or(defaults.per_button_per_second),
            per_key_per_minute: args
                .limit_per_key
                .or(file.limit_per_key)
                .unwrap_or(defaults.per_key_per_minute),
        },
        public_url: public_url
            .map(|raw| Url::parse(&raw).with_context(|| format!("invalid public URL {raw:?}")))
            .transpose()?,
        oidc: oidc_settings(
            args.oidc_issuer.or(file.oidc_issuer),
            args.oidc_client_id.or(file.oidc_client_id),
            args.oidc_client_secret.or(file.oidc_client_secret),
            args.oidc_allowed_domains.or(file.oidc_allowed_domains),
        )?,
    })
}

/// ProConnect's settings: all three of issuer, client id and secret, or none.
fn oidc_settings(
    issuer: Option<String>,
    client_id: Option<String>,
    secret: Option<String>,
    domains: Option<String>,
) -> anyhow::Result<Option<OidcSettings>> {
    match (issuer, client_id, secret) {
        (None, None, None) => Ok(None),
        (Some(issuer), Some(client_id), Some(secret)) => Ok(Some(OidcSettings {
            issuer,
            client_id,
            client_secret: config::Secret(secret),
            allowed_domains: domains
                .unwrap_or_default()
                .split(',')
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        })),
        _ => anyhow::bail!(
            "ProConnect needs --oidc-issuer, --oidc-client-id and --oidc-client-secret together"
        ),
    }
}

pub(super) async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    telemetry::init(settings.log_format);
    let store = open_store(&settings.database_url).await?;
    claim_sqlite_file(&settings.database_url)?;
    let listener = startup::bind(&settings.listen)?;
    let port = listener.local_addr()?.port();
    let base_url = match &settings.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => local_base_url(&settings.listen, port),
    };
    let demo_button = match demo {
        true => Some(demo::ensure(&store, &base_url).await?),
        false => None,
    };
    let signing_key = match &settings.form_secret {
        Some(phrase) => SigningKey::from_phrase(&phrase.0),
        None => {
            tracing::warn!(
                "no form secret set: hosted forms open before a restart will have to be reloaded"
            );
            SigningKey::random()
        }
    };
    let options = Options {
        edit_token_ttl_seconds: settings.edit_token_ttl_seconds,
        publication_threshold: settings.publication_threshold,
        signing_key,
        public_url: settings.public_url.as_ref().map(|_| base_url.clone()),
        demo_button: demo_button.as_ref().map(|b| b.id),
        limits: settings.limits,
        exempt_networks: settings.rate_limit_exempt.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
        screening: settings.screening,
        queue_capacity: settings.queue_capacity,
        contact_retention_days: settings.contact_retention_days,
        proof_of_work_cost: settings.proof_of_work_cost,
        backoffice: BackOffice {
            secure_cookies: base_url.starts_with("https://"),
            oidc: settings
                .oidc
                .clone()
                .map(|oidc| Oidc::new(oidc, &base_url).map(Arc::new))
                .transpose()?,
            ..BackOffice::default()
        },
        instance_settings: settings.shown(),
        exports: Default::default(),
        webhooks: crate::notify::Settings {
            allow_private: settings.webhook_allow_private,
        },
        mail: settings.smtp.clone(),
        jdma_compat: settings.jdma_compat,
        ..Options::default()
    };
    let first_account = first_account_link(&store, &base_url).await?;
    let app = Application::on(listener, store.clone(), options)?;
    spawn_daily_purge(store.clone(), settings.text_retention_days);
    spawn_checkpoints(store.clone());
    spawn_day_closing(store.clone());
    spawn_metrics_upkeep();
    spawn_export_upkeep(store.clone());
    tracing::info!(
        database = %settings.database_url,
        listen = %settings.listen,
        port,
        edit_token_ttl_seconds = settings.edit_token_ttl_seconds,
        "avis is serving"
    );
    if let Some(button) = &demo_button {
        println!("{}", demo::instructions(&base_url, button));
    }
    println!("Back-office: {base_url}/admin/");
    if let Some(link) = first_account {
        println!("Nobody has an account yet. Create the first one (a superadmin) at:\n  {link}");
    }
    let served = app.run_until_stopped().await;
    store.close().await;
    tracing::info!("avis stopped");
    served.context("the HTTP server failed")
}

/// On an instance with no account yet, a new link that creates the first one, a superadmin
/// (the links printed at earlier starts stop working). Nothing once someone has an account.
async fn first_account_link(store: &Store, base_url: &str) -> anyhow::Result<Option<String>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    store.revoke_setup_invitations().await?;
    let (_, token) = store
        .create_invitation(
            None,
            Grant::Superadmin,
            None,
            BackOffice::default().invitation_ttl_seconds,
            None,
        )
        .await?;
    Ok(Some(format!("{base_url}/admin/invitations/{token}")))
}

/// `http://host:port` for a listening address, with a wildcard host shown as localhost.
fn local_base_url(listen: &str, port: u16) -> String {
    let host = listen.rsplit_once(':').map_or(listen, |(host, _)| host);
    let host = match host {
        "" | "0.0.0.0" | "[::]" => "localhost",
        other => other,
    };
    format!("http://{host}:{port}")
}

/// Every 50 ms, what the review writer added to SQLite's log is copied into the database from
/// another connection, beside the writer; every thirty seconds, the log is emptied. The writer's
/// own copy, when its log reaches its threshold, is then left with the last few milliseconds of
/// pages instead of all of them, so its batches wait less (see [`crate::store`]).
fn spawn_checkpoints(store: Store) {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(50);
    const EMPTY_EVERY: u64 = 600;
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for n in 1u64.. {
            ticks.tick().await;
            match store.checkpoint(n % EMPTY_EVERY == 0).await {
                Ok(()) => {}
                // The server is stopping and has closed the database: the last copy is its own.
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "checkpoint failed"),
            }
        }
    });
}

/// At start and then every five minutes, closes the days before today (Europe/Paris): their
/// running totals are written once, and writes for today leave them alone (see
/// [`crate::store::running`]). Several nodes may try at once: one closes, the others find it done.
/// Reviews wait for one group of buttons at a time, never for the whole closing.
fn spawn_day_closing(store: Store) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            ticks.tick().await;
            let today = crate::domain::time::paris_day(jiff::Timestamp::now());
            let Ok(yesterday) = today.yesterday() else {
                continue;
            };
            let started = std::time::Instant::now();
            match store.close_days(yesterday).await {
                Ok(Some(closed)) => tracing::info!(
                    from = %closed.from,
                    through = %yesterday,
                    ms = started.elapsed().as_millis() as u64,
                    groups = closed.groups,
                    longest_group_ms = closed.longest_group.as_millis() as u64,
                    "days closed"
                ),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = ?err, "closing days failed"),
            }
        }
    });
}

/// On a SQLite file, makes sure that no other `avis serve` uses it: its review writer must be
/// the only one, for it looks duplicates up in its own memory. The claim is a lock of the file's
/// own (`flock`, apart from SQLite's locks), released when the process ends, however it ends.
/// The handle stays open until then: closing any handle on the file would drop SQLite's locks.
fn claim_sqlite_file(url: &DatabaseUrl) -> anyhow::Result<()> {
    let Some(file) = url.sqlite_file() else {
        return Ok(());
    };
    let handle = std::fs::File::open(&file)
        .with_context(|| format!("cannot open the SQLite database {}", file.display()))?;
    match handle.try_lock() {
        Ok(()) => {
            std::mem::forget(handle);
            Ok(())
        }
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another avis serve is already using {}: a SQLite database has one node",
            file.display()
        ),
        Err(std::fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("cannot lock the SQLite database {}", file.display()))
        }
    }
}

/// Every five seconds, folds the latency samples recorded since into the metrics' histograms.
/// Without it they pile up until `/metrics` is read: a server nobody scrapes grew by about 27
/// bytes per request (a 10-minute soak: +26 MB).
fn spawn_metrics_upkeep() {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            ticks.tick().await;
            crate::routes::metrics::recorder().run_upkeep();
        }
    });
}

/// Every ten minutes, deletes the exports whose time is over, files and all, and marks failed
/// those whose node stopped building them (this node's, after a crash, or another's).
fn spawn_export_upkeep(store: Store) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            ticks.tick().await;
            match store.purge_exports(jiff::Timestamp::now()).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "expired exports deleted"),
                Err(crate::store::StoreError::Database(sqlx::Error::PoolClosed)) => break,
                Err(err) => tracing::warn!(error = ?err, "purging exports failed"),
            }
        }
    });
}

/// Purges texts, fingerprints, old failed sign-ins and ended sessions at start and then every hour (a purge finds nothing to do most
/// of the time, and an hour bounds how long a fingerprint outlives its day).
fn spawn_daily_purge(store: Store, retention_days: i64) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            ticks.tick().await;
            match store.purge(jiff::Timestamp::now(), retention_days).await {
                Ok(purged) => tracing::info!(
                    texts = purged.texts,
                    fingerprints = purged.fingerprints,
                    contacts = purged.contacts,
                    "retention purge"
                ),
                Err(err) => tracing::warn!(error = ?err, "retention purge failed"),
            }
            // Failed sign-ins count over minutes; ended sessions are of no use after a day.
            let day_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
            if let Err(err) = store.purge_sign_ins(day_ago).await {
                tracing::warn!(error = ?err, "purging old sign-ins failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proconnect_takes_its_issuer_id_and_secret_together_and_tidies_its_domains() {
        let some = |s: &str| Some(s.to_owned());
        assert!(
            oidc_settings(None, None, None, some("gouv.fr"))
                .unwrap()
                .is_none()
        );
        for partial in [
            (some("https://idp"), None, None),
            (some("https://idp"), some("avis"), None),
            (None, some("avis"), some("secret")),
        ] {
            assert!(oidc_settings(partial.0, partial.1, partial.2, None).is_err());
        }
        let settings = oidc_settings(
            some("https://idp"),
            some("avis"),
            some("secret"),
            some(" Interieur.gouv.fr, @finances.gouv.fr ,,"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            settings.allowed_domains,
            ["interieur.gouv.fr", "finances.gouv.fr"]
        );
        assert_eq!(format!("{:?}", settings.client_secret), "********");
    }
}
