//! Wires the application: state, middleware, routes, listener.

use std::net::TcpListener;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::error::problem_for_bare_error;
use crate::routes;
use crate::store::Store;

/// What every request handler can reach.
pub struct AppState {
    pub store: Store,
    pub edit_token_ttl_seconds: i64,
    pub publication_threshold: i64,
}

/// Tunable behaviour of the service.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How long a review's edit token stays valid.
    pub edit_token_ttl_seconds: i64,
    /// The number of answers from which an indicator is publishable.
    pub publication_threshold: i64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            edit_token_ttl_seconds: crate::config::DEFAULT_EDIT_TOKEN_TTL,
            publication_threshold: crate::config::DEFAULT_PUBLICATION_THRESHOLD,
        }
    }
}

/// How long in-flight requests get to finish after a stop signal.
const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// A bound, ready-to-run HTTP server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `listen` (port 0 picks a free port) and builds the server around `store`.
    pub fn build(listen: &str, store: Store, options: Options) -> anyhow::Result<Application> {
        let listener =
            TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            store,
            edit_token_ttl_seconds: options.edit_token_ttl_seconds,
            publication_threshold: options.publication_threshold,
        });
        let document = routes::openapi();
        let server = HttpServer::new(move || {
            routes::register(App::new(), document.clone())
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_error))
                .wrap_fn(|req, srv| {
                    let request_id = req.extensions().get::<RequestId>().copied();
                    let response = srv.call(req);
                    async move {
                        let mut response = response.await?;
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
                .wrap(TracingLogger::default())
                .app_data(state.clone())
        })
        .listen(listener)?
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
