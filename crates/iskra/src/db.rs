//! Opening the database from the command line: where it is, where its key comes from, and
//! making its files private first.

use crate::cli::DbArgs;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use store::vault::{self, KeySource};
use store::{Create, DatabaseUrl, Store};

/// The key file used when none is named.
pub const DEFAULT_KEY_FILE: &str = "iskra.key";
/// The demo's key file: beside, not inside, its data directory.
pub const DEMO_KEY_FILE: &str = "iskra-demo.key";

impl DbArgs {
    pub fn url(&self) -> Result<DatabaseUrl> {
        match &self.database {
            Some(u) => Ok(DatabaseUrl::parse(u)?),
            None => Ok(DatabaseUrl::sqlite_in(&self.data)),
        }
    }

    /// Makes the SQLite files private before the database is opened, saying what was changed:
    /// the data directory (`--data`) and everything in it, or, for a database named by URL
    /// (whose directory may hold other things), the database's own files. Refuses to go on
    /// only where a mode cannot be tightened (a file of another owner).
    pub fn make_private(&self) -> Result<()> {
        let changed = match (&self.database, self.url()?) {
            (_, DatabaseUrl::Postgres(_)) => Vec::new(),
            (None, DatabaseUrl::Sqlite(_)) => store::files::make_dir_private(&self.data)?,
            (Some(_), DatabaseUrl::Sqlite(db)) => store::files::make_database_private(&db)?,
        };
        for c in changed {
            eprintln!("{c}");
        }
        Ok(())
    }

    /// Where the key comes from: the named key file, else ISKRA_PASSPHRASE, else the default
    /// key file, created first when `create` allows (init, demo) and there is none. A key file
    /// that group or others may read or write is refused, as is one inside the data directory.
    pub fn key(&self, default: &str, create: bool) -> Result<KeySource> {
        if self.key_file.is_none() {
            if let Ok(p) = std::env::var("ISKRA_PASSPHRASE") {
                if !p.is_empty() {
                    return Ok(KeySource::Passphrase(zeroize::Zeroizing::new(p)));
                }
            }
        }
        let path = self
            .key_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(default));
        if let DatabaseUrl::Sqlite(db) = self.url()? {
            let dir = db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let key_dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if let (Ok(a), Ok(b)) = (dir.canonicalize(), key_dir.canonicalize()) {
                if a == b {
                    bail!(
                        "the key file {} is in the data directory {}; keep it elsewhere, so that \
                         a copy of the data is not a copy of the key",
                        path.display(),
                        dir.display()
                    );
                }
            }
        }
        if create && !path.exists() {
            vault::create_key_file(&path)?;
            eprintln!(
                "Created the key file {} (mode 0600). It opens every identifying detail: keep it \
                 safe, outside the data directory and its backups. Without it they cannot be read.",
                path.display()
            );
        } else if !path.exists() {
            bail!(
                "there is no key file at {}: give --key-file PATH (or ISKRA_KEY_FILE), or \
                 ISKRA_PASSPHRASE; `iskra init` creates one",
                path.display()
            );
        }
        vault::check_private(&path)?;
        Ok(KeySource::File(path))
    }
}

/// Opens the database and its identities with the key (`iskra.key` unless named otherwise).
pub async fn open(db: &DbArgs, create: Create) -> Result<Store> {
    open_with(db, create, DEFAULT_KEY_FILE, false, false).await
}

/// Opens the database for a job that works alone, on one connection (see `Store::open_alone`).
pub async fn open_alone(db: &DbArgs) -> Result<Store> {
    open_with(db, Create::Never, DEFAULT_KEY_FILE, false, true).await
}

/// Opens the database with the key from `db`, `default_key` if none is named; `create_key`
/// lets init and demo create the key file. The key is checked before the database is opened.
pub async fn open_with(
    db: &DbArgs,
    create: Create,
    default_key: &str,
    create_key: bool,
    alone: bool,
) -> Result<Store> {
    let key = db.key(default_key, create_key && create == Create::IfMissing)?;
    db.make_private()?;
    let url = db.url()?;
    let store = if alone {
        Store::open_alone(&url, create).await
    } else {
        Store::open(&url, create).await
    };
    let store = store.with_context(|| format!("opening {}", url.display()))?;
    Ok(store.unlock(&key).await?)
}
