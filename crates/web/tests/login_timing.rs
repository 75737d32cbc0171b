//! Login timing, in a test binary of its own so that no other test's Argon2 shares the CPU
//! (nor the store's process-wide queue of hashes) while it measures.

use std::time::{Duration, Instant};

// The suite's harness (`it/common`), for the store it starts on.
#[path = "it/common/mod.rs"]
mod common;

/// Login timing: an unknown account must cost what a wrong password costs, or the response time
/// tells an observer which login names exist. Interleaved, so that load on a shared machine
/// falls on both alike; medians, so that one stall does not decide.
#[tokio::test]
async fn an_unknown_account_takes_as_long_as_a_wrong_password() {
    let (store, _dir) = common::demo_store().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    // Warm up the dummy hash and the connection pool.
    store.check_login("nobody", "x").await.unwrap();
    store.check_login("member", "x").await.unwrap();
    for i in 0..41 {
        let (a, b) = if i % 2 == 0 {
            ("member", "nobody-here")
        } else {
            ("nobody-here", "member")
        };
        for login in [a, b] {
            let t = Instant::now();
            assert!(store
                .check_login(login, "wrong password")
                .await
                .unwrap()
                .is_none());
            let d = t.elapsed();
            if login == "member" {
                known.push(d);
            } else {
                unknown.push(d);
            }
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (k, u) = (median(&mut known), median(&mut unknown));
    let diff = (k - u).abs() / k.max(u);
    assert!(
        diff < 0.10,
        "known {:.1} ms vs unknown {:.1} ms: {:.0}% apart",
        k * 1e3,
        u * 1e3,
        diff * 100.0
    );
}
