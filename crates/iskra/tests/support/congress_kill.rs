//! Kill -9 during a congress vote (issue 5, Speed and load): delegates vote over HTTP against the
//! real `iskra serve` process; in the middle of the vote the process is killed with SIGKILL
//! (`std::process::Child::kill` sends SIGKILL on Unix, exactly `kill -9`), restarted on the same
//! database, and the delegates whose request failed try again. At the end every ballot that was
//! acknowledged (its POST answered 303) must be in the roll with the choice sent, and the count
//! must equal the roll.
//!
//! Shared by the test `tests/congress_kill.rs` (a few dozen delegates) and the benchmark
//! `examples/congress_kill.rs` run by `bench/congress_kill.sh` (1,000). The HTTP client is a
//! minimal HTTP/1.1 one (one connection per request, `Connection: close`) so that it needs no
//! dependency the binary does not already have; everything goes to 127.0.0.1.
//!
//! What makes an acknowledged ballot durable: the store commits the ballot before the handler
//! answers 303, and SQLite runs in WAL mode with `synchronous = NORMAL` (see `store::Store::open`).
//! In that mode a commit is appended to the WAL with write(2) before COMMIT returns, so it is in
//! the operating system's page cache and survives the death of the process (kill -9, a panic, an
//! OOM kill); only a power loss or a kernel crash can lose the last commits, since the WAL is
//! fsynced at checkpoints, not at each commit. This scenario is the process kill.

#![allow(dead_code)]

use core_rules::congress::ApportionRule;
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::Day;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::people::NewPerson;
use store::{Create, DatabaseUrl, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Settings {
    /// The `iskra` binary to run as the server.
    pub bin: PathBuf,
    pub delegates: usize,
    /// The delegates' votes are spread over this many milliseconds after the vote opens.
    pub spread_ms: u64,
    /// The server is killed this many milliseconds after the vote opens.
    pub kill_at_ms: u64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub delegates: usize,
    /// Acknowledged (303) by the first server, before the kill.
    pub acked_before_kill: usize,
    /// First attempts that failed because the server died under them or was down.
    pub failed_at_kill: usize,
    /// Acknowledged by the restarted server (retries and votes sent after the restart).
    pub acked_after_restart: usize,
    /// Retries refused as a second vote: the first attempt had committed, but its answer was lost
    /// with the process. They must be in the roll too.
    pub committed_unacked: usize,
    /// Acknowledged ballots missing from the roll, or with another choice than the one sent.
    pub lost: usize,
    pub wrong_choice: usize,
    pub roll: usize,
    pub counted: u64,
    /// From the kill to the restarted server answering /healthz.
    pub restart_ms: f64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub setup_s: f64,
}

impl Report {
    pub fn line(&self) -> String {
        format!(
            "delegates={} acked_before_kill={} failed_at_kill={} acked_after_restart={} committed_unacked={} \
             roll={} counted={} lost={} wrong_choice={} restart_ms={:.0} ack_p50_ms={:.1} ack_p99_ms={:.1} setup_s={:.1}",
            self.delegates,
            self.acked_before_kill,
            self.failed_at_kill,
            self.acked_after_restart,
            self.committed_unacked,
            self.roll,
            self.counted,
            self.lost,
            self.wrong_choice,
            self.restart_ms,
            self.ack_p50_ms,
            self.ack_p99_ms,
            self.setup_s,
        )
    }
}

struct Fixture {
    congress: i64,
    /// (cookie, csrf) per delegate, and the presidium's.
    delegates: Vec<(String, String)>,
    presidium: (String, String),
}

const KEY_FILE: &str = "iskra.key";
/// The data directory, beside the key (the server refuses a key inside its data directory).
const DATA: &str = "data";

/// A fresh organisation in `dir`: `n` members with a vote, each a delegate with one mandate,
/// checked in, each with a session; a presidium account. The key is in `dir/iskra.key`, the
/// database in `dir/data`.
async fn setup(dir: &Path, n: usize) -> anyhow::Result<Fixture> {
    let key = store::vault::create_key_file(&dir.join(KEY_FILE))?;
    std::fs::create_dir_all(dir.join(DATA))?;
    let store = Store::open(&DatabaseUrl::sqlite_in(&dir.join(DATA)), Create::IfMissing)
        .await?
        .unlock(&store::vault::KeySource::Key(key))
        .await?;
    let today = Day::today();
    store::init_organisation(
        &store,
        "Kill Party",
        "CC",
        "admin",
        "admin password 1",
        today.add_days(-400),
    )
    .await?;
    let cc = store.unit_by_code("cc").await?.expect("cc").id;
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let since = today.add_days(-100);
        let id = store
            .create_person(
                &NewPerson {
                    card: None,
                    pseudonym: format!("Delegate {i:04}"),
                    unit_id: cc,
                    status: Status::Member,
                    since,
                    admitted_on: Some(since),
                    programme_accepted: true,
                    monthly_income_cents: None,
                    reduced_rate: false,
                    identity: Identity::default(),
                },
                None,
            )
            .await?;
        store
            .record_payment(
                &store::dues::NewPayment {
                    person: id,
                    period: today.month(),
                    paid_on: today,
                    amount_cents: 500,
                    source: "treasurer",
                    reference: None,
                },
                None,
            )
            .await?;
        people.push(id);
    }
    store
        .record_meeting(cc, today, "Meeting", &people, None)
        .await?;
    let c = store
        .convene(
            &store::congress::NewCongress {
                name: "Kill Congress".into(),
                held_on: today,
                membership_on: today,
                rule: Some(ApportionRule::PerMembers { per: 1, min: 1 }),
                quorum: (1, 2),
                supporters_needed: 0,
                motion_states: String::new(),
            },
            None,
        )
        .await?;
    // Accounts without the Argon2 work of a real password (nobody signs in with them): a
    // session is started for each directly, and sessions live in the database, so they survive
    // the restart like the ballots.
    let mut delegates = Vec::with_capacity(n);
    let mut parts = Vec::with_capacity(n);
    for (i, p) in people.iter().enumerate() {
        let part = store
            .add_participant(c, *p, store::congress::Kind::Delegate, 1, None)
            .await?;
        parts.push(part);
        let a: i64 = store::sqlx::query_scalar(
            "INSERT INTO accounts (login, person_id, password_hash, is_admin, created_at) \
             VALUES ($1, $2, 'x', 0, 0) RETURNING id",
        )
        .bind(format!("d{i}"))
        .bind(*p)
        .fetch_one(store.pool())
        .await?;
        delegates.push(session(&store, a).await?);
    }
    store.set_presence(c, &parts, true, None).await?;
    let a: i64 = store::sqlx::query_scalar(
        "INSERT INTO accounts (login, person_id, password_hash, is_admin, created_at) \
         VALUES ('presidium', NULL, 'x', 0, 0) RETURNING id",
    )
    .fetch_one(store.pool())
    .await?;
    store::sqlx::query(
        "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, 0)",
    )
    .bind(a)
    .bind(cc)
    .bind(Role::Presidium.code())
    .execute(store.pool())
    .await?;
    let presidium = session(&store, a).await?;
    store.close().await;
    Ok(Fixture {
        congress: c,
        delegates,
        presidium,
    })
}

async fn session(store: &Store, account: i64) -> anyhow::Result<(String, String)> {
    let token = store.start_session(account).await?;
    let s = store.session(&token).await?.expect("the session");
    Ok((format!("iskra-demo={token}"), s.csrf))
}

/// The server process: `iskra serve` on the database in `dir`, on a loopback port.
fn spawn_server(bin: &Path, dir: &Path, port: u16) -> anyhow::Result<Child> {
    Ok(Command::new(bin)
        .args(["serve", "--insecure-localhost", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(dir.join(DATA))
        .arg("--key-file")
        .arg(dir.join(KEY_FILE))
        .env_remove("ISKRA_DATABASE_URL")
        .env_remove("ISKRA_PASSPHRASE")
        .env("ISKRA_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One request on its own connection; the status and the body.
async fn request(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> std::io::Result<(u16, String)> {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Cookie: {cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no status line"))?;
    Ok((status, text))
}

async fn wait_healthy(port: u16, within: Duration) -> anyhow::Result<()> {
    let end = Instant::now() + within;
    loop {
        if let Ok((200, _)) = request(port, "GET", "/healthz", "", &[]).await {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < end,
            "the server did not answer within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[i.min(v.len() - 1)]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// 303 from the first server (with the time it took) or from the restarted one.
    AckedBefore(f64),
    AckedAfter,
    /// A retry refused as a second vote: the first attempt committed unacknowledged.
    Duplicate,
}

/// Kills the child on drop, so that a failing run leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the scenario in `dir` (which must exist and be empty).
pub async fn run(s: &Settings, dir: &Path) -> anyhow::Result<Report> {
    let n = s.delegates;
    let t = Instant::now();
    let fx = setup(dir, n).await?;
    let setup_s = t.elapsed().as_secs_f64();
    let c = fx.congress;
    let port = free_port()?;
    let mut first = Server(spawn_server(&s.bin, dir, port)?);
    wait_healthy(port, Duration::from_secs(60)).await?;
    // The presidium opens a roll call over HTTP, as from the console.
    let (status, text) = request(
        port,
        "POST",
        &format!("/congresses/{c}/presidium"),
        &fx.presidium.0,
        &[
            ("do", "open_vote"),
            ("subject", "question"),
            ("title", "Kill vote"),
            ("secret", "0"),
            ("majority", "simple"),
            ("csrf", &fx.presidium.1),
        ],
    )
    .await?;
    anyhow::ensure!(status == 303, "the opening was refused: {status}\n{text}");
    let opened = Instant::now();
    // The vote's number, from the first delegate's page (its voting form).
    let (status, page) = request(
        port,
        "GET",
        &format!("/congresses/{c}/delegate"),
        &fx.delegates[0].0,
        &[],
    )
    .await?;
    anyhow::ensure!(status == 200, "the delegate page: {status}");
    let marker = "name=\"vote\" value=\"";
    let at = page
        .find(marker)
        .ok_or_else(|| anyhow::anyhow!("no open vote on the delegate page"))?
        + marker.len();
    let vote: String = page[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let vote_id: i64 = vote.parse()?;

    let (up_tx, up_rx) = tokio::sync::watch::channel(0u8); // 0 first server, 1 restarted
    let delegates = Arc::new(fx.delegates);
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let delegates = delegates.clone();
        let vote = vote.clone();
        let mut up = up_rx.clone();
        let delay = Duration::from_millis((i as u64 * 7919) % s.spread_ms.max(1));
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(tokio::time::Instant::from_std(opened + delay)).await;
            let (cookie, csrf) = &delegates[i];
            let choice = if i % 3 == 0 { "no" } else { "yes" };
            let path = format!("/congresses/{c}/delegate");
            let form = [
                ("do", "vote"),
                ("vote", vote.as_str()),
                ("choice", choice),
                ("csrf", csrf.as_str()),
            ];
            let mut failed_first = false;
            for attempt in 0..5 {
                let generation = *up.borrow();
                let t0 = Instant::now();
                match request(port, "POST", &path, cookie, &form).await {
                    Ok((303, _)) if generation == 0 && attempt == 0 => {
                        return Ok((
                            Outcome::AckedBefore(t0.elapsed().as_secs_f64() * 1000.0),
                            false,
                        ));
                    }
                    Ok((303, _)) => return Ok((Outcome::AckedAfter, failed_first)),
                    Ok((422, body)) if attempt > 0 && body.contains("already voted") => {
                        return Ok((Outcome::Duplicate, failed_first));
                    }
                    Ok((code, body)) => {
                        anyhow::bail!("delegate {i}: refused with {code}: {body}")
                    }
                    Err(_) => {
                        // The server died under this request, or was not up: wait for the
                        // restart, then try again.
                        failed_first |= attempt == 0;
                        if *up.borrow() == 0 {
                            up.wait_for(|g| *g >= 1).await?;
                        } else {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            }
            anyhow::bail!("delegate {i}: no answer after 5 attempts")
        }));
    }
    // The kill, in the middle of the vote.
    tokio::time::sleep_until(tokio::time::Instant::from_std(
        opened + Duration::from_millis(s.kill_at_ms),
    ))
    .await;
    first.0.kill()?; // SIGKILL
    let killed = Instant::now();
    first.0.wait()?;
    drop(first);
    let second = Server(spawn_server(&s.bin, dir, port)?);
    wait_healthy(port, Duration::from_secs(60)).await?;
    let restart_ms = killed.elapsed().as_secs_f64() * 1000.0;
    up_tx.send(1)?;
    let mut outcomes = Vec::with_capacity(n);
    for t in tasks {
        outcomes.push(t.await??);
    }
    // The restarted server closes the vote.
    let (status, text) = request(
        port,
        "POST",
        &format!("/congresses/{c}/presidium"),
        &fx.presidium.0,
        &[
            ("do", "close_vote"),
            ("vote", &vote),
            ("csrf", &fx.presidium.1),
        ],
    )
    .await?;
    anyhow::ensure!(status == 303, "the close was refused: {status}\n{text}");
    drop(second);

    // Verification, on the database as the servers left it.
    let store = Store::open(&DatabaseUrl::sqlite_in(&dir.join(DATA)), Create::Never).await?;
    let v = store.vote(vote_id).await?.expect("the vote");
    let o = v.outcome.expect("the vote is closed");
    let roll: BTreeMap<String, String> = store
        .roll(vote_id)
        .await?
        .into_iter()
        .map(|r| (r.pseudonym, r.choice.code().to_string()))
        .collect();
    store.close().await;
    let mut r = Report {
        delegates: n,
        roll: roll.len(),
        counted: o.yes + o.no + o.abstain,
        restart_ms,
        setup_s,
        ..Report::default()
    };
    let mut ack = Vec::new();
    for (i, (outcome, failed_first)) in outcomes.iter().enumerate() {
        r.failed_at_kill += *failed_first as usize;
        match outcome {
            Outcome::AckedBefore(ms) => {
                r.acked_before_kill += 1;
                ack.push(*ms);
            }
            Outcome::AckedAfter => r.acked_after_restart += 1,
            Outcome::Duplicate => r.committed_unacked += 1,
        }
        let sent = if i % 3 == 0 { "no" } else { "yes" };
        match roll.get(&format!("Delegate {i:04}")) {
            None => r.lost += 1,
            Some(c) if c != sent => r.wrong_choice += 1,
            Some(_) => {}
        }
    }
    r.ack_p50_ms = pct(&mut ack, 50.0);
    r.ack_p99_ms = pct(&mut ack, 99.0);
    Ok(r)
}
