//! The binary's integration tests, in one test binary: each runs the built `iskra` as a user or
//! an operator would. Apart stays `tests/congress_kill.rs`, which kills a serving process
//! mid-congress and needs a process of its own.

mod audit_cli;
#[cfg(unix)]
mod data_private;
mod exposure_cli;
mod keys;
mod seizure;
