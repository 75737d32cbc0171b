//! Backoff after failed logins, per account name and per client.
//!
//! Kept in memory only: a client's address is never written to the database or the logs, and it
//! is held here only as a keyed digest. After a few failures each further failure doubles the
//! wait before the next attempt is even looked at (HTTP 429). The wait per account name is
//! capped at a minute, so nobody can lock someone else out for good by guessing at their login;
//! the wait per client grows to a quarter of an hour, which is what slows down a guesser.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before any waiting.
pub const FREE_FAILURES: u32 = 5;
pub const ACCOUNT_MAX_WAIT: Duration = Duration::from_secs(60);
pub const CLIENT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A record of failures is forgotten after this long without one.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account([u8; 16]),
    Client([u8; 16]),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last: Instant,
    until: Instant,
}

pub struct Throttle {
    salt: [u8; 16],
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Default for Throttle {
    fn default() -> Self {
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        Throttle {
            salt,
            entries: Mutex::new(HashMap::new()),
        }
    }
}

fn wait_after(failures: u32, max: Duration) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doubling = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << doubling).min(max)
}

impl Throttle {
    fn digest(&self, label: &str, value: &[u8]) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(label.as_bytes());
        h.update(value);
        let d = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }

    fn keys(&self, login: &str, client: Option<IpAddr>) -> Vec<(Key, Duration)> {
        let mut keys = vec![(
            Key::Account(self.digest("account", login.trim().to_lowercase().as_bytes())),
            ACCOUNT_MAX_WAIT,
        )];
        if let Some(ip) = client {
            keys.push((
                Key::Client(self.digest("client", ip.to_string().as_bytes())),
                CLIENT_MAX_WAIT,
            ));
        }
        keys
    }

    /// How long this attempt must still wait, if at all.
    pub fn check(&self, login: &str, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().expect("throttle lock");
        self.keys(login, client)
            .iter()
            .filter_map(|(k, _)| entries.get(k))
            .filter(|e| e.until > now)
            .map(|e| e.until - now)
            .max()
    }

    pub fn failed(&self, login: &str, client: Option<IpAddr>, now: Instant) {
        let mut entries = self.entries.lock().expect("throttle lock");
        entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        for (k, max) in self.keys(login, client) {
            let e = entries.entry(k).or_insert(Entry {
                failures: 0,
                last: now,
                until: now,
            });
            e.failures += 1;
            e.last = now;
            e.until = now + wait_after(e.failures, max);
        }
    }

    /// A successful login clears the account's record. Not the client's: a guesser who also
    /// holds an account of their own must not be able to wipe their record by signing in.
    pub fn succeeded(&self, login: &str) {
        let mut entries = self.entries.lock().expect("throttle lock");
        for (k, _) in self.keys(login, None) {
            entries.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_begin_after_the_free_failures_and_double() {
        let t = Throttle::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            t.failed("anna", Some(ip), now);
        }
        assert_eq!(t.check("anna", Some(ip), now), None);
        t.failed("anna", Some(ip), now);
        assert_eq!(t.check("anna", Some(ip), now), Some(Duration::from_secs(1)));
        t.failed("anna", Some(ip), now);
        assert_eq!(t.check("anna", Some(ip), now), Some(Duration::from_secs(2)));
        // Another client is held back on this account name too, but only briefly.
        assert!(t.check("anna", None, now).is_some());
        // After the wait the next attempt is looked at.
        assert_eq!(
            t.check("anna", Some(ip), now + Duration::from_secs(3)),
            None
        );
    }

    #[test]
    fn nobody_can_lock_an_account_for_more_than_a_minute() {
        let t = Throttle::default();
        let now = Instant::now();
        for i in 0..100 {
            // A different client each time: only the account's own record grows.
            let ip: IpAddr = format!("198.51.100.{i}").parse().unwrap();
            t.failed("anna", Some(ip), now);
        }
        assert_eq!(t.check("anna", None, now), Some(ACCOUNT_MAX_WAIT));
        assert_eq!(t.check("anna", None, now + ACCOUNT_MAX_WAIT), None);
    }

    #[test]
    fn a_guessing_client_waits_longer_whatever_name_it_tries() {
        let t = Throttle::default();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let now = Instant::now();
        for i in 0..30 {
            t.failed(&format!("user{i}"), Some(ip), now);
        }
        assert_eq!(
            t.check("someone-else", Some(ip), now),
            Some(CLIENT_MAX_WAIT)
        );
        t.succeeded("user0");
        assert_eq!(
            t.check("someone-else", Some(ip), now),
            Some(CLIENT_MAX_WAIT)
        );
    }
}
