//! Where a webhook message may go: the one guard against requests to this machine's network,
//! at an endpoint's creation (API and page) and at every delivery, and the HTTP clients bound to
//! the addresses that guard checked.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use crate::domain::webhooks::{AddressRefused, is_private};

/// How long a host name has to resolve: the system's resolver may wait far longer for a server
/// that does not answer, and a delivery would then outlive its lease.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Clients kept at most, one per endpoint host and its addresses; past it they are built again.
const KEPT_CLIENTS: usize = 256;

/// An endpoint's address parsed, and the addresses its host resolves to now, each checked.
pub async fn resolve_checked(
    raw: &str,
    allow_private: bool,
) -> Result<(url::Url, Vec<SocketAddr>), AddressRefused> {
    let parsed = crate::domain::webhooks::parse_url(raw, allow_private)?;
    let host = parsed.host_str().ok_or(AddressRefused::Scheme)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed
        .port_or_known_default()
        .ok_or(AddressRefused::Scheme)?;
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((bare, port)))
            .await
            .map_err(|_| AddressRefused::Unresolved)?
            .map_err(|_| AddressRefused::Unresolved)?
            .collect();
    if addresses.is_empty() {
        return Err(AddressRefused::Unresolved);
    }
    if !allow_private && let Some(private) = addresses.iter().find(|a| is_private(a.ip())) {
        return Err(AddressRefused::Private(private.ip()));
    }
    Ok((parsed, addresses))
}

/// HTTP clients already built, by host and the addresses it was checked to resolve to: a client
/// costs milliseconds of CPU to build (its TLS roots), and a kept one reuses its connections.
pub struct Clients {
    timeout: Duration,
    kept: Mutex<HashMap<(String, Vec<SocketAddr>), reqwest::Client>>,
}

impl Clients {
    /// Clients whose requests must be answered within `timeout`, redirects not followed.
    pub fn new(timeout: Duration) -> Clients {
        Clients {
            timeout,
            kept: Mutex::default(),
        }
    }

    /// A client bound to the addresses `url`'s host resolves to now, once each is checked: the
    /// request goes to an address that was checked, whatever the name resolves to a moment
    /// later.
    pub async fn checked(
        &self,
        url: &str,
        allow_private: bool,
    ) -> Result<reqwest::Client, AddressRefused> {
        let (parsed, addresses) = resolve_checked(url, allow_private).await?;
        let host = parsed.host_str().ok_or(AddressRefused::Scheme)?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let key = (bare.to_owned(), addresses.clone());
        if let Some(client) = self.kept.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .resolve_to_addrs(bare, &addresses)
            .build()
            .map_err(|_| AddressRefused::Unresolved)?;
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= KEPT_CLIENTS {
                kept.clear();
            }
            kept.insert(key, client.clone());
        }
        Ok(client)
    }
}
