//! Backoff after failed logins, per account name and per client; and a limit on the reports
//! one client may send.
//!
//! Kept in memory only: a client's address is never written to the database or the logs, and it
//! is held here only as a keyed digest. After a few failures each further failure doubles the
//! wait before the next attempt is even looked at (HTTP 429). The wait per account name is
//! capped at a minute, so nobody can lock someone else out for good by guessing at their login;
//! the wait per client grows to a quarter of an hour, which is what slows down a guesser.
//!
//! An attempt is reserved before its password is checked, in the same step that looks at the
//! record: a reserved attempt counts as a failure until it is known not to be one. So a burst
//! of guesses sent at once gets no more passwords checked than the same guesses sent one by one
//! (the free failures), instead of all of them passing the look before the first failure is
//! written down.

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
    /// Attempts reserved and not yet settled: each may still turn out a failure.
    pending: u32,
    /// The last failure (or, while none is recorded, the last reservation).
    last: Instant,
}

impl Entry {
    /// How long the next attempt must still wait, if at all: the wait earned by the failures
    /// recorded, or, while attempts are in flight, the wait they would earn if they all fail.
    fn wait(&self, max: Duration, now: Instant) -> Option<Duration> {
        let until = self.last + wait_after(self.failures, max);
        if until > now {
            return Some(until - now);
        }
        if self.pending > 0 {
            let w = wait_after(self.failures + self.pending, max);
            if !w.is_zero() {
                return Some(w);
            }
        }
        None
    }
}

fn salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    salt
}

/// A digest of `value` under this process's salt: what the throttles keep instead of an
/// address or a login name.
fn digest(salt: &[u8; 16], label: &str, value: &[u8]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(label.as_bytes());
    h.update(value);
    let d = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

pub struct Throttle {
    salt: [u8; 16],
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            salt: salt(),
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

/// An attempt let through to the password check. Settle it with `failed` or `succeeded`; one
/// dropped unsettled (the check itself went wrong) is released without counting either way.
#[must_use = "an attempt is settled as failed or succeeded"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    keys: Vec<(Key, Duration)>,
    settled: bool,
}

impl Throttle {
    fn keys(&self, login: &str, client: Option<IpAddr>) -> Vec<(Key, Duration)> {
        let mut keys = vec![(
            Key::Account(digest(
                &self.salt,
                "account",
                login.trim().to_lowercase().as_bytes(),
            )),
            ACCOUNT_MAX_WAIT,
        )];
        if let Some(ip) = client {
            keys.push((
                Key::Client(digest(&self.salt, "client", ip.to_string().as_bytes())),
                CLIENT_MAX_WAIT,
            ));
        }
        keys
    }

    /// Looks at the records of this login name and this client and, if neither makes the
    /// attempt wait, reserves it, all under one lock: no other attempt can look in between.
    /// `Err` is how long the attempt must still wait.
    pub fn reserve(
        &self,
        login: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt<'_>, Duration> {
        let keys = self.keys(login, client);
        let mut entries = self.entries.lock().expect("throttle lock");
        entries.retain(|_, e| e.pending > 0 || now.duration_since(e.last) < FORGET_AFTER);
        let wait = keys
            .iter()
            .filter_map(|(k, max)| entries.get(k).and_then(|e| e.wait(*max, now)))
            .max();
        if let Some(w) = wait {
            return Err(w);
        }
        for (k, _) in &keys {
            let e = entries.entry(*k).or_insert(Entry {
                failures: 0,
                pending: 0,
                last: now,
            });
            e.pending += 1;
            if e.failures == 0 {
                e.last = now;
            }
        }
        Ok(Attempt {
            throttle: self,
            keys,
            settled: false,
        })
    }

    /// How long an attempt would have to wait now, without reserving one.
    pub fn check(&self, login: &str, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().expect("throttle lock");
        self.keys(login, client)
            .iter()
            .filter_map(|(k, max)| entries.get(k).and_then(|e| e.wait(*max, now)))
            .max()
    }

    fn settle(&self, keys: &[(Key, Duration)], failed: bool, now: Instant) {
        let mut entries = self.entries.lock().expect("throttle lock");
        for (k, _) in keys {
            let Some(e) = entries.get_mut(k) else {
                continue;
            };
            e.pending = e.pending.saturating_sub(1);
            if failed {
                e.failures += 1;
                e.last = now;
            }
        }
    }
}

impl Attempt<'_> {
    /// The password did not match (or the login does not exist): the failure is recorded
    /// against the login name and the client.
    pub fn failed(mut self, now: Instant) {
        self.throttle.settle(&self.keys, true, now);
        self.settled = true;
    }

    /// A successful login clears the account's record. Not the client's: a guesser who also
    /// holds an account of their own must not be able to wipe their record by signing in.
    pub fn succeeded(mut self) {
        let t = self.throttle;
        t.settle(&self.keys, false, Instant::now());
        let mut entries = t.entries.lock().expect("throttle lock");
        for (k, _) in &self.keys {
            if let Key::Account(_) = k {
                if let Some(e) = entries.get_mut(k) {
                    e.failures = 0;
                    if e.pending == 0 {
                        entries.remove(k);
                    }
                }
            }
        }
        self.settled = true;
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle.settle(&self.keys, false, Instant::now());
        }
    }
}

// -------------------------------------------------------------------------------------------
// Reports

/// Reports one client may send at once.
pub const REPORT_BURST: u32 = 10;
/// After the burst, one more report each this long.
pub const REPORT_EVERY: Duration = Duration::from_secs(60);

/// A limit on the reports one client may send (the public report form takes no login, so the
/// client's address, held as a salted digest, is all there is to count by). A token bucket per
/// client: `REPORT_BURST` at once, then one each `REPORT_EVERY`. A person writing by hand sends
/// a few reports in a sitting, and several people behind one address (a workplace, a Tor exit)
/// still get ten through at once; a script at one address is held to sixty an hour.
pub struct Reports {
    salt: [u8; 16],
    buckets: Mutex<HashMap<[u8; 16], Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Reports that may still be sent, as of `at`.
    tokens: f64,
    at: Instant,
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            salt: salt(),
            buckets: Mutex::new(HashMap::new()),
        }
    }
}

impl Reports {
    /// Takes one report from this client's allowance, in one step under the lock; `Err` is how
    /// long until the next one may be sent. A client whose address is unknown is not limited.
    pub fn take(&self, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let Some(ip) = client else { return Ok(()) };
        let key = digest(&self.salt, "report client", ip.to_string().as_bytes());
        let burst = f64::from(REPORT_BURST);
        let every = REPORT_EVERY.as_secs_f64();
        let mut buckets = self.buckets.lock().expect("report throttle lock");
        // A bucket that has filled up again says nothing a new one would not.
        buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() / every < burst);
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() / every).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) * every))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(t: &Throttle, login: &str, ip: Option<IpAddr>, now: Instant) {
        t.reserve(login, ip, now).expect("let through").failed(now);
    }

    #[test]
    fn waits_begin_after_the_free_failures_and_double() {
        let t = Throttle::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            fail(&t, "anna", Some(ip), now);
        }
        assert_eq!(t.check("anna", Some(ip), now), None);
        fail(&t, "anna", Some(ip), now);
        assert_eq!(t.check("anna", Some(ip), now), Some(Duration::from_secs(1)));
        assert_eq!(
            t.reserve("anna", Some(ip), now).err(),
            Some(Duration::from_secs(1))
        );
        let later = now + Duration::from_secs(1);
        fail(&t, "anna", Some(ip), later);
        assert_eq!(
            t.check("anna", Some(ip), later),
            Some(Duration::from_secs(2))
        );
        // Another client is held back on this account name too, but only briefly.
        assert!(t.check("anna", None, later).is_some());
        // After the wait the next attempt is looked at.
        assert!(t
            .reserve("anna", Some(ip), later + Duration::from_secs(2))
            .is_ok());
    }

    #[test]
    fn attempts_in_flight_count_as_failures_until_they_are_settled() {
        let t = Throttle::default();
        let ip: IpAddr = "192.0.2.8".parse().unwrap();
        let now = Instant::now();
        // A burst: the free failures are let through, and nothing more while they are checked.
        let mut flying: Vec<_> = (0..FREE_FAILURES)
            .map(|_| t.reserve("anna", Some(ip), now).expect("a free attempt"))
            .collect();
        assert!(t.reserve("anna", Some(ip), now).is_err());
        assert!(
            t.reserve("someone-else", Some(ip), now).is_err(),
            "per client"
        );
        assert!(t.reserve("anna", None, now).is_err(), "per login name");
        // One of them turns out right: it no longer counts, and one more may be checked.
        flying.pop().unwrap().succeeded();
        let again = t.reserve("anna", Some(ip), now).expect("room for one");
        assert!(t.reserve("anna", Some(ip), now).is_err());
        // One whose check went wrong is released, not counted.
        drop(again);
        assert!(t.check("anna", Some(ip), now).is_none());
        for a in flying {
            a.failed(now);
        }
        assert_eq!(t.check("anna", Some(ip), now), None, "four failures");
    }

    #[test]
    fn nobody_can_lock_an_account_for_more_than_a_minute() {
        let t = Throttle::default();
        let mut now = Instant::now();
        for i in 0..100 {
            // A different client each time: only the account's own record grows.
            let ip: IpAddr = format!("198.51.100.{i}").parse().unwrap();
            if let Some(w) = t.check("anna", Some(ip), now) {
                now += w;
            }
            fail(&t, "anna", Some(ip), now);
        }
        assert_eq!(t.check("anna", None, now), Some(ACCOUNT_MAX_WAIT));
        assert_eq!(t.check("anna", None, now + ACCOUNT_MAX_WAIT), None);
    }

    #[test]
    fn a_guessing_client_waits_longer_whatever_name_it_tries() {
        let t = Throttle::default();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let mut now = Instant::now();
        for i in 0..30 {
            if let Some(w) = t.check(&format!("user{i}"), Some(ip), now) {
                now += w;
            }
            fail(&t, &format!("user{i}"), Some(ip), now);
        }
        assert_eq!(
            t.check("someone-else", Some(ip), now),
            Some(CLIENT_MAX_WAIT)
        );
        // Signing in to an account of one's own clears nothing of the client's record.
        t.reserve("user0", None, now).unwrap().succeeded();
        assert_eq!(
            t.check("someone-else", Some(ip), now),
            Some(CLIENT_MAX_WAIT)
        );
    }

    #[test]
    fn a_client_sends_the_burst_of_reports_then_one_a_minute() {
        let r = Reports::default();
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let other: IpAddr = "192.0.2.10".parse().unwrap();
        let now = Instant::now();
        for _ in 0..REPORT_BURST {
            assert!(r.take(Some(ip), now).is_ok());
        }
        assert_eq!(r.take(Some(ip), now), Err(REPORT_EVERY));
        assert!(
            r.take(Some(other), now).is_ok(),
            "another client is not held back"
        );
        assert!(r.take(Some(ip), now + REPORT_EVERY).is_ok());
        assert!(r.take(Some(ip), now + REPORT_EVERY).is_err());
    }
}
