//! The operator's command line: `avis serve`, `avis migrate` and the management commands.
//!
//! Every `create` prints the new object's id (for keys, the secret) alone on standard output so
//! scripts can capture it; listings print tab-separated columns under a header.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use uuid::Uuid;

mod import;
mod maintenance;
mod manage;
mod serve;
mod users;

use crate::config::{self, DatabaseUrl, FileConfig, LogFormat};
use crate::notify::smtp::SmtpSettings;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "avis",
    version,
    about = "« Je donne mon avis »: satisfaction reviews for online public services"
)]
pub struct Cli {
    /// Database: a SQLite file path (default avis.db), sqlite:… or postgres://… URL.
    #[arg(long, env = "AVIS_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// SMTP relay for mail: smtp://host:port, smtp://host:port?tls=starttls or smtps://host:port,
    /// with user and password in the URL if it needs them. Mail is off without it.
    #[arg(long, env = "AVIS_SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of mail, e.g. "Je donne mon avis <avis@example.fr>"; needed with --smtp-url.
    #[arg(long, env = "AVIS_SMTP_FROM", global = true)]
    smtp_from: Option<String>,
    /// Optional TOML configuration file; flags and AVIS_* variables take precedence over it.
    #[arg(long, env = "AVIS_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (migrating the database first).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organisations.
    #[command(subcommand)]
    Organisations(OrganisationCommand),
    /// Manage procedures (démarches).
    #[command(subcommand)]
    Procedures(ProcedureCommand),
    /// Manage buttons, the places where a procedure's questionnaire is offered.
    #[command(subcommand)]
    Buttons(ButtonCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeyCommand),
    /// Manage the back-office's people: invite them, list them.
    Users {
        /// Public base URL of the service, for the links printed [default: http://127.0.0.1:8080].
        #[arg(long, env = "AVIS_PUBLIC_URL", global = true)]
        public_url: Option<String>,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Fill the database with synthetic reviews (for benchmarks), counters included.
    Seed {
        #[arg(long, default_value_t = 1_000_000)]
        reviews: u64,
        #[arg(long, default_value_t = 2_000)]
        procedures: usize,
        /// Spread the reviews over this many days ending today.
        #[arg(long, default_value_t = 730)]
        days: i64,
    },
    /// Recompute every counter from the reviews and report drift; fails when there is some,
    /// unless --repair rewrote it, and when a review names no button of its procedure.
    Check {
        #[arg(long)]
        repair: bool,
    },
    /// Write a consistent copy of the SQLite database to PATH while the service runs
    /// (for PostgreSQL, use pg_dump).
    Backup { path: PathBuf },
    /// Purge free texts past their retention period (the server also does it daily).
    Purge {
        /// Days free texts are kept [default: 730].
        #[arg(long, env = "AVIS_TEXT_RETENTION_DAYS")]
        text_retention_days: Option<i64>,
    },
    /// Measure personal-data redaction on a corpus (planted.jsonl, clean.jsonl): recall and
    /// false-positive rate; fails below 99 % recall or above 1 % false positives.
    RedactionCheck {
        #[arg(default_value = "tests/data/redaction")]
        corpus: PathBuf,
    },
    /// Inspect the aggregate counters indicators are computed from.
    #[command(subcommand)]
    Aggregates(AggregateCommand),
    /// Import another service's data.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import the incumbent « Je donne mon avis » service's PostgreSQL database: entities,
    /// products, buttons, reviews and answers, with their legacy ids. Running it again imports
    /// only what is new. Progress on standard error; the last line of standard output is a JSON
    /// summary. Exits non-zero on an error it cannot skip.
    Jdma {
        /// The incumbent's database, postgres://… (only read, in one snapshot).
        #[arg(long, env = "AVIS_JDMA_SOURCE_URL", hide_env_values = true)]
        source_url: String,
        /// Read everything and print the summary, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Days a contact email address is kept: older ones are not imported [default: 180].
        #[arg(long, env = "AVIS_CONTACT_RETENTION_DAYS")]
        contact_retention_days: Option<i64>,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "AVIS_LISTEN")]
    listen: Option<String>,
    /// Lifetime of a review's edit token: seconds or e.g. 1h, 30m [default: 1h].
    #[arg(long, env = "AVIS_EDIT_TOKEN_TTL")]
    edit_token_ttl: Option<String>,
    /// Number of answers from which an indicator is publishable [default: 100].
    #[arg(long, env = "AVIS_PUBLICATION_THRESHOLD")]
    publication_threshold: Option<i64>,
    /// Log format [default: text].
    #[arg(long, env = "AVIS_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    /// Secret phrase that signs hosted forms; nodes behind one load balancer must share it
    /// [default: a random key per process].
    #[arg(
        long,
        env = "AVIS_FORM_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    form_secret: Option<String>,
    /// Proxies allowed to name the client in Forwarded / X-Forwarded-For, as CIDRs
    /// [default: none, the peer address is the client].
    #[arg(long, env = "AVIS_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// Networks whose clients are not limited by address (public counters sharing one address).
    #[arg(long, env = "AVIS_RATE_LIMIT_EXEMPT")]
    rate_limit_exempt: Option<String>,
    /// Review requests per client address per minute [default: 60].
    #[arg(long, env = "AVIS_LIMIT_PER_ADDRESS")]
    limit_per_address: Option<u32>,
    /// Review creations per button per second [default: 200].
    #[arg(long, env = "AVIS_LIMIT_PER_BUTTON")]
    limit_per_button: Option<u32>,
    /// Requests per API key per minute [default: 600].
    #[arg(long, env = "AVIS_LIMIT_PER_KEY")]
    limit_per_key: Option<u32>,
    /// A second review from the same client for the same procedure within this time is kept
    /// but does not count: seconds or e.g. 30m, 1h [default: 1h].
    #[arg(long, env = "AVIS_DUPLICATE_WINDOW")]
    duplicate_window: Option<String>,
    /// More reviews than this on one button within a minute are kept but do not count
    /// [default: 6000].
    #[arg(long, env = "AVIS_BURST_PER_MINUTE")]
    burst_per_minute: Option<i64>,
    /// Days free texts are kept before they are purged; counts stay [default: 730].
    #[arg(long, env = "AVIS_TEXT_RETENTION_DAYS")]
    text_retention_days: Option<i64>,
    /// Days a contact email address is kept before it is deleted [default: 180].
    #[arg(long, env = "AVIS_CONTACT_RETENTION_DAYS")]
    contact_retention_days: Option<i64>,
    /// PBKDF2 iterations of one attempt at a button's proof of work; about 256 attempts solve
    /// it [default: 5000].
    #[arg(long, env = "AVIS_PROOF_OF_WORK_COST")]
    proof_of_work_cost: Option<u32>,
    /// Reviews that may wait for the database before new ones get 503 [default: 4096].
    #[arg(long, env = "AVIS_QUEUE_CAPACITY")]
    queue_capacity: Option<usize>,
    /// Lets webhook endpoints resolve to loopback, private or link-local addresses, and use
    /// plain http:// (a receiver on this machine or its network) [default: false].
    #[arg(long, env = "AVIS_WEBHOOK_ALLOW_PRIVATE", num_args = 0..=1, default_missing_value = "true")]
    webhook_allow_private: Option<bool>,
    /// Answers the incumbent's public URLs ("Je donne mon avis" links, button images, the
    /// observatory's pull, `setTop250`), for a host name moved over from it [default: false].
    #[arg(long, env = "AVIS_JDMA_COMPAT", num_args = 0..=1, default_missing_value = "true")]
    jdma_compat: Option<bool>,
    /// Public base URL of this service, used in the links it prints [default: from --listen].
    #[arg(long, env = "AVIS_PUBLIC_URL")]
    public_url: Option<String>,
    /// ProConnect (OpenID Connect) issuer URL; its /.well-known/openid-configuration is read.
    /// Sign-in with ProConnect is offered only when it is set.
    #[arg(long, env = "AVIS_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// Client id registered at the issuer.
    #[arg(long, env = "AVIS_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// Client secret registered at the issuer (it may begin with a hyphen).
    #[arg(
        long,
        env = "AVIS_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    oidc_client_secret: Option<String>,
    /// Email domains whose people get an account (member of no organisation) at their first
    /// sign-in, comma-separated [default: none, invited accounts only].
    #[arg(long, env = "AVIS_OIDC_ALLOWED_DOMAINS")]
    oidc_allowed_domains: Option<String>,
    /// Create a demo organisation, procedure and button if absent, and print how to try them.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrganisationCommand {
    /// Create an organisation; prints its id.
    Create {
        #[arg(long)]
        name: String,
    },
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProcedureCommand {
    /// Create a procedure; prints its id.
    Create {
        #[arg(long)]
        organisation: Uuid,
        #[arg(long)]
        title: String,
        /// The observatory's id of this procedure.
        #[arg(long)]
        external_id: Option<String>,
    },
    /// List procedures.
    List {
        #[arg(long)]
        organisation: Option<Uuid>,
    },
    /// Close a procedure: none of its buttons takes reviews any more.
    Close { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ButtonCommand {
    /// Create a button; prints its id.
    Create {
        #[arg(long)]
        procedure: Uuid,
        #[arg(long)]
        label: String,
        /// Where the button sits (footer, email, qr…).
        #[arg(long, default_value = "web")]
        source: String,
        /// An origin allowed to embed the widget, e.g. https://www.example.gouv.fr (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Reviews through this button never count.
        #[arg(long)]
        test: bool,
        /// Offer citizens to leave an address to be contacted back (with their consent).
        #[arg(long)]
        contact_email: bool,
        /// Require a solved proof of work (ALTCHA) with each new review through the widget or
        /// the API, for a button under attack.
        #[arg(long)]
        proof_of_work: bool,
    },
    /// List buttons.
    List {
        #[arg(long)]
        procedure: Option<Uuid>,
    },
    /// Close a button: it takes no more reviews.
    Close { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Create an API key; prints its secret, which is shown only this once.
    Create {
        /// admin or indicators:read
        #[arg(long)]
        scope: String,
        /// Limit the key to one organisation.
        #[arg(long)]
        organisation: Option<Uuid>,
    },
    /// List API keys (never their secrets).
    List,
    /// Revoke an API key for good.
    Revoke { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Invite someone; prints the invitation link (single use, valid 7 days).
    Invite {
        #[arg(long)]
        email: String,
        /// Make the person a superadmin of the whole instance.
        #[arg(long)]
        superadmin: bool,
        /// The organisation the person joins.
        #[arg(long)]
        organisation: Option<Uuid>,
        /// Their role in it: admin or member [default: member].
        #[arg(long)]
        role: Option<String>,
    },
    /// List the accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AggregateCommand {
    /// Print a procedure's counters by day, button, question and value.
    Show {
        #[arg(long)]
        procedure: Uuid,
    },
}

/// Runs one command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = FileConfig::load(cli.config.as_deref())?;
    let database_url = DatabaseUrl::parse(
        cli.database_url
            .as_deref()
            .or(file.database_url.as_deref())
            .unwrap_or(config::DEFAULT_DATABASE),
    )?;
    match cli.command {
        Command::Serve(args) => {
            let demo = args.demo;
            let smtp = smtp(cli.smtp_url, cli.smtp_from, &file)?;
            serve::serve(serve::settings(*args, database_url, smtp, file)?, demo).await
        }
        Command::RedactionCheck { corpus } => maintenance::redaction_check(&corpus),
        Command::Purge {
            text_retention_days,
        } => {
            let store = open_store(&database_url).await?;
            let days = text_retention_days
                .or(file.text_retention_days)
                .unwrap_or(config::DEFAULT_TEXT_RETENTION_DAYS);
            let purged = store.purge(jiff::Timestamp::now(), days.max(1)).await?;
            println!(
                "{} texts purged, {} fingerprints cleared, {} contact addresses deleted",
                purged.texts, purged.fingerprints, purged.contacts
            );
            store.close().await;
            Ok(())
        }
        Command::Check { repair } => {
            let store = open_store(&database_url).await?;
            let drift = store.check_counters(repair).await?;
            store.close().await;
            println!(
                "{} reviews read, {} counters differ",
                drift.reviews,
                drift.differences.len()
            );
            for ((procedure, day, button, question, value), stored, expected) in
                drift.differences.iter().take(50)
            {
                println!(
                    "{procedure}\t{day}\t{button}\t{question}\t{value}\tstored {stored}\texpected {expected}"
                );
            }
            if drift.orphans > 0 {
                println!(
                    "{} reviews name no button of their procedure",
                    drift.orphans
                );
            }
            if repair && !drift.differences.is_empty() {
                println!("repaired");
            }
            anyhow::ensure!(
                drift.orphans == 0,
                "reviews name no button of their procedure: restore their buttons or delete those reviews"
            );
            anyhow::ensure!(
                repair || drift.differences.is_empty(),
                "the counters drifted from the reviews: run avis check --repair"
            );
            Ok(())
        }
        Command::Backup { path } => {
            anyhow::ensure!(
                database_url.backend() == crate::store::Backend::Sqlite,
                "avis backup copies SQLite databases; back up PostgreSQL with pg_dump"
            );
            anyhow::ensure!(!path.exists(), "{} already exists", path.display());
            let store = open_store(&database_url).await?;
            store.backup_sqlite(&path.display().to_string()).await?;
            store.close().await;
            eprintln!("backup written to {}", path.display());
            Ok(())
        }
        Command::Seed {
            reviews,
            procedures,
            days,
        } => {
            let store = open_store(&database_url).await?;
            let rate =
                crate::seed::seed(&store, reviews, procedures.max(1), days, crate::seed::BATCH)
                    .await?;
            store.close().await;
            println!("{reviews} reviews over {procedures} procedures written, {rate:.0} reviews/s");
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::routes::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Migrate => {
            open_store(&database_url).await?.close().await;
            eprintln!("migrations applied to {database_url}");
            Ok(())
        }
        Command::Organisations(command) => {
            manage::organisations(&open_store(&database_url).await?, command).await
        }
        Command::Procedures(command) => {
            manage::procedures(&open_store(&database_url).await?, command).await
        }
        Command::Buttons(command) => {
            manage::buttons(&open_store(&database_url).await?, command).await
        }
        Command::Keys(command) => manage::keys(&open_store(&database_url).await?, command).await,
        Command::Users {
            public_url,
            command,
        } => {
            let smtp = smtp(cli.smtp_url, cli.smtp_from, &file)?;
            let public_url = public_url
                .or(file.public_url)
                .unwrap_or_else(|| format!("http://{}", config::DEFAULT_LISTEN));
            let store = open_store(&database_url).await?;
            users::users(&store, command, &public_url, smtp.as_ref()).await
        }
        Command::Import(ImportCommand::Jdma {
            source_url,
            dry_run,
            contact_retention_days,
        }) => {
            let store = open_store(&database_url).await?;
            let options = import::Options {
                source_url,
                dry_run,
                contact_retention_days: contact_retention_days
                    .or(file.contact_retention_days)
                    .unwrap_or(config::DEFAULT_CONTACT_RETENTION_DAYS),
            };
            let summary = import::jdma(&store, &options).await;
            store.close().await;
            println!("{}", serde_json::to_string(&summary?)?);
            Ok(())
        }
        Command::Aggregates(command) => {
            manage::aggregates(&open_store(&database_url).await?, command).await
        }
    }
}

/// The SMTP relay, from the flags or the file; read only by the commands that send mail, so a
/// wrong setting stops nothing else.
fn smtp(
    url: Option<String>,
    from: Option<String>,
    file: &FileConfig,
) -> anyhow::Result<Option<SmtpSettings>> {
    SmtpSettings::parse(
        url.as_deref().or(file.smtp_url.as_deref()),
        from.as_deref().or(file.smtp_from.as_deref()),
    )
}

/// Connects and brings the schema up to date, so any command works on a fresh database.
async fn open_store(url: &DatabaseUrl) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_that_begin_with_a_hyphen_are_taken_as_values() {
        let cli = Cli::try_parse_from([
            "avis",
            "serve",
            "--form-secret",
            "-une phrase",
            "--oidc-client-secret",
            "-GxY_secret",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve expected");
        };
        assert_eq!(args.form_secret.as_deref(), Some("-une phrase"));
        assert_eq!(args.oidc_client_secret.as_deref(), Some("-GxY_secret"));
    }
}
