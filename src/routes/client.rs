//! The client behind a request, as the rate limits and duplicate detection see it.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;

use crate::domain::network::client_ip;
use crate::error::ApiError;
use crate::startup::AppState;

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

/// Counts one review request against the client's allowance.
pub fn check_address(req: &HttpRequest, state: &AppState) -> Result<IpAddr, ApiError> {
    let address = address(req, state);
    state
        .limits
        .address(address)
        .map_err(ApiError::RateLimited)?;
    Ok(address)
}
