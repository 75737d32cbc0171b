//! The count's integration tests, in one test binary: the official results and reference
//! programs each count is checked against, by source. `cargo test -p count --test it glasgow::`
//! runs one source's. The data they read is vendored under `tests/data` (see its README).

mod debian;
mod formats;
mod glasgow;
mod pref_voting;
mod properties;
