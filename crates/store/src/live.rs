//! Live signals: "something changed in congress 3", for the pages that update without reloading.
//!
//! A signal is announced after its change is committed and reaches every subscriber of every
//! Iskra server on the same database. On PostgreSQL it travels through the database itself
//! (`NOTIFY iskra_live`, each server `LISTEN`ing once), so several servers behind a load
//! balancer see each other's changes with no broker and no shared memory. SQLite is one server's
//! database, and its signals stay in the process.
//!
//! A signal names what changed and carries ids and fixed words only, never a name or text typed
//! by a person: it may pass through the database's logs. Subscribers re-read what they show
//! through the access rules; a signal is a cue, not content. A signal lost (a listener
//! reconnecting, a crash between commit and announcement) loses nothing stored: a page that
//! reconnects reads the current state.

use crate::{Backend, DatabaseUrl, Result, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{broadcast, OnceCell};

/// The PostgreSQL channel every server listens on.
const CHANNEL: &str = "iskra_live";

/// Room for signals not yet taken by a slow subscriber; one that falls further behind is told it
/// lagged and re-reads.
const BACKLOG: usize = 4096;

/// One change, as subscribers hear of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    /// What changed, e.g. `congress`.
    pub topic: String,
    /// Which one and how, e.g. `3 vote.open`.
    pub detail: String,
}

/// The server's end of the signals: one broadcast, fed by the database listener on PostgreSQL.
#[derive(Debug)]
pub(crate) struct Hub {
    tx: broadcast::Sender<Signal>,
    listening: OnceCell<()>,
}

impl Hub {
    pub(crate) fn new() -> Arc<Hub> {
        let (tx, _) = broadcast::channel(BACKLOG);
        Arc::new(Hub {
            tx,
            listening: OnceCell::new(),
        })
    }
}

fn check(what: &str, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | ':'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Internal(format!(
            "a live signal's {what} must be 1 to 200 characters of letters, digits, spaces and .-_:"
        )))
    }
}

impl Store {
    /// Hears every signal announced from now on, on this server and (PostgreSQL) on every other
    /// server of the same database. On PostgreSQL the first subscription opens the listening
    /// connection; it is listening when this returns, so nothing announced afterwards is missed.
    pub async fn listen_live(&self) -> Result<broadcast::Receiver<Signal>> {
        if self.backend == Backend::Postgres {
            let DatabaseUrl::Postgres(url) = &self.url else {
                unreachable!("a PostgreSQL store has a PostgreSQL URL")
            };
            let hub = self.live.clone();
            self.live
                .listening
                .get_or_try_init(|| async {
                    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
                    listener.listen(CHANNEL).await?;
                    tokio::spawn(async move {
                        loop {
                            // `recv` reconnects by itself after a lost connection (and LISTENs
                            // again); what was announced meanwhile is lost, as the module says.
                            match listener.recv().await {
                                Ok(n) => {
                                    if let Some((topic, detail)) = n.payload().split_once('\t') {
                                        let _ = hub.tx.send(Signal {
                                            topic: topic.into(),
                                            detail: detail.into(),
                                        });
                                    }
                                }
                                Err(e) => {
                                    tracing::warn!("live listener: {e}");
                                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                                }
                            }
                        }
                    });
                    Ok::<(), StoreError>(())
                })
                .await?;
        }
        Ok(self.live.tx.subscribe())
    }

    /// [`Store::announce`] from code that cannot wait: on SQLite sent at once (so in order), on
    /// PostgreSQL on a task of its own. A signal that cannot be sent is logged, not returned:
    /// the change it announces is already committed.
    pub fn announce_soon(&self, topic: &'static str, detail: String) {
        if self.backend == Backend::Sqlite {
            if let Err(e) = check("detail", &detail) {
                tracing::warn!("live signal not sent: {e}");
                return;
            }
            let _ = self.live.tx.send(Signal {
                topic: topic.into(),
                detail,
            });
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.announce(topic, &detail).await {
                tracing::warn!("live signal not sent: {e}");
            }
        });
    }

    /// Tells every subscriber that something changed. Call it after the change's transaction
    /// has committed.
    pub async fn announce(&self, topic: &str, detail: &str) -> Result<()> {
        check("topic", topic)?;
        check("detail", detail)?;
        match self.backend {
            // Through the database, back to this server's listener too: one path for all.
            Backend::Postgres => {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(format!("{topic}\t{detail}"))
                    .execute(&self.pool)
                    .await?;
            }
            Backend::Sqlite => {
                // Nobody listening is no error.
                let _ = self.live.tx.send(Signal {
                    topic: topic.into(),
                    detail: detail.into(),
                });
            }
        }
        Ok(())
    }
}
