//! A large import into SQLite, alone, writes without the WAL.

use crate::{Result, StoreError};
use sqlx::Any;

/// A large import into SQLite, from a store opened alone, writes without the WAL.
///
/// In WAL mode every page is written twice: to the WAL at commit, and again into the database
/// at the checkpoint. In rollback-journal mode, pages that did not exist before the transaction
/// (nearly all of them, when a million people arrive) are written once, and only the few pages
/// that did exist are copied to the journal first. The switch needs the database to itself, so it
/// is tried once, without waiting; if any other connection has it open the import goes through
/// the WAL as usual. Foreign keys are off meanwhile (`write_rows` checks what they would);
/// the connection is set back to WAL, NORMAL and foreign keys on afterwards, or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BulkWrite {
    Off,
    On,
}

impl BulkWrite {
    pub(super) async fn begin(conn: &mut sqlx::pool::PoolConnection<Any>) -> Result<BulkWrite> {
        use sqlx::Executor;
        conn.execute("PRAGMA busy_timeout = 0").await?;
        let mode: std::result::Result<String, _> =
            sqlx::query_scalar("PRAGMA journal_mode = DELETE")
                .fetch_one(&mut **conn)
                .await;
        let on = matches!(&mode, Ok(m) if m.eq_ignore_ascii_case("delete"));
        let set = if on {
            // A rollback journal needs a full sync at commit to survive a power cut.
            format!(
                "PRAGMA busy_timeout = {}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;",
                crate::SQLITE_BUSY_TIMEOUT_MS
            )
        } else {
            format!("PRAGMA busy_timeout = {}", crate::SQLITE_BUSY_TIMEOUT_MS)
        };
        if let Err(e) = conn.execute(set.as_str()).await {
            conn.close_on_drop();
            return Err(e.into());
        }
        Ok(if on { BulkWrite::On } else { BulkWrite::Off })
    }

    pub(super) async fn end(self, conn: &mut sqlx::pool::PoolConnection<Any>) {
        use sqlx::Executor;
        if self == BulkWrite::Off {
            return;
        }
        let back = async {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
                .fetch_one(&mut **conn)
                .await?;
            conn.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
                .await?;
            Ok::<_, StoreError>(mode.eq_ignore_ascii_case("wal"))
        };
        if !matches!(back.await, Ok(true)) {
            // Never hand back a connection that is not as every other one is.
            conn.close_on_drop();
        }
    }
}
