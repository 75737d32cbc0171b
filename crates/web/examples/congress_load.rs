//! The congress under load: N delegates (1,000 by default) connected to the live stream cast a
//! vote within a few seconds of its opening, over HTTP on loopback; then the presidium closes it.
//! Run by `bench/congress.sh` (release build); not a test.
//!
//! Measured, per run:
//! - acknowledgement of each vote: from sending the POST to receiving its answer (303);
//! - baseline side by side: the same clients, same spread, `GET /healthz` (a handler that
//!   touches nothing) just before the vote opens, with the same streams open;
//! - publication of the result: from sending the close to each stream receiving its event;
//! - zero lost: every acknowledged vote is in the result and in the roll, and nothing else.
//!
//! The server runs in this process on its own runtime (2 worker threads) on a fresh SQLite
//! store; the clients on another runtime. Every request goes to 127.0.0.1, bounded in number
//! and time. Prints one line of `key=value` figures per run.

use axum::body::Bytes;
use core_rules::congress::ApportionRule;
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::Day;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::people::NewPerson;
use store::{Create, DatabaseUrl, Store};
use tokio::sync::{Barrier, Notify};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[i.min(v.len() - 1)]
}

struct Setup {
    store: Store,
    congress: i64,
    /// (cookie, csrf) per delegate, and the presidium's.
    delegates: Vec<(String, String)>,
    presidium: (String, String),
    _dir: tempfile::TempDir,
}

async fn setup(n: usize) -> anyhow::Result<Setup> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&DatabaseUrl::sqlite_in(dir.path()), Create::IfMissing)
        .await?
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await?;
    let today = Day::today();
    store::init_organisation(
        &store,
        "Load Party",
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
                name: "Load Congress".into(),
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
    // session is started for each directly.
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
    Ok(Setup {
        store,
        congress: c,
        delegates,
        presidium,
        _dir: dir,
    })
}

async fn session(store: &Store, account: i64) -> anyhow::Result<(String, String)> {
    let token = store.start_session(account).await?;
    let s = store.session(&token).await?.expect("the session");
    Ok((format!("iskra-demo={token}"), s.csrf))
}

fn post(
    base: &str,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> axum::http::Request<Full<Bytes>> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    axum::http::Request::post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .header("cookie", cookie)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

fn get(base: &str, path: &str, cookie: &str) -> axum::http::Request<Full<Bytes>> {
    axum::http::Request::get(format!("{base}{path}"))
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// Waits on a stream for the next frame naming `event: vote`.
async fn next_vote_event<B>(body: &mut B, deadline: Duration) -> anyhow::Result<Instant>
where
    B: axum::body::HttpBody<Data = Bytes> + Unpin,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let end = tokio::time::Instant::now() + deadline;
    loop {
        let frame = tokio::time::timeout_at(end, body.frame())
            .await
            .map_err(|_| anyhow::anyhow!("no vote event within {deadline:?}"))?
            .ok_or_else(|| anyhow::anyhow!("the stream ended"))??;
        if let Some(d) = frame.data_ref() {
            if String::from_utf8_lossy(d).contains("event: vote") {
                return Ok(Instant::now());
            }
        }
    }
}

#[derive(Default)]
struct Client1 {
    baseline_ms: f64,
    ack_ms: Option<f64>,
    acked: bool,
    published_at: Option<Instant>,
}

fn main() -> anyhow::Result<()> {
    let n = env("DELEGATES", 1000) as usize;
    let spread_ms = env("SPREAD_MS", 5000);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let t = Instant::now();
    let s = server_rt.block_on(setup(n))?;
    let setup_s = t.elapsed().as_secs_f64();
    let state = server_rt.block_on(web::AppState::new(s.store.clone(), false))?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    server_rt.spawn(async move {
        let _ = axum::serve(listener, web::router(state)).await;
    });
    let c = s.congress;
    let delegates = Arc::new(s.delegates);
    let presidium = s.presidium.clone();
    let store = s.store.clone();
    let result = client_rt.block_on(async move {
        let http: HttpClient = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(usize::MAX)
            .build_http();
        let barrier = Arc::new(Barrier::new(n + 1));
        let go_baseline = Arc::new(Notify::new());
        let vote_id = Arc::new(tokio::sync::OnceCell::<String>::new());
        let mut tasks = Vec::with_capacity(n);
        for i in 0..n {
            let (http, base, delegates, barrier, go, vote_id) = (
                http.clone(),
                base.clone(),
                delegates.clone(),
                barrier.clone(),
                go_baseline.clone(),
                vote_id.clone(),
            );
            let delay = Duration::from_millis((i as u64 * 7919) % spread_ms.max(1));
            tasks.push(tokio::spawn(async move {
                let (cookie, csrf) = &delegates[i];
                let mut out = Client1::default();
                let live = http
                    .request(get(&base, &format!("/congresses/{c}/live"), cookie))
                    .await?;
                anyhow::ensure!(live.status() == 200, "stream refused: {}", live.status());
                let mut body = live.into_body();
                let notified = go.notified();
                barrier.wait().await;
                // Baseline: the same spread, GET /healthz, streams open.
                notified.await;
                tokio::time::sleep(delay).await;
                let t0 = Instant::now();
                let r = http.request(get(&base, "/healthz", cookie)).await?;
                let _ = r.into_body().collect().await;
                out.baseline_ms = t0.elapsed().as_secs_f64() * 1000.0;
                // The vote opens: the stream says so.
                next_vote_event(&mut body, Duration::from_secs(60)).await?;
                // The id is set just after the opening commits; a stream can be told first.
                let v = loop {
                    if let Some(v) = vote_id.get() {
                        break v.clone();
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                };
                tokio::time::sleep(delay).await;
                let choice = if i % 3 == 0 { "no" } else { "yes" };
                let t0 = Instant::now();
                let r = http
                    .request(post(
                        &base,
                        &format!("/congresses/{c}/delegate"),
                        cookie,
                        &[
                            ("do", "vote"),
                            ("vote", &v),
                            ("choice", choice),
                            ("csrf", csrf),
                        ],
                    ))
                    .await?;
                let status = r.status();
                let _ = r.into_body().collect().await;
                out.ack_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
                out.acked = status == 303;
                // The close: the stream says so.
                out.published_at = Some(next_vote_event(&mut body, Duration::from_secs(60)).await?);
                Ok::<_, anyhow::Error>(out)
            }));
        }
        barrier.wait().await;
        go_baseline.notify_waiters();
        // Let the baseline spread run out, then open the vote.
        tokio::time::sleep(Duration::from_millis(spread_ms + 1000)).await;
        let v = store
            .open_vote(
                c,
                "question",
                None,
                "Load vote",
                false,
                count::motion::Rule::SIMPLE,
                None,
            )
            .await?;
        vote_id.set(v.to_string()).ok();
        let opened = Instant::now();
        // Wait until every delegate has answered (or 10 s after the spread), then close.
        let deadline = Instant::now() + Duration::from_millis(spread_ms + 10_000);
        loop {
            let cast = store.votes_cast(v).await? as usize;
            if cast >= n || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let all_cast_s = opened.elapsed().as_secs_f64();
        let close_sent = Instant::now();
        let r = http
            .request(post(
                &base,
                &format!("/congresses/{c}/presidium"),
                &presidium.0,
                &[
                    ("do", "close_vote"),
                    ("vote", &v.to_string()),
                    ("csrf", &presidium.1),
                ],
            ))
            .await?;
        anyhow::ensure!(r.status() == 303, "the close was refused: {}", r.status());
        let close_ms = close_sent.elapsed().as_secs_f64() * 1000.0;
        let mut outs = Vec::new();
        for t in tasks {
            outs.push(t.await??);
        }
        Ok::<_, anyhow::Error>((outs, v, all_cast_s, close_sent, close_ms))
    })?;
    let (outs, v, all_cast_s, close_sent, close_ms) = result;
    let vote = server_rt.block_on(s.store.vote(v))?.expect("the vote");
    let roll = server_rt.block_on(s.store.roll(v))?;
    let o = vote.outcome.expect("closed");
    let acked = outs.iter().filter(|o| o.acked).count();
    let expected_no = outs
        .iter()
        .enumerate()
        .filter(|(i, o)| o.acked && i % 3 == 0)
        .count() as u64;
    let lost = acked as i64 - (o.yes + o.no) as i64;
    let mut ack: Vec<f64> = outs.iter().filter_map(|o| o.ack_ms).collect();
    let mut base_ms: Vec<f64> = outs.iter().map(|o| o.baseline_ms).collect();
    let mut publ: Vec<f64> = outs
        .iter()
        .filter_map(|o| o.published_at)
        .map(|t| t.saturating_duration_since(close_sent).as_secs_f64() * 1000.0)
        .collect();
    println!(
        "delegates={n} spread_ms={spread_ms} setup_s={setup_s:.1} acked={acked} counted={} roll={} no_ok={} lost={lost} \
         all_cast_s={all_cast_s:.2} ack_p50_ms={:.1} ack_p99_ms={:.1} ack_max_ms={:.1} \
         healthz_p50_ms={:.1} healthz_p99_ms={:.1} close_ms={close_ms:.1} publish_p50_ms={:.1} publish_p99_ms={:.1} publish_max_ms={:.1} streams_told={}",
        o.yes + o.no,
        roll.len(),
        (o.no == expected_no) as u8,
        pct(&mut ack, 50.0),
        pct(&mut ack, 99.0),
        pct(&mut ack, 100.0),
        pct(&mut base_ms, 50.0),
        pct(&mut base_ms, 99.0),
        pct(&mut publ, 50.0),
        pct(&mut publ, 99.0),
        pct(&mut publ, 100.0),
        publ.len(),
    );
    Ok(())
}
