//! Consistent snapshots of a running SQLite database, and restoring them.

use crate::{Backend, DatabaseUrl, Result, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a consistent copy of the live database to `dest`. SQLite's `VACUUM INTO` reads
    /// inside one transaction, so writers may go on meanwhile and the copy is still whole.
    pub async fn backup_to(&self, dest: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "backup copies an SQLite database; for PostgreSQL use pg_dump".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!(
                "{} exists already; choose a new file",
                dest.display()
            )));
        }
        let path = dest.to_str().ok_or_else(|| {
            StoreError::Invalid(format!("{} is not a usable path", dest.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(self.pool())
            .await?;
        // A backup is a copy of everything, identities included: recorded once it exists.
        let mut tx = self.write().await?;
        crate::audit::append(&mut tx, None, "backup.create", None, &[]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Puts a backup in place of the database at `url`. The server must be stopped. Refuses to
/// overwrite an existing database unless `force` is given.
pub async fn restore(backup: &Path, url: &DatabaseUrl, force: bool) -> Result<()> {
    let DatabaseUrl::Sqlite(target) = url else {
        return Err(StoreError::Invalid(
            "restore writes an SQLite database; for PostgreSQL use pg_restore".into(),
        ));
    };
    if !backup.exists() {
        return Err(StoreError::Invalid(format!(
            "there is no backup at {}",
            backup.display()
        )));
    }
    // Check that the backup is an Iskra database before touching anything. Read-only and
    // immutable: opening it as a store would run migrations and switch it to WAL, changing
    // the backup itself. Anything unreadable counts as holding no organisation.
    let org: Option<String> = {
        use sqlx::{ConnectOptions, Connection};
        match sqlx::sqlite::SqliteConnectOptions::new()
            .filename(backup)
            .read_only(true)
            .immutable(true)
            .connect()
            .await
        {
            Ok(mut conn) => {
                let name = sqlx::query_scalar("SELECT name FROM organisation WHERE id = 1")
                    .fetch_optional(&mut conn)
                    .await
                    .ok()
                    .flatten();
                let _ = conn.close().await;
                name
            }
            Err(_) => None,
        }
    };
    if org.is_none() {
        return Err(StoreError::Invalid(format!(
            "{} holds no organisation; it is not an Iskra backup",
            backup.display()
        )));
    }
    if target.exists() && !force {
        return Err(StoreError::Invalid(format!(
            "{} exists; restoring would overwrite it. Stop the server and add --force to replace it",
            target.display()
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", dir.display())))?;
    }
    // SQLite names its side files by appending to the database's whole file name
    // (iskra.sqlite-wal), whatever its extension.
    let beside = |suffix: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    // Copy beside the target, then rename over it, so a failure never leaves half a database.
    let tmp = beside(".restoring");
    std::fs::copy(backup, &tmp)
        .map_err(|e| StoreError::Invalid(format!("copying the backup: {e}")))?;
    // A log left by the old database would be replayed over the restored one.
    for suffix in ["-wal", "-shm"] {
        let side = beside(suffix);
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(|e| StoreError::Invalid(format!("{}: {e}", side.display())))?;
        }
    }
    std::fs::rename(&tmp, target)
        .map_err(|e| StoreError::Invalid(format!("replacing the database: {e}")))?;
    Ok(())
}
