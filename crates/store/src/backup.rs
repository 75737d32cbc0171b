//! Consistent snapshots of a running SQLite database, encrypted with age, and restoring them.
//!
//! A backup is encrypted to one or more age X25519 recipients (public keys): the server can
//! write backups it cannot read, so a seized server does not give away its own backups. The
//! plaintext snapshot is only ever written inside a private (0700) temporary directory, beside
//! the destination, and removed as soon as it is encrypted. Every file written here is 0600.

use crate::{Backend, DatabaseUrl, Result, Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

fn io_err(what: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Internal(format!("{}: {e}", what.display()))
}

/// A private temporary directory (0700 on unix) in `beside`'s directory, removed when dropped.
fn private_dir(beside: &Path) -> Result<tempfile::TempDir> {
    let parent = beside
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = tempfile::Builder::new()
        .prefix(".iskra-backup-")
        .tempdir_in(parent)
        .map_err(io_err(parent))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(dir.path()))?;
    }
    Ok(dir)
}

/// A new file, private (0600) from the moment it exists: the restored database is renamed into
/// place with the mode it was written with, and a backup is nobody else's to read either.
fn private_file(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(crate::files::FILE_MODE);
    }
    opts.open(path).map_err(io_err(path))
}

/// Parses age X25519 recipients (`age1...`), naming the one that is not.
pub fn parse_recipients(list: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    list.iter()
        .flat_map(|s| s.split([',', ' ', '\n']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<age::x25519::Recipient>().map_err(|e| {
                StoreError::Internal(format!("{s:?} is not an age recipient (age1...): {e}"))
            })
        })
        .collect()
}

/// Creates a new age identity file (mode 0600 from the start) and returns its public recipient.
pub fn create_backup_identity(path: &Path) -> Result<String> {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io_err(path))?;
    let secret = identity.to_string();
    let text = zeroize::Zeroizing::new(format!(
        "# an Iskra backup identity: it opens backups made with --recipient {recipient}\n{}\n",
        secret.expose_secret()
    ));
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(io_err(path))?;
    Ok(recipient)
}

/// Reads an age identity file (refusing one that group or others may read).
pub fn read_backup_identity(path: &Path) -> Result<age::x25519::Identity> {
    crate::vault::check_private(path)?;
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io_err(path))?);
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .and_then(|l| l.parse::<age::x25519::Identity>().ok())
        .ok_or_else(|| {
            StoreError::Internal(format!(
                "{} holds no age identity (AGE-SECRET-KEY-...)",
                path.display()
            ))
        })
}

impl Store {
    /// Writes a consistent, encrypted copy of the live database to `dest`, readable only with
    /// the identity of one of `recipients`. SQLite's `VACUUM INTO` reads inside one transaction,
    /// so writers may go on meanwhile and the copy is still whole.
    pub async fn backup_to(
        &self,
        dest: &Path,
        recipients: &[age::x25519::Recipient],
    ) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Internal(
                "backup copies an SQLite database; for PostgreSQL use pg_dump".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Internal(format!(
                "{} exists already; choose a new file",
                dest.display()
            )));
        }
        if recipients.is_empty() {
            return Err(StoreError::Internal(
                "a backup needs at least one age recipient (--recipient age1... or ISKRA_BACKUP_RECIPIENT); \
                 make one with `iskra keys backup-identity FILE`".into(),
            ));
        }
        let dir = private_dir(dest)?;
        let snapshot = dir.path().join("snapshot.db");
        // VACUUM INTO writes into an empty file that exists: made private first, it stays so.
        crate::files::create_private_file(&snapshot)?;
        let path = snapshot.to_str().ok_or_else(|| {
            StoreError::Internal(format!("{} is not a usable path", dest.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(self.pool())
            .await?;
        let partial = dir.path().join("backup.age");
        encrypt_file(&snapshot, &partial, recipients)?;
        std::fs::remove_file(&snapshot).map_err(io_err(&snapshot))?;
        // Never overwrite: a file that appeared meanwhile is kept.
        std::fs::hard_link(&partial, dest).map_err(io_err(dest))?;
        // A backup is a copy of everything, identities included: recorded once it exists.
        let mut tx = self.write().await?;
        crate::audit::append(&mut tx, None, "backup.create", None, &[]).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn encrypt_file(from: &Path, to: &Path, recipients: &[age::x25519::Recipient]) -> Result<()> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| StoreError::Internal(format!("encrypting the backup: {e}")))?;
    let mut input = std::fs::File::open(from).map_err(io_err(from))?;
    let out = private_file(to)?;
    let mut w = encryptor
        .wrap_output(std::io::BufWriter::new(out))
        .map_err(io_err(to))?;
    std::io::copy(&mut input, &mut w).map_err(io_err(to))?;
    let mut out = w.finish().map_err(io_err(to))?;
    out.flush().map_err(io_err(to))?;
    out.get_ref().sync_all().map_err(io_err(to))?;
    Ok(())
}

fn decrypt_file(from: &Path, to: &Path, identity: &age::x25519::Identity) -> Result<()> {
    let input = std::io::BufReader::new(std::fs::File::open(from).map_err(io_err(from))?);
    let not_ours = |e: age::DecryptError| {
        StoreError::Internal(format!(
            "{} does not open with this identity (or is not an encrypted Iskra backup): {e}",
            from.display()
        ))
    };
    let decryptor = age::Decryptor::new_buffered(input).map_err(not_ours)?;
    let mut r = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(not_ours)?;
    let mut out = private_file(to)?;
    std::io::copy(&mut r, &mut out).map_err(|e| {
        StoreError::Internal(format!("{}: the backup is damaged: {e}", from.display()))
    })?;
    out.sync_all().map_err(io_err(to))?;
    Ok(())
}

/// Puts a backup in place of the database at `url`, decrypting it with `identity`. The server
/// must be stopped. Refuses to overwrite an existing database unless `force` is given.
pub async fn restore(
    backup: &Path,
    url: &DatabaseUrl,
    force: bool,
    identity: &age::x25519::Identity,
) -> Result<()> {
    let DatabaseUrl::Sqlite(target) = url else {
        return Err(StoreError::Internal(
            "restore writes an SQLite database; for PostgreSQL use pg_restore".into(),
        ));
    };
    if !backup.exists() {
        return Err(StoreError::Internal(format!(
            "there is no backup at {}",
            backup.display()
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    // Decrypt beside the target (same file system, so the final rename is atomic), in a
    // private directory removed on every way out.
    let dir = private_dir(target)?;
    let plain: PathBuf = dir.path().join("restoring.db");
    decrypt_file(backup, &plain, identity)?;
    // Check that the backup is an Iskra database before touching anything. Read-only and
    // immutable: opening it as a store would run migrations and switch it to WAL, changing
    // the backup itself. Anything unreadable counts as holding no organisation.
    let org: Option<String> = {
        use sqlx::{ConnectOptions, Connection};
        match sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&plain)
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
        return Err(StoreError::Internal(format!(
            "{} holds no organisation; it is not an Iskra backup",
            backup.display()
        )));
    }
    if target.exists() && !force {
        return Err(StoreError::Internal(format!(
            "{} exists; restoring would overwrite it. Stop the server and add --force to replace it",
            target.display()
        )));
    }
    // SQLite names its side files by appending to the database's whole file name
    // (iskra.sqlite-wal), whatever its extension.
    let beside = |suffix: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    // The whole decrypted copy is beside the target; renamed over it, so a failure never
    // leaves half a database.
    // A log left by the old database would be replayed over the restored one.
    for suffix in ["-wal", "-shm"] {
        let side = beside(suffix);
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(|e| StoreError::Internal(format!("{}: {e}", side.display())))?;
        }
    }
    std::fs::rename(&plain, target)
        .map_err(|e| StoreError::Internal(format!("replacing the database: {e}")))?;
    Ok(())
}
