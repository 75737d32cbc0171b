//! The store's integration tests, in one test binary (as rust-analyzer keeps its own): one link
//! of sqlx and the store instead of one per file. Each module is a subject; most stories run
//! once per backend (see `common`). `cargo test -p store --test it stories::` runs the
//! stories, `... paper::` the paper's, and so on; `... postgres` only the PostgreSQL half.

#[macro_use]
mod common;

mod import_bulk;
mod migration_gap;
mod paper;
mod scale;
mod schema;
mod stories;
