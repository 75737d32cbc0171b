//! The web crate's integration tests, in one test binary (as the store's): one link of axum,
//! sqlx and the store instead of one per file. Each module is a subject; all of them start the
//! server and sign in through `common`. `cargo test -p web --test it sessions::` runs the
//! sessions' tests, `... paper::` the paper's, and so on.
//!
//! Tests share this process, so none may set process-wide state (environment variables, the
//! umask, the working directory); a test that must is a binary of its own. One stays apart:
//!
//! - `tests/login_timing.rs` measures how long a login takes: in here, other tests' Argon2
//!   hashes would share the CPU (and the store's process-wide queue of hashes) while it measures.
//!
//! `two_servers` is in here: its two servers share this process as they always shared the
//! test's, and talk only through the database (the one thing in the process both see, the cache
//! of typeset PDFs, is keyed by the edition's content).

mod common;

mod bounds;
mod browser;
mod closed_units;
mod congress;
mod congress_live;
mod delegates;
mod exposure;
mod http;
mod live_access;
mod need_to_know;
mod paper;
mod paper_browser;
mod sessions;
mod transfers;
mod two_servers;
