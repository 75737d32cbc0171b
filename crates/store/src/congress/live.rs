//! The live channel: what changed at a congress, fanned out to this server's live pages, and
//! the accounts whose access has narrowed (the `access` topic).

use crate::{Result, Store, StoreError};
use core_rules::congress::record::Part;
use tokio::sync::broadcast;

/// Something changed at a congress: the live pages reload what `kind` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub congress: i64,
    pub kind: Part,
}

/// The live signal's topic for an account whose access has narrowed (`access`, `ACCOUNT`):
/// sent by `Store::access_narrowed`.
pub(crate) const ACCESS_TOPIC: &str = "access";

/// The fan-out of congress changes to this server's live pages. Changes travel as
/// `store::live` signals (`congress`, `ID KIND`), so that a change made on any server of the
/// same PostgreSQL database reaches the pages of every server; one task per server turns the
/// signals back into [`Change`]s here.
///
/// The same task passes on the accounts whose access has narrowed (a session ended, an office
/// ended, the account suspended), announced from any server: a stream stays open only while
/// its viewer may see the congress, and checks again when its account is named.
#[derive(Clone, Debug)]
pub struct Live {
    tx: broadcast::Sender<Change>,
    /// Votes being cast (`tally`) go apart, to the few pages that show the count: a thousand
    /// votes must not wake every delegate's stream a thousand times.
    tally: broadcast::Sender<Change>,
    /// Accounts whose access has narrowed. Rare (sign-outs, offices ended), so every stream
    /// hears every one and checks again only for its own account. `None`: signals were missed
    /// here, any account's among them; every stream checks again.
    access: broadcast::Sender<Option<i64>>,
    /// Whether this server's bridge from the signals is running.
    bridged: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let (tx, _) = broadcast::channel(4096);
        let (tally, _) = broadcast::channel(4096);
        let (access, _) = broadcast::channel(4096);
        Live {
            tx,
            tally,
            access,
            bridged: Default::default(),
        }
    }

    pub fn publish(&self, change: Change) {
        // No subscriber is not an error: nobody is watching.
        let _ = if change.kind == Part::Tally {
            self.tally.send(change)
        } else {
            self.tx.send(change)
        };
    }

    /// Every change but votes being cast.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Votes being cast (`tally`) only.
    pub fn subscribe_tally(&self) -> broadcast::Receiver<Change> {
        self.tally.subscribe()
    }

    /// The accounts whose access has narrowed, on any server of the database (`None`: some
    /// may have been missed, check anyway).
    pub fn subscribe_access(&self) -> broadcast::Receiver<Option<i64>> {
        self.access.subscribe()
    }
}

impl Store {
    /// The congress changes made on every server of this database, for the live pages. The
    /// first call starts this server's bridge from the live signals; changes announced after
    /// it returns are not missed.
    pub async fn congress_live(&self) -> Result<&Live> {
        let live = &self.congress_live;
        live.bridged
            .get_or_try_init(|| async {
                let mut rx = self.listen_live().await?;
                let out = live.clone();
                tokio::spawn(async move {
                    use tokio::sync::broadcast::error::RecvError;
                    loop {
                        match rx.recv().await {
                            Ok(s) if s.topic == "congress" => {
                                let Some((id, kind)) = s.detail.split_once(' ') else {
                                    continue;
                                };
                                let (Ok(congress), Some(kind)) =
                                    (id.parse::<i64>(), Part::parse(kind))
                                else {
                                    continue;
                                };
                                out.publish(Change { congress, kind });
                            }
                            Ok(s) if s.topic == ACCESS_TOPIC => {
                                if let Ok(account) = s.detail.parse::<i64>() {
                                    // Nobody listening is no error.
                                    let _ = out.access.send(Some(account));
                                }
                            }
                            Ok(_) => {}
                            // Pages re-read the whole state on any change: a skipped change
                            // is made good by the next. A skipped narrowing of access is not:
                            // every stream checks its viewer again.
                            Err(RecvError::Lagged(_)) => {
                                let _ = out.access.send(None);
                            }
                            Err(RecvError::Closed) => break,
                        }
                    }
                });
                Ok::<(), StoreError>(())
            })
            .await?;
        Ok(live)
    }

    /// Announces a change, after its transaction has committed.
    pub(crate) fn changed(&self, congress: i64, kind: Part) {
        self.announce_soon("congress", format!("{congress} {}", kind.code()));
    }
}
