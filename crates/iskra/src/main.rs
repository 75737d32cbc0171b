//! `iskra`: the command line, and the wiring of store, web and count. The arguments are declared
//! in `cli.rs`, each subcommand's work is in `cmd/`, opening the database and its key in
//! `db.rs`; here the process is set up (allocator, umask, logging) and the subcommand run.

mod cli;
mod cmd;
mod db;

use anyhow::Result;
use clap::Parser;
use cli::{Cli, Command};

/// Large allocations (each password hash's 19 MiB of Argon2 memory) are given back to the
/// system when freed. glibc's default raises its mmap threshold after the first such block is
/// freed, and from then on keeps the blocks in per-thread heaps: a few dozen logins left the
/// server holding half a gigabyte. A fixed threshold turns that adjustment off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks() {
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks() {}

/// Everything the process creates is private to its owner: SQLite's own files, exports,
/// backups, key files. The store makes the data directory and the database private itself,
/// whatever the umask; this covers the rest.
#[cfg(unix)]
fn private_umask() {
    // SAFETY: umask only sets the process's file creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
fn private_umask() {}

fn main() -> Result<()> {
    return_large_blocks();
    private_umask();
    let cli = Cli::parse();
    // Logs name no person and no address: requests are not logged by default at all.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ISKRA_LOG")
                .unwrap_or_else(|_| "iskra=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Count(args) = &cli.command {
        return cmd::count::run(args);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(cmd::run(cli.command))
}
