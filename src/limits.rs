//! Rate limits (GCRA, from governor) per client address, per button and per API key.
//!
//! State lives in each node's memory: behind a load balancer every node applies the limits on
//! its own share of the traffic. Keys that have been quiet long enough to be back to a full
//! allowance are forgotten periodically, so a flood of distinct addresses cannot grow it forever.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::domain::network::Networks;

/// How much each kind of caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Review creations and updates per client address per minute.
    pub per_address_per_minute: u32,
    /// Review creations per button per second, all clients together.
    pub per_button_per_second: u32,
    /// Requests per API key per minute.
    pub per_key_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> LimitSettings {
        LimitSettings {
            per_address_per_minute: 60,
            per_button_per_second: 200,
            per_key_per_minute: 600,
        }
    }
}

/// A refusal, with what the client needs to come back at the right time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied {
    /// Whole seconds to wait, at least 1.
    pub retry_after: u64,
    /// The allowance, and the period it refills over, in seconds.
    pub limit: u32,
    pub period: u64,
}

struct Limiter<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
    limit: u32,
    period: u64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(limit: u32, period: Duration) -> Limiter<K> {
        let n = NonZeroU32::new(limit.max(1)).expect("at least one");
        let quota = Quota::with_period(period / n.get())
            .expect("a non-zero period")
            .allow_burst(n);
        Limiter {
            inner: RateLimiter::keyed(quota),
            limit: n.get(),
            period: period.as_secs().max(1),
        }
    }

    fn check(&self, key: &K) -> Result<(), Denied> {
        self.inner.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Denied {
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                limit: self.limit,
                period: self.period,
            }
        })
    }

    fn housekeeping(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

/// Every limiter of a node.
pub struct Limits {
    addresses: Limiter<IpAddr>,
    buttons: Limiter<Uuid>,
    keys: Limiter<Uuid>,
    exempt: Networks,
}

impl Limits {
    pub fn new(settings: LimitSettings, exempt: Networks) -> Limits {
        Limits {
            addresses: Limiter::new(settings.per_address_per_minute, Duration::from_secs(60)),
            buttons: Limiter::new(settings.per_button_per_second, Duration::from_secs(1)),
            keys: Limiter::new(settings.per_key_per_minute, Duration::from_secs(60)),
            exempt,
        }
    }

    /// One more review request from `address`; exempt networks (public counters where many
    /// citizens share one address) are never limited by address.
    pub fn address(&self, address: IpAddr) -> Result<(), Denied> {
        if self.exempt.contains(address) {
            return Ok(());
        }
        self.addresses.check(&address)
    }

    pub fn button(&self, button: Uuid) -> Result<(), Denied> {
        self.buttons.check(&button)
    }

    pub fn key(&self, key: Uuid) -> Result<(), Denied> {
        self.keys.check(&key)
    }

    /// Forgets keys back to a full allowance.
    pub fn housekeeping(&self) {
        self.addresses.housekeeping();
        self.buttons.housekeeping();
        self.keys.housekeeping();
    }

    /// How many addresses, buttons and keys are tracked now.
    pub fn tracked(&self) -> usize {
        self.addresses.inner.len() + self.buttons.inner.len() + self.keys.inner.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn an_address_is_limited_and_told_when_to_come_back() {
        let limits = Limits::new(
            LimitSettings {
                per_address_per_minute: 3,
                ..Default::default()
            },
            Networks::default(),
        );
        for _ in 0..3 {
            assert!(limits.address(ip(1)).is_ok());
        }
        let denied = limits.address(ip(1)).unwrap_err();
        assert_eq!((denied.limit, denied.period), (3, 60));
        assert!((1..=20).contains(&denied.retry_after), "{denied:?}");
        assert!(limits.address(ip(2)).is_ok());
    }

    #[test]
    fn exempt_networks_are_not_limited_by_address() {
        let exempt = Networks::parse("192.0.2.0/24").unwrap();
        let limits = Limits::new(
            LimitSettings {
                per_address_per_minute: 1,
                ..Default::default()
            },
            exempt,
        );
        for _ in 0..10 {
            assert!(limits.address("192.0.2.10".parse().unwrap()).is_ok());
        }
    }

    #[test]
    fn quiet_keys_are_forgotten() {
        let limits = Limits::new(
            LimitSettings {
                per_button_per_second: 2,
                ..Default::default()
            },
            Networks::default(),
        );
        for n in 0..10_000u32 {
            limits.button(Uuid::from_u128(u128::from(n))).unwrap();
        }
        assert_eq!(limits.tracked(), 10_000);
        std::thread::sleep(Duration::from_millis(1_100));
        limits.housekeeping();
        assert_eq!(limits.tracked(), 0);
    }
}
