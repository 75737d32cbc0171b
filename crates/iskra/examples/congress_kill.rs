//! Kill -9 during the 1,000-delegate vote (issue 5): run by `bench/congress_kill.sh` with
//! `ISKRA_BIN` naming a release build of the binary; not a test. Prints one line of `key=value`
//! figures. The scenario is in `tests/support/congress_kill.rs`, shared with the small test.

#[path = "../tests/support/congress_kill.rs"]
mod congress_kill;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let spread_ms = env("SPREAD_MS", 5000);
    let settings = congress_kill::Settings {
        bin: std::env::var("ISKRA_BIN")
            .map_err(|_| anyhow::anyhow!("ISKRA_BIN must name the iskra binary"))?
            .into(),
        delegates: env("DELEGATES", 1000) as usize,
        spread_ms,
        kill_at_ms: env("KILL_AT_MS", spread_ms / 2),
    };
    let dir = std::env::temp_dir().join(format!("iskra-kill-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    // The client runtime: 2 threads, like the load benchmark's; the server is its own process.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let r = rt.block_on(congress_kill::run(&settings, &dir));
    let _ = std::fs::remove_dir_all(&dir);
    let r = r?;
    println!(
        "{} kill_at_ms={} spread_ms={spread_ms}",
        r.line(),
        settings.kill_at_ms
    );
    anyhow::ensure!(r.lost == 0 && r.wrong_choice == 0, "ballots lost");
    Ok(())
}
