//! Settings of a running avis: flags and `AVIS_*` variables first, then the optional TOML file,
//! then defaults. Secrets in them (the database password) never reach a log line.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use url::Url;

use crate::accounts::oidc::OidcSettings;
use crate::domain::network::Networks;
use crate::limits::LimitSettings;
use crate::notify::smtp::SmtpSettings;
use crate::store::Backend;
use crate::store::reviews::Screening;

/// Where the database is. Displays with its password masked.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite:…` or a plain file path (SQLite).
    pub fn parse(raw: &str) -> anyhow::Result<DatabaseUrl> {
        let raw = raw.trim();
        let backend = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else if raw.starts_with("sqlite:") || !raw.contains("://") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL: use postgres://… or a SQLite file path");
        };
        anyhow::ensure!(!raw.is_empty(), "the database URL is empty");
        Ok(DatabaseUrl {
            raw: raw.to_owned(),
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file this URL names, if it names one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let path = self
            .raw
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// The URL handed to the driver; a SQLite file is created when missing.
    pub fn connection_string(&self) -> String {
        match self.sqlite_file() {
            Some(path) => format!("sqlite://{}?mode=rwc", path.display()),
            None => self.raw.clone(),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(&self.raw) {
            Ok(mut url) if url.password().is_some() => {
                // Setting a password only fails on URLs that cannot have one.
                let _ = url.set_password(Some("********"));
                f.write_str(url.as_str())
            }
            Ok(_) => f.write_str(&self.raw),
            Err(_) if self.backend == Backend::Sqlite => f.write_str(&self.raw),
            Err(_) => f.write_str("<unparsable database URL>"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// A secret setting: shows as `********` wherever it is formatted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The optional configuration file. Unknown keys are an error, so a typo cannot go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub edit_token_ttl: Option<String>,
    pub publication_threshold: Option<i64>,
    pub log_format: Option<LogFormat>,
    pub public_url: Option<String>,
    pub form_secret: Option<String>,
    pub trusted_proxies: Option<String>,
    pub rate_limit_exempt: Option<String>,
    pub limit_per_address: Option<u32>,
    pub limit_per_button: Option<u32>,
    pub limit_per_key: Option<u32>,
    pub duplicate_window: Option<String>,
    pub burst_per_minute: Option<i64>,
    pub text_retention_days: Option<i64>,
    pub queue_capacity: Option<usize>,
    pub contact_retention_days: Option<i64>,
    pub proof_of_work_cost: Option<u32>,
    pub webhook_allow_private: Option<bool>,
    pub jdma_compat: Option<bool>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_allowed_domains: Option<String>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("invalid configuration file {}", path.display()))
    }
}

/// Default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "avis.db";
/// Default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default lifetime of a review's edit token, in seconds.
pub const DEFAULT_EDIT_TOKEN_TTL: i64 = 3_600;

/// Default number of days free texts are kept.
pub const DEFAULT_TEXT_RETENTION_DAYS: i64 = 730;

/// Default number of days a contact email address is kept.
pub const DEFAULT_CONTACT_RETENTION_DAYS: i64 = 180;

/// PBKDF2 iterations of one attempt at a proof of work: a few milliseconds in a browser.
pub const DEFAULT_PROOF_OF_WORK_COST: u32 = 5_000;

/// Default number of answers from which an indicator is publishable.
pub const DEFAULT_PUBLICATION_THRESHOLD: i64 = 100;

/// Parses a duration given as seconds (`3600`) or with units (`1h`, `90m`, `1h 30m`).
pub fn parse_duration_seconds(raw: &str) -> anyhow::Result<i64> {
    let raw = raw.trim();
    let seconds = match raw.parse::<i64>() {
        Ok(seconds) => seconds,
        Err(_) => raw
            .parse::<jiff::SignedDuration>()
            .with_context(|| format!("invalid duration {raw:?}: use seconds or e.g. 1h, 30m"))?
            .as_secs(),
    };
    anyhow::ensure!(seconds > 0, "a duration must be positive, got {raw:?}");
    Ok(seconds)
}

/// What `avis serve` runs with, once every source is merged.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub listen: String,
    pub edit_token_ttl_seconds: i64,
    pub publication_threshold: i64,
    pub log_format: LogFormat,
    /// Signs hosted forms; never logged.
    pub form_secret: Option<Secret>,
    pub trusted_proxies: Networks,
    pub rate_limit_exempt: Networks,
    pub limits: LimitSettings,
    pub screening: Screening,
    pub text_retention_days: i64,
    pub queue_capacity: usize,
    pub contact_retention_days: i64,
    pub proof_of_work_cost: u32,
    /// Whether webhook endpoints may be private addresses.
    pub webhook_allow_private: bool,
    /// Whether the incumbent's public URLs are answered (`--jdma-compat`).
    pub jdma_compat: bool,
    /// The address citizens reach this service at, for the links it prints.
    pub public_url: Option<Url>,
    /// Where mail goes, if anywhere.
    pub smtp: Option<SmtpSettings>,
    /// Sign-in with ProConnect (OpenID Connect), if configured.
    pub oidc: Option<OidcSettings>,
}

impl Settings {
    /// Every setting by its flag's name, as the back-office shows it: secrets masked.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let masked = |secret: &Option<Secret>| {
            secret
                .as_ref()
                .map_or_else(|| "(random per process)".to_owned(), |s| format!("{s:?}"))
        };
        vec![
            ("database-url", self.database_url.to_string()),
            ("listen", self.listen.clone()),
            (
                "public-url",
                self.public_url
                    .as_ref()
                    .map_or_else(|| "(from --listen)".to_owned(), Url::to_string),
            ),
            (
                "edit-token-ttl",
                format!("{} s", self.edit_token_ttl_seconds),
            ),
            (
                "publication-threshold",
                self.publication_threshold.to_string(),
            ),
            (
                "log-format",
                format!("{:?}", self.log_format).to_lowercase(),
            ),
            ("form-secret", masked(&self.form_secret)),
            ("trusted-proxies", self.trusted_proxies.describe()),
            ("rate-limit-exempt", self.rate_limit_exempt.describe()),
            (
                "limit-per-address",
                format!("{} / min", self.limits.per_address_per_minute),
            ),
            (
                "limit-per-button",
                format!("{} / s", self.limits.per_button_per_second),
            ),
            (
                "limit-per-key",
                format!("{} / min", self.limits.per_key_per_minute),
            ),
            (
                "duplicate-window",
                format!("{} s", self.screening.duplicate_window_seconds),
            ),
            (
                "burst-per-minute",
                self.screening.burst_per_minute.to_string(),
            ),
            ("text-retention-days", self.text_retention_days.to_string()),
            (
                "contact-retention-days",
                self.contact_retention_days.to_string(),
            ),
            ("proof-of-work-cost", self.proof_of_work_cost.to_string()),
            ("queue-capacity", self.queue_capacity.to_string()),
            (
                "webhook-allow-private",
                self.webhook_allow_private.to_string(),
            ),
            ("jdma-compat", self.jdma_compat.to_string()),
            (
                "smtp-url",
                self.smtp
                    .as_ref()
                    .map_or_else(|| "(mail off)".to_owned(), |s| s.url.to_string()),
            ),
            (
                "smtp-from",
                self.smtp
                    .as_ref()
                    .map(|s| s.from.to_string())
                    .unwrap_or_default(),
            ),
            (
                "oidc-issuer",
                self.oidc
                    .as_ref()
                    .map_or_else(|| "(ProConnect off)".to_owned(), |o| o.issuer.clone()),
            ),
            (
                "oidc-client-id",
                self.oidc
                    .as_ref()
                    .map(|o| o.client_id.clone())
                    .unwrap_or_default(),
            ),
            (
                "oidc-client-secret",
                self.oidc
                    .as_ref()
                    .map(|o| format!("{:?}", o.client_secret))
                    .unwrap_or_default(),
            ),
            (
                "oidc-allowed-domains",
                self.oidc
                    .as_ref()
                    .map(|o| o.allowed_domains.join(","))
                    .unwrap_or_default(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_shown_in_the_back_office_mask_every_secret() {
        let settings = Settings {
            database_url: DatabaseUrl::parse("postgres://avis:s3cr3t@db/avis").unwrap(),
            listen: "127.0.0.1:8080".into(),
            edit_token_ttl_seconds: 3_600,
            publication_threshold: 100,
            log_format: LogFormat::default(),
            form_secret: Some(Secret("phrase secrète".into())),
            trusted_proxies: Networks::default(),
            rate_limit_exempt: Networks::default(),
            limits: LimitSettings::default(),
            screening: Screening::default(),
            text_retention_days: 730,
            queue_capacity: 4_096,
            contact_retention_days: 180,
            proof_of_work_cost: 5_000,
            webhook_allow_private: false,
            jdma_compat: false,
            public_url: None,
            smtp: SmtpSettings::parse(
                Some("smtps://relay-user:relay-pass@relay.example.fr"),
                Some("avis@example.fr"),
            )
            .unwrap(),
            oidc: Some(OidcSettings {
                issuer: "https://proconnect.example".into(),
                client_id: "avis".into(),
                client_secret: Secret("client secret value".into()),
                allowed_domains: vec!["interieur.gouv.fr".into()],
            }),
        };
        let shown = format!("{:?}", settings.shown());
        assert!(
            !shown.contains("s3cr3t")
                && !shown.contains("phrase")
                && !shown.contains("relay-user")
                && !shown.contains("relay-pass"),
            "{shown}"
        );
        assert!(
            shown.contains("db/avis")
                && shown.contains("relay.example.fr")
                && shown.contains("********"),
            "{shown}"
        );
    }

    #[test]
    fn passwords_are_masked_when_displayed() {
        let url = DatabaseUrl::parse("postgres://avis:s3cr3t@db.internal:5432/avis").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("db.internal"), "{shown}");
        }
        assert!(url.connection_string().contains("s3cr3t"));
    }

    #[test]
    fn plain_paths_and_sqlite_urls_are_sqlite_files_created_on_demand() {
        for (raw, file) in [
            ("avis.db", "avis.db"),
            ("sqlite://data/avis.db", "data/avis.db"),
            (
                "sqlite:///var/lib/avis/avis.db?mode=rwc",
                "/var/lib/avis/avis.db",
            ),
        ] {
            let url = DatabaseUrl::parse(raw).unwrap();
            assert_eq!(url.backend(), Backend::Sqlite);
            assert_eq!(url.sqlite_file(), Some(PathBuf::from(file)));
            assert_eq!(url.connection_string(), format!("sqlite://{file}?mode=rwc"));
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(DatabaseUrl::parse("mysql://localhost/avis").is_err());
    }

    #[test]
    fn durations_accept_seconds_and_units() {
        assert_eq!(parse_duration_seconds("3600").unwrap(), 3600);
        assert_eq!(parse_duration_seconds("1h").unwrap(), 3600);
        assert_eq!(parse_duration_seconds("1h 30m").unwrap(), 5400);
        assert!(parse_duration_seconds("0").is_err());
        assert!(parse_duration_seconds("soon").is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        assert!(toml::from_str::<FileConfig>("listen = \"0.0.0.0:80\"").is_ok());
        assert!(toml::from_str::<FileConfig>("lisen = \"0.0.0.0:80\"").is_err());
    }
}
