//! Kill -9 during a congress vote, at small scale: 40 delegates vote over HTTP against the real
//! `iskra serve` process, which is killed with SIGKILL a third of the way through the vote and
//! restarted on the same database; every ballot acknowledged with a 303 (by either process) is in
//! the roll with the choice sent, the retries of requests that died with the process either land
//! or are refused as a second vote (their first attempt had committed), and the count is the roll.
//! The same scenario at 1,000 delegates is `bench/congress_kill.sh`.

#[path = "support/congress_kill.rs"]
mod congress_kill;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ballots_survive_kill_9() {
    let dir = std::env::temp_dir().join(format!("iskra-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let settings = congress_kill::Settings {
        bin: env!("CARGO_BIN_EXE_iskra").into(),
        delegates: 40,
        spread_ms: 1500,
        kill_at_ms: 500,
    };
    let r = congress_kill::run(&settings, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    let r = r.expect("the scenario ran");
    eprintln!("{}", r.line());
    // The kill really fell in the middle: some ballots were acknowledged by the first process,
    // some only by the restarted one.
    assert!(r.acked_before_kill > 0, "{}", r.line());
    assert!(r.acked_after_restart > 0, "{}", r.line());
    assert_eq!(
        r.acked_before_kill + r.acked_after_restart + r.committed_unacked,
        40
    );
    assert_eq!(r.lost, 0, "acknowledged ballots lost: {}", r.line());
    assert_eq!(r.wrong_choice, 0, "{}", r.line());
    assert_eq!(r.roll, 40, "{}", r.line());
    assert_eq!(r.counted, 40, "{}", r.line());
}
