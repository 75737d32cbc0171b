//! What each subcommand does, one module per subcommand (the arguments are in `cli.rs`).

mod audit;
mod backup;
pub mod count;
mod demo;
mod evaluate;
mod export;
mod exposure;
mod generate;
mod import;
mod init;
mod keys;
mod migrate;
mod restore;
mod roles;
mod serve;
mod statutes;

use crate::cli::Command;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Runs a subcommand on the tokio runtime. `iskra count` needs none and is run by `main`
/// before the runtime starts.
pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Init(args) => init::run(args).await,
        Command::Migrate { db } => migrate::run(db).await,
        Command::Import { what } => import::run(what).await,
        Command::Export { what } => export::run(what).await,
        Command::Backup(args) => backup::run(args).await,
        Command::Restore(args) => restore::run(args).await,
        Command::Keys { what } => keys::run(what).await,
        Command::Evaluate(args) => evaluate::run(args).await,
        Command::Statutes { what } => statutes::run(what).await,
        Command::Roles { what } => roles::run(what).await,
        Command::Audit { what } => audit::run(what).await,
        Command::Generate(args) => generate::run(args).await,
        Command::Exposure(args) => exposure::run(args).await,
        Command::Count(_) => unreachable!("handled before the runtime starts"),
    }
}

/// A spinner with the rows done and the rate, on a terminal only (nothing in a log file).
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} rows ({per_sec})")
            .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
