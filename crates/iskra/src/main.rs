//! `iskra`: the command line, and the wiring of store, web and count. The arguments are declared
//! in `cli.rs`, each subcommand's work is in `cmd/`, opening the database and its key in
//! `db.rs`; here the process is set up (allocator, umask, logging) and the subcommand run.

mod cli;
mod cmd;
mod db;

use anyhow::Result;
use clap::Parser;
use cli::{Cli, Command};

/// The allocator policy, set once for the whole process: glibc's malloc, tuned.
///
/// Large allocations (each password hash's 19 MiB of Argon2 memory) are given back to the
/// system when freed. glibc's default raises its mmap threshold after the first such block is
/// freed, and from then on keeps the blocks in per-thread heaps: a few dozen logins left the
/// server holding half a gigabyte. A fixed threshold turns that adjustment off.
///
/// The pages that read a whole organisation give back what earlier work freed before they build
/// their index (see `web::memory`): glibc's `malloc_trim`, installed here as the web's hook.
///
/// mimalloc and jemalloc as the global allocator were measured against this (BENCHMARKS.md,
/// "Server memory", the allocator): the exposure page's peak was 96 MB and 62 MB against 53 MB
/// here, and mimalloc kept the logins' Argon2 memory. So glibc, tuned, stays.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // Unsafe blocks, each justified by its SAFETY comment.
fn allocator_policy() {
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    web::memory::install_give_back_hook(|| {
        // SAFETY: malloc_trim only returns free memory to the system; it is thread-safe.
        unsafe {
            libc::malloc_trim(0);
        }
    });
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn allocator_policy() {}

/// Everything the process creates is private to its owner: SQLite's own files, exports,
/// backups, key files. The store makes the data directory and the database private itself,
/// whatever the umask; this covers the rest.
#[cfg(unix)]
#[allow(unsafe_code)] // One unsafe block, justified by its SAFETY comment.
fn private_umask() {
    // SAFETY: umask only sets the process's file creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
fn private_umask() {}

fn main() -> Result<()> {
    allocator_policy();
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
