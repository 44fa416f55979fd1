//! Who the client is: the peer address, or the address a trusted proxy forwarded.
//!
//! Only peers in the trusted networks may name the client through `Forwarded` or
//! `X-Forwarded-For`; anyone else's headers are ignored, so they cannot dodge a limit.

use std::net::IpAddr;

use ipnet::IpNet;

/// A list of networks, e.g. `10.0.0.0/8,192.168.1.7`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<IpNet>);

impl Networks {
    /// Parses comma-separated CIDRs or single addresses.
    pub fn parse(list: &str) -> Result<Networks, String> {
        list.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not a network (CIDR) or an address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Networks)
    }

    /// The networks as an operator writes them, or `(none)`.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "(none)".to_owned();
        }
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        parts.join(",")
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4-mapped IPv6 addresses as the IPv4 addresses they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One hop of a `Forwarded` (`for=…`) or `X-Forwarded-For` list, without quotes, brackets or port.
fn hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.parse()
        .ok()
        .or_else(|| raw.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

fn forwarded_hops(forwarded: &str) -> Vec<Option<IpAddr>> {
    forwarded
        .split(',')
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim().eq_ignore_ascii_case("for").then(|| hop(value))
            })
        })
        .collect()
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest hop
/// that is not itself a trusted proxy. `Forwarded` wins over `X-Forwarded-For`.
pub fn client_ip(
    peer: IpAddr,
    trusted: &Networks,
    forwarded: Option<&str>,
    x_forwarded_for: Option<&str>,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = match (forwarded, x_forwarded_for) {
        (Some(f), _) => forwarded_hops(f),
        (None, Some(x)) => x.split(',').map(hop).collect(),
        (None, None) => return peer,
    };
    for hop in hops.into_iter().rev() {
        match hop.map(canonical) {
            Some(ip) if trusted.contains(ip) => continue,
            Some(ip) => return ip,
            // An unknown or obfuscated hop: the nearest address we can vouch for is the proxy.
            None => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_name_another_client() {
        let trusted = Networks::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            client_ip(ip("203.0.113.9"), &trusted, None, Some("1.2.3.4")),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(
                ip("203.0.113.9"),
                &Networks::default(),
                Some("for=1.2.3.4"),
                None
            ),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = Networks::parse("10.0.0.0/8, 192.168.1.7").unwrap();
        let peer = ip("10.1.2.3");
        assert_eq!(
            client_ip(
                peer,
                &trusted,
                None,
                Some("6.6.6.6, 198.51.100.4, 192.168.1.7")
            ),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_ip(
                peer,
                &trusted,
                Some("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"),
                None
            ),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(
                peer,
                &trusted,
                Some("for=198.51.100.4:8080"),
                Some("9.9.9.9")
            ),
            ip("198.51.100.4")
        );
        assert_eq!(client_ip(peer, &trusted, None, Some("unknown")), peer);
        assert_eq!(client_ip(peer, &trusted, None, None), peer);
        assert_eq!(client_ip(peer, &trusted, None, Some("10.9.9.9")), peer);
    }

    #[test]
    fn mapped_addresses_match_their_ipv4_networks() {
        let trusted = Networks::parse("127.0.0.1/32").unwrap();
        assert!(trusted.contains(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn bad_networks_are_refused_by_name() {
        assert!(
            Networks::parse("10.0.0.0/8,bogus")
                .unwrap_err()
                .contains("bogus")
        );
        assert_eq!(Networks::parse("").unwrap(), Networks::default());
    }
}
