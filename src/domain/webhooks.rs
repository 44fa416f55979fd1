//! Webhooks as the Standard Webhooks convention has them: the events an endpoint may want, its
//! address, its secret, how a message is signed, and when a failed one is tried again.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use url::Url;

/// What an endpoint can hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Event {
    #[serde(rename = "review.created")]
    ReviewCreated,
    #[serde(rename = "review.updated")]
    ReviewUpdated,
    #[serde(rename = "review.excluded")]
    ReviewExcluded,
    #[serde(rename = "review.restored")]
    ReviewRestored,
    /// An indicator of a procedure moved from one level (good, medium, bad) to another.
    #[serde(rename = "indicator.threshold_crossed")]
    IndicatorThresholdCrossed,
}

impl Event {
    pub const ALL: [Event; 5] = [
        Event::ReviewCreated,
        Event::ReviewUpdated,
        Event::ReviewExcluded,
        Event::ReviewRestored,
        Event::IndicatorThresholdCrossed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Event::ReviewCreated => "review.created",
            Event::ReviewUpdated => "review.updated",
            Event::ReviewExcluded => "review.excluded",
            Event::ReviewRestored => "review.restored",
            Event::IndicatorThresholdCrossed => "indicator.threshold_crossed",
        }
    }

    /// Whether the event is about a review (else about a procedure's indicators).
    pub fn is_about_a_review(self) -> bool {
        self != Event::IndicatorThresholdCrossed
    }

    pub fn parse(code: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// An endpoint's events as the database holds them: each between spaces, so that one is found
/// with `LIKE '% review.created %'`.
pub fn stored_events(events: &[Event]) -> String {
    let mut codes: Vec<&str> = events.iter().map(|e| e.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    format!(" {} ", codes.join(" "))
}

/// The events of [`stored_events`]'s text; unknown words are left out.
pub fn events_of(stored: &str) -> Vec<Event> {
    stored.split_whitespace().filter_map(Event::parse).collect()
}

/// Why an endpoint's address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressRefused {
    #[error(
        "must be an absolute https:// URL (http:// only where the operator allows private addresses)"
    )]
    Scheme,
    #[error("must not hold a user name or a password")]
    Credentials,
    #[error(
        "resolves to a loopback, private or link-local address ({0}); the operator may allow them with --webhook-allow-private"
    )]
    Private(IpAddr),
    #[error("its host name does not resolve, or not within 5 s")]
    Unresolved,
}

/// An endpoint's address: HTTPS, or plain HTTP on a loopback address when the operator allows
/// private addresses (for tests and for a receiver on the same machine).
pub fn parse_url(raw: &str, allow_private: bool) -> Result<Url, AddressRefused> {
    let url = Url::parse(raw.trim()).map_err(|_| AddressRefused::Scheme)?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AddressRefused::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AddressRefused::Credentials);
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_private => Ok(url),
        _ => Err(AddressRefused::Scheme),
    }
}

/// Whether `ip` is one a webhook must not reach unless the operator allows it: this machine, a
/// private or shared network, a link-local one, or no real destination at all.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // Benchmarking, 198.18.0.0/15.
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local addresses, fc00::/7, and link-local ones, fe80::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Prefix of every endpoint's secret, as the convention spells it.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh secret: 24 random bytes, in base64 after the prefix.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header of a message: `v1,` and the base64 HMAC-SHA256, keyed with the
/// secret's bytes, of `id.timestamp.body`. None when the secret is not one of ours.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Seconds before each retry after a failed attempt: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
/// 10 h, a day and a few hours in all. After the last, the message has failed.
const RETRIES: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/// Milliseconds to wait before the next attempt, after `attempts` failed ones; `None` once every
/// retry has been spent. Each delay moves by up to a tenth either way, so endpoints that failed
/// together are not all tried again at the same instant.
pub fn retry_after_ms(attempts: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = RETRIES.get(index)? * 1_000;
    Some(base + rand::rng().random_range(-base / 10..=base / 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_convention_s_published_vector_is_signed_alike() {
        // From the Standard Webhooks specification's example.
        let signed = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signed.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn events_are_stored_between_spaces_once_each() {
        let stored = stored_events(&[
            Event::ReviewExcluded,
            Event::ReviewCreated,
            Event::ReviewExcluded,
        ]);
        assert_eq!(stored, " review.created review.excluded ");
        assert_eq!(
            events_of(&stored),
            vec![Event::ReviewCreated, Event::ReviewExcluded]
        );
    }

    #[test]
    fn private_and_local_addresses_are_told_apart() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "185.24.184.1", "2001:4860:4860::8888"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn only_https_unless_private_addresses_are_allowed() {
        assert!(parse_url("https://hooks.example.org/avis", false).is_ok());
        assert_eq!(
            parse_url("http://hooks.example.org/avis", false),
            Err(AddressRefused::Scheme)
        );
        assert!(parse_url("http://127.0.0.1:9000/", true).is_ok());
        assert_eq!(
            parse_url("https://user:pw@hooks.example.org/", false),
            Err(AddressRefused::Credentials)
        );
        assert_eq!(parse_url("ftp://x/", true), Err(AddressRefused::Scheme));
        assert_eq!(parse_url("not a url", true), Err(AddressRefused::Scheme));
    }

    #[test]
    fn retries_spread_over_a_day_then_stop() {
        // 27.6 h without jitter, each delay moved by up to a tenth either way.
        let total: i64 = (1..=7).map(|n| retry_after_ms(n).unwrap()).sum();
        assert!((24 * 3_600_000..31 * 3_600_000).contains(&total), "{total}");
        let first = retry_after_ms(1).unwrap();
        assert!((4_500..=5_500).contains(&first), "{first}");
        assert_eq!(retry_after_ms(8), None);
        assert_eq!(retry_after_ms(0), None);
    }
}
