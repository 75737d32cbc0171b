//! What the public sees of the papers, and when it changes.

use crate::{Result, Store, StoreError};

/// A number that changes whenever what the public sees of the papers may have changed (a
/// publication created, an edition published, an article moved or edited), on this server or
/// on any other server of the same database. The web keeps the public pages rendered and
/// renders them again when this number moves.
///
/// This server's own changes move it at once, before the mutation returns (so the very next
/// request sees them); another server's arrive as `store::live` signals (`paper`), through
/// PostgreSQL's NOTIFY, a few milliseconds after their commit. A signal lost (the listener
/// reconnecting) is not made good here: the web also renders its pages again after a short
/// while, whatever this number says.
#[derive(Debug, Default)]
pub(crate) struct PublicVersion {
    version: std::sync::atomic::AtomicU64,
    bridged: tokio::sync::OnceCell<()>,
}

impl PublicVersion {
    fn bump(&self) {
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Store {
    /// After a change to what the public may see has committed: moves this server's version at
    /// once and tells the other servers.
    pub(super) fn paper_public_changed(&self) {
        self.paper_public.bump();
        self.announce_soon("paper", "public".to_string());
    }

    /// The current version of the public papers (see [`PublicVersion`]). The first call starts
    /// this server's bridge from the live signals; a change announced after it returns moves
    /// the version.
    pub async fn public_paper_version(&self) -> Result<u64> {
        let p = &self.paper_public;
        if !p.bridged.initialized() {
            p.bridged
                .get_or_try_init(|| async {
                    let mut rx = self.listen_live().await?;
                    let out = p.clone();
                    tokio::spawn(async move {
                        use tokio::sync::broadcast::error::RecvError;
                        loop {
                            match rx.recv().await {
                                Ok(s) if s.topic == "paper" => out.bump(),
                                Ok(_) => {}
                                // Something may have been missed: render again.
                                Err(RecvError::Lagged(_)) => out.bump(),
                                Err(RecvError::Closed) => break,
                            }
                        }
                    });
                    Ok::<(), StoreError>(())
                })
                .await?;
        }
        Ok(p.version.load(std::sync::atomic::Ordering::SeqCst))
    }
}
