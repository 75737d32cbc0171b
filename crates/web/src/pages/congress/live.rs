//! The projector and the live stream.

use super::presidium::speech_clock;
use super::{ctx, decision_words, live_region, participation};
use crate::access::{allowed, Action};
use crate::error::{AppError, AppResult};
use crate::layout;
use crate::pages::who;
use crate::session::{Signed, Viewer};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use core_rules::congress::record::Part;
use maud::html;

pub async fn projector(
    State(state): State<AppState>,
    Signed(session): Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let cx = ctx(&state, &session, id).await?;
    let store = &state.store;
    let speaker = store.current_speaker(id).await?;
    let votes = store.votes(id).await?;
    let q = store.quorum(id).await?;
    let mut open = Vec::new();
    for v in votes.iter().filter(|v| v.open) {
        open.push((v, store.votes_cast(v.id).await?));
    }
    let last = votes.iter().rev().find(|v| !v.open);
    let body = html! {
        (live_region(id, true, html! {
            div.projector {
                h1 { (cx.congress.name) }
                p.big #speaker { "Speaking: " strong { @match &speaker { Some(s) => (s.pseudonym), None => "—" } }
                    @if let Some(s) = &speaker { " · " (speech_clock(s)) } }
                p #presence { (q.present) " of " (q.entitled) " mandates present · " @if q.met { "quorum" } @else { "no quorum" } }
                @for (v, n) in &open {
                    p.big.vote { "Voting: " strong { (v.title) } " — " span #cast { (n) } " mandates have voted" }
                }
                @if open.is_empty() { p.big.vote { "No vote open" } }
                @if let Some(v) = last { @if let Some(o) = &v.outcome {
                    p #result { "Result — " (v.title) ": " strong { (decision_words(o.decision)) } " · yes " (o.yes) " · no " (o.no) " · abstain " (o.abstain) }
                } }
            }
        }))
    };
    Ok(layout::page("Projector", &state.org_name, &session, body).into_response())
}

/// What a live stream asks for.
#[derive(serde::Deserialize)]
pub struct LiveQuery {
    /// `1`: also tell of votes being cast (the projector and the console show the count).
    tally: Option<u8>,
}

/// The shortest time between two `tally` events on one stream: a thousand votes cast in a few
/// seconds become a few events a second, not a thousand.
const TALLY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// How often an open stream checks its viewer again when nothing else makes it: the backstop
/// for what sends no signal (a session's idle or maximum time running out, a membership lapsing
/// and with it the offices, a signal lost while a server's listener reconnected).
const RECHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The first backstop check comes after [`RECHECK_EVERY`] and up to this much more, at random:
/// streams opened together (a hall reconnecting at once) do not all check at the same moment.
const RECHECK_SPREAD_MS: u64 = 10_000;

struct LiveState {
    state: AppState,
    /// The session's token, to check that the session still stands; and its account, to hear
    /// when its access narrows.
    token: String,
    account: i64,
    congress: i64,
    rx: tokio::sync::broadcast::Receiver<store::congress::Change>,
    /// Votes being cast, for the pages that show the count.
    tally: Option<tokio::sync::broadcast::Receiver<store::congress::Change>>,
    last_tally: Option<tokio::time::Instant>,
    /// Accounts whose access has narrowed, on any server (`None`: some may have been missed).
    access: tokio::sync::broadcast::Receiver<Option<i64>>,
    recheck: tokio::time::Interval,
}

impl LiveState {
    /// Whether the viewer may still see this congress: their session still stands (read
    /// without touching its idle timer: a stream is not the person's activity), and the access
    /// rules, asked afresh, still let them see it. A fault answers no: the stream ends, and the
    /// page's script opens a new one, which is asked in full.
    async fn still_allowed(&self) -> bool {
        let check = async {
            let Some(session) = self.state.store.session_unchanged(&self.token).await? else {
                return Ok(false);
            };
            let w = who(&self.state, &session).await?;
            let me = participation(&self.state, &w, self.congress).await?;
            Ok::<_, AppError>(allowed(
                &w,
                Action::ViewCongress {
                    participant: me.is_some(),
                },
            ))
        };
        match check.await {
            Ok(yes) => yes,
            Err(AppError::Internal(e)) => {
                tracing::warn!(error = %e, "live stream: checking the viewer failed; stream ended");
                false
            }
            Err(_) => false,
        }
    }
}

/// The next vote cast, on a stream that asked for them; never, on one that did not.
async fn next_tally(
    t: &mut Option<tokio::sync::broadcast::Receiver<store::congress::Change>>,
) -> Result<store::congress::Change, tokio::sync::broadcast::error::RecvError> {
    match t {
        Some(t) => t.recv().await,
        None => std::future::pending().await,
    }
}

/// Server-sent events: one event per change at this congress (`vote`, `speaker`, `presence`,
/// ...; `tally` only when asked for, and at most one per [`TALLY_EVERY`]). The page's script
/// reloads its live part on each.
///
/// A stream lasts only as long as its viewer's access. Before each event it asks again (the
/// session, then `who` and the access rules, as a page request would); it also asks at once when
/// a signal says the viewer's account lost something (a session or an office ended, the account
/// suspended: `Store::access_narrowed`, heard from every server of a PostgreSQL deployment), and
/// every [`RECHECK_EVERY`] whatever happens. When the answer is no, the stream ends, without the
/// event.
///
/// Why all three: the signal ends a stream within moments of a sign-out or an office ended, on
/// any server; the check before each event makes sure nothing is sent on access that has ended
/// without a signal (a membership lapsed, a session run out of time); the periodic check ends
/// such a stream even when no event comes. The check before each event is the costly one (five
/// reads per stream and event: about 0.35 s more before the last of 1,000 streams hears of a
/// vote's close, BENCHMARKS.md), and was kept: it asks exactly what a page request asks, and in a
/// hall each event already makes every page fetch itself again, which costs more.
pub async fn live(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<LiveQuery>,
) -> AppResult<Response> {
    use tokio::sync::broadcast::error::RecvError;
    let Viewer(Some(session), Some(token)) = viewer else {
        return Err(AppError::Login);
    };
    ctx(&state, &session, id).await?;
    let live = state.store.congress_live().await?;
    let first =
        RECHECK_EVERY + std::time::Duration::from_millis(rand::random::<u64>() % RECHECK_SPREAD_MS);
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + first, RECHECK_EVERY);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let st = LiveState {
        state: state.clone(),
        token,
        account: session.account.id,
        congress: id,
        rx: live.subscribe(),
        tally: (q.tally == Some(1)).then(|| live.subscribe_tally()),
        last_tally: None,
        access: live.subscribe_access(),
        recheck,
    };
    let event = |kind: &'static str| {
        Ok::<_, std::convert::Infallible>(SseEvent::default().event(kind).data(kind))
    };
    let stream = futures_util::stream::unfold(st, move |mut st| async move {
        loop {
            let got = tokio::select! {
                r = st.rx.recv() => r,
                r = next_tally(&mut st.tally) => r,
                r = st.access.recv() => {
                    match r {
                        // Another account's: nothing to do with this stream.
                        Ok(Some(a)) if a != st.account => continue,
                        // This account's, or some were missed (`None`, or this receiver
                        // lagged): ask again.
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        // The server's signals are gone: the backstop still asks.
                        Err(RecvError::Closed) => {}
                    }
                    if !st.still_allowed().await {
                        return None;
                    }
                    continue;
                }
                _ = st.recheck.tick() => {
                    if !st.still_allowed().await {
                        return None;
                    }
                    continue;
                }
            };
            let kind = match got {
                Ok(c) if c.congress != st.congress => continue,
                Ok(c) => Some(c.kind),
                // Missed some: tell the page to reload anyway.
                Err(RecvError::Lagged(_)) => None,
                Err(RecvError::Closed) => return None,
            };
            if kind == Some(Part::Tally) {
                if let Some(last) = st.last_tally {
                    tokio::time::sleep_until(last + TALLY_EVERY).await;
                }
                // One event for all the votes cast meanwhile.
                if let Some(t) = st.tally.as_mut() {
                    while !matches!(
                        t.try_recv(),
                        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
                            | Err(tokio::sync::broadcast::error::TryRecvError::Closed)
                    ) {}
                }
                st.last_tally = Some(tokio::time::Instant::now());
            }
            // Nothing goes out to a viewer who may no longer see it.
            if !st.still_allowed().await {
                return None;
            }
            return Some((event(kind.map_or("lagged", Part::code)), st));
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
