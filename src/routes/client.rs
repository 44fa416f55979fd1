//! The client behind a request, as the rate limits and duplicate detection see it.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;
use actix_web::http::header;
use jiff::Timestamp;
use uuid::Uuid;

use crate::domain::network::client_ip;
use crate::domain::secret;
use crate::domain::time::paris_day;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::store::catalog::Button;

/// The client's address: the peer, or whom a trusted proxy says it forwards.
pub fn address(req: &HttpRequest, state: &AppState) -> IpAddr {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    client_ip(
        peer,
        &state.trusted_proxies,
        header("forwarded"),
        header("x-forwarded-for"),
    )
}

/// The address citizens reach this service at: the configured public URL, else the scheme and
/// `Host` this request came in on. Never `Forwarded` or `X-Forwarded-Host`, which any client may
/// send: a link built from them could point anywhere.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    state.public_url.clone().unwrap_or_else(|| {
        let scheme = if req.app_config().secure() {
            "https"
        } else {
            "http"
        };
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        format!("{scheme}://{host}")
    })
}

/// Counts one review request against the client's allowance.
pub fn check_address(req: &HttpRequest, state: &AppState) -> Result<IpAddr, ApiError> {
    let address = address(req, state);
    state.limits.address(address).map_err(limited("address"))?;
    Ok(address)
}

/// The button behind a public path's `id`, if it still takes reviews.
pub async fn open_button(state: &AppState, id: &str) -> Result<Button, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::ButtonNotFound)?;
    let button = state
        .store
        .find_button_recent(id)
        .await?
        .ok_or(ApiError::ButtonNotFound)?;
    if !button.is_open {
        return Err(ApiError::ButtonClosed);
    }
    Ok(button)
}

/// The client's fingerprint for a procedure today: a keyed hash under the day's salt.
pub async fn fingerprint(
    req: &HttpRequest,
    state: &AppState,
    address: IpAddr,
    procedure: Uuid,
) -> Result<String, ApiError> {
    let today = paris_day(Timestamp::now());
    let cached = state
        .salt
        .lock()
        .ok()
        .and_then(|salt| salt.clone())
        .filter(|(day, _)| *day == today);
    let salt = match cached {
        Some((_, salt)) => salt,
        None => {
            let salt = state.store.salt_for(today).await?;
            if let Ok(mut cache) = state.salt.lock() {
                *cache = Some((today, salt.clone()));
            }
            salt
        }
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(secret::fingerprint(
        &salt,
        address,
        user_agent,
        &procedure.to_string(),
    ))
}

/// Counts a refusal by the rate limiter of `kind` and turns it into the API's error.
pub fn limited(kind: &'static str) -> impl Fn(crate::limits::Denied) -> ApiError {
    move |denied| {
        metrics::counter!("avis_rate_limited_total", "limit" => kind).increment(1);
        ApiError::RateLimited(denied)
    }
}
