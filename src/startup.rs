//! Wires the application: state, middleware, routes, listener.

use std::net::TcpListener;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::telemetry::PrivateSpans;

use uuid::Uuid;

use crate::accounts::BackOffice;
use crate::domain::network::Networks;
use crate::domain::secret::SigningKey;
use crate::error::problem_for_bare_error;
use crate::limits::{LimitSettings, Limits};
use crate::proof::ProofOfWork;
use crate::routes;
use crate::routes::cors_errors;
use crate::store::Store;
use crate::store::reviews::Screening;
use crate::writer::{ReviewWriter, WriterStop};
use jiff::civil::Date;
use std::sync::Mutex;

/// What every request handler can reach.
pub struct AppState {
    pub store: Store,
    pub edit_token_ttl_seconds: i64,
    pub publication_threshold: i64,
    pub signing_key: SigningKey,
    pub public_url: Option<String>,
    pub demo_button: Option<Uuid>,
    pub limits: Limits,
    pub trusted_proxies: Networks,
    pub screening: Screening,
    pub writer: ReviewWriter,
    pub contact_retention_days: i64,
    /// Challenges for the buttons that require a proof of work.
    pub proof_of_work: ProofOfWork,
    /// Today's salt, once read from the database.
    pub salt: Mutex<Option<(Date, String)>>,
    /// How the back-office runs.
    pub backoffice: BackOffice,
    /// What `avis serve` runs with, secrets masked, for superadmins to read.
    pub instance_settings: Vec<(&'static str, String)>,
    /// How workbooks of reviews are built and kept.
    pub exports: crate::export::job::Settings,
    /// How webhooks are sent.
    pub webhooks: crate::notify::Settings,
    /// Whether mail is on: invitations and reset links are then mailed too.
    pub mail_on: bool,
}

/// Tunable behaviour of the service.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a review's edit token stays valid.
    pub edit_token_ttl_seconds: i64,
    /// The number of answers from which an indicator is publishable.
    pub publication_threshold: i64,
    /// Signs the hosted questionnaire's forms.
    pub signing_key: SigningKey,
    /// The address citizens reach this service at, for embed snippets.
    pub public_url: Option<String>,
    /// The button `/demo` shows, if any.
    pub demo_button: Option<Uuid>,
    /// Rate limits.
    pub limits: LimitSettings,
    /// Networks whose clients are not limited by address.
    pub exempt_networks: Networks,
    /// Proxies allowed to name the client in `Forwarded` / `X-Forwarded-For`.
    pub trusted_proxies: Networks,
    /// When new reviews are kept out of the indicators.
    pub screening: Screening,
    /// How many reviews may wait for the writer before new ones get `503`.
    pub queue_capacity: usize,
    /// Days a contact email address is kept.
    pub contact_retention_days: i64,
    /// PBKDF2 iterations of one attempt at a proof of work.
    pub proof_of_work_cost: u32,
    /// How the back-office runs.
    pub backoffice: BackOffice,
    /// What `avis serve` runs with, secrets masked, as the back-office shows it.
    pub instance_settings: Vec<(&'static str, String)>,
    /// How workbooks of reviews are built and kept.
    pub exports: crate::export::job::Settings,
    /// How webhooks are sent.
    pub webhooks: crate::notify::Settings,
    /// Where mail goes; none turns mail off.
    pub mail: Option<crate::notify::smtp::SmtpSettings>,
    /// How often indicators' levels (for webhooks) and, when mail is on, alerts and digests
    /// are looked for.
    pub look_interval: std::time::Duration,
    /// Whether the incumbent's public URLs are answered (see [`crate::compat`]).
    pub jdma_compat: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            edit_token_ttl_seconds: crate::config::DEFAULT_EDIT_TOKEN_TTL,
            publication_threshold: crate::config::DEFAULT_PUBLICATION_THRESHOLD,
            signing_key: SigningKey::random(),
            public_url: None,
            demo_button: None,
            limits: LimitSettings::default(),
            exempt_networks: Networks::default(),
            trusted_proxies: Networks::default(),
            screening: Screening::default(),
            queue_capacity: 4_096,
            contact_retention_days: crate::config::DEFAULT_CONTACT_RETENTION_DAYS,
            proof_of_work_cost: crate::config::DEFAULT_PROOF_OF_WORK_COST,
            backoffice: BackOffice::default(),
            instance_settings: Vec::new(),
            exports: Default::default(),
            webhooks: Default::default(),
            mail: None,
            look_interval: std::time::Duration::from_secs(30),
            jdma_compat: false,
        }
    }
}

/// How often rate-limit state of quiet clients is dropped. A client's one review is forgotten
/// once its allowance has refilled (a second, at 60 a minute), so the state held is about this
/// long's worth of distinct clients: every minute, it was a minute's, which at 20,000 reviews a
/// second from as many addresses added some 50 MB at its highest.
const HOUSEKEEPING_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

/// How long in-flight requests get to finish after a stop signal.
const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// Binds `listen`; port 0 picks a free port.
pub fn bind(listen: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))
}

/// A bound, ready-to-run HTTP server.
pub struct Application {
    port: u16,
    server: Server,
    writer_stop: WriterStop,
}

impl Application {
    /// Binds `listen` (port 0 picks a free port) and builds the server around `store`.
    pub fn build(listen: &str, store: Store, options: Options) -> anyhow::Result<Application> {
        Application::on(bind(listen)?, store, options)
    }

    /// Builds the server around an already bound listener.
    pub fn on(
        listener: TcpListener,
        store: Store,
        options: Options,
    ) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        routes::metrics::recorder();
        let (writer, writer_stop) =
            ReviewWriter::spawn(store.clone(), options.screening, options.queue_capacity)
                .context("cannot start the review writer")?;
        let tell = options
            .mail
            .as_ref()
            .map(|_| options.public_url.clone().unwrap_or_default());
        crate::notify::spawn(store.clone(), options.webhooks, tell);
        crate::notify::spawn_levels(
            store.clone(),
            options.look_interval,
            options.publication_threshold,
        );
        if let Some(smtp) = options.mail.clone() {
            crate::notify::spawn_mail(store.clone(), smtp);
            crate::notify::spawn_alerts(
                store.clone(),
                options.look_interval,
                options.publication_threshold,
            );
        }
        let state = web::Data::new(AppState {
            store,
            edit_token_ttl_seconds: options.edit_token_ttl_seconds,
            publication_threshold: options.publication_threshold,
            proof_of_work: ProofOfWork::new(&options.signing_key, options.proof_of_work_cost),
            signing_key: options.signing_key,
            public_url: options.public_url,
            demo_button: options.demo_button,
            limits: Limits::new(options.limits, options.exempt_networks),
            trusted_proxies: options.trusted_proxies,
            screening: options.screening,
            writer,
            contact_retention_days: options.contact_retention_days,
            salt: Mutex::new(None),
            backoffice: options.backoffice,
            instance_settings: options.instance_settings,
            exports: options.exports,
            webhooks: options.webhooks,
            mail_on: options.mail.is_some(),
        });
        let housekept = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(HOUSEKEEPING_PERIOD);
            loop {
                ticks.tick().await;
                housekept.limits.housekeeping();
                housekept
                    .proof_of_work
                    .housekeeping(jiff::Timestamp::now().as_second());
            }
        });
        let document = routes::openapi();
        let compat = options.jdma_compat;
        let server = HttpServer::new(move || {
            routes::register(App::new(), document.clone(), compat)
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_error))
                .wrap_fn(|req, srv| {
                    let request_id = req.extensions().get::<RequestId>().copied();
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
                    let method = req.method().to_string();
                    let started = std::time::Instant::now();
                    let response = srv.call(req);
                    async move {
                        let mut response = security_headers(cors_errors(response.await?));
                        let status = response.status().as_u16().to_string();
                        let elapsed = started.elapsed().as_secs_f64();
                        metrics::counter!("avis_http_requests_total", "route" => route.clone(), "method" => method, "status" => status).increment(1);
                        metrics::histogram!("avis_http_request_duration_seconds", "route" => route).record(elapsed);
                        // The time spent in the server, for clients and benchmarks (W3C Server-Timing).
                        if let Ok(value) = HeaderValue::from_str(&format!("app;dur={:.2}", elapsed * 1_000.0)) {
                            response.headers_mut().insert(HeaderName::from_static("server-timing"), value);
                        }
                        if let Some(id) = request_id
                            && let Ok(value) = HeaderValue::from_str(&id.to_string())
                        {
                            response
                                .headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), value);
                        }
                        Ok(response)
                    }
                })
                .wrap(TracingLogger::<PrivateSpans>::new())
                .app_data(state.clone())
        })
        .listen(listener)?
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .client_request_timeout(std::time::Duration::from_secs(10))
        .client_disconnect_timeout(std::time::Duration::from_secs(5))
        .keep_alive(std::time::Duration::from_secs(75))
        .run();
        Ok(Application {
            port,
            server,
            writer_stop,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish and stops the review
    /// writer.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.writer_stop.stop().await;
        served
    }
}

/// Headers every response carries unless its handler chose its own: no sniffing, no referrer
/// beyond the origin, no framing, and a policy that lets JSON, images and scripts load nothing.
fn security_headers<B>(
    mut response: actix_web::dev::ServiceResponse<B>,
) -> actix_web::dev::ServiceResponse<B> {
    let docs = response.request().path().starts_with("/api/docs");
    let policy = if docs {
        // The vendored API page: its own scripts and styles, nothing from elsewhere.
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'"
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, policy),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
