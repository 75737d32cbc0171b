//! The data directory and the database's files, private to the account that runs Iskra.
//!
//! Party names, the unit tree (closed units included) and report texts are in the SQLite
//! database in plain text; only identities are encrypted. With the usual umask (022) a new
//! directory would be 0755 and SQLite's files 0644: readable by every account on the machine.
//! So the data directory is created 0700 and the database file 0600 before SQLite opens it
//! (SQLite gives its WAL and shared-memory files the database file's mode), and at start an
//! existing directory or file with looser modes is tightened, each change reported. Only what
//! cannot be tightened (a file of another owner) stops the start.

use crate::{Result, StoreError};
use std::path::{Path, PathBuf};

/// A path whose mode was tightened, for the line that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tightened {
    pub path: PathBuf,
    pub was: u32,
    pub now: u32,
}

impl std::fmt::Display for Tightened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Made {} private: mode {:04o} is now {:04o} (other accounts on this machine could read it).",
            self.path.display(),
            self.was,
            self.now
        )
    }
}

/// The mode of a private directory and of a private file.
pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// SQLite's files for the database at `db`: the file itself, its write-ahead log, its
/// shared-memory index and its rollback journal (named by appending to the whole file name).
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

/// Creates `dir` and any missing parents, each 0700.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(DIR_MODE);
    }
    b.create(dir)
        .map_err(|e| StoreError::Url(format!("cannot create {}: {e}", dir.display())))
}

/// Creates an empty file private to its owner (0600 from the moment it exists), or does
/// nothing if it exists already.
pub fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Url(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

/// Makes Iskra's data directory private: the directory and every directory in it 0700, every
/// file in it 0600. Symbolic links are left alone (their targets are not Iskra's to change).
/// A directory that does not exist is left for the store to create.
pub fn make_dir_private(dir: &Path) -> Result<Vec<Tightened>> {
    let mut changed = Vec::new();
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(changed);
    }
    tighten_tree(dir, &mut changed)?;
    Ok(changed)
}

/// Makes the database at `db` private (its own files only, 0600): for a database named by URL,
/// whose directory may hold other things than Iskra's.
pub fn make_database_private(db: &Path) -> Result<Vec<Tightened>> {
    let mut changed = Vec::new();
    for f in database_files(db) {
        if let Ok(meta) = std::fs::symlink_metadata(&f) {
            if meta.is_file() {
                tighten(&f, &meta, FILE_MODE, &mut changed)?;
            }
        }
    }
    Ok(changed)
}

fn tighten_tree(path: &Path, changed: &mut Vec<Tightened>) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| io(path, e))?;
    if meta.is_dir() {
        tighten(path, &meta, DIR_MODE, changed)?;
        for entry in std::fs::read_dir(path).map_err(|e| io(path, e))? {
            let entry = entry.map_err(|e| io(path, e))?;
            tighten_tree(&entry.path(), changed)?;
        }
    } else if meta.is_file() {
        tighten(path, &meta, FILE_MODE, changed)?;
    }
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Url(format!("{}: {e}", path.display()))
}

#[cfg(unix)]
fn tighten(
    path: &Path,
    meta: &std::fs::Metadata,
    private: u32,
    changed: &mut Vec<Tightened>,
) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let was = meta.permissions().mode() & 0o7777;
    // Group and others lose every right; the owner keeps theirs (within the private mode).
    let now = was & private;
    if was & !private == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(now)).map_err(|e| {
        StoreError::Url(format!(
            "{} may be read by other accounts on this machine (mode {was:04o}) and cannot be \
             made private ({e}; it belongs to user {}). Iskra will not start on it: run Iskra as \
             its owner, or make it private (chmod {:o}) as someone who may",
            path.display(),
            meta.uid(),
            private
        ))
    })?;
    changed.push(Tightened {
        path: path.to_path_buf(),
        was,
        now,
    });
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_: &Path, _: &std::fs::Metadata, _: u32, _: &mut Vec<Tightened>) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_loose_data_directory_is_tightened_and_each_change_named() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("iskra.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let private = dir.join("iskra.db-wal");
        create_private_file(&private).unwrap();
        assert_eq!(mode(&private), 0o600);
        let sub = dir.join("old");
        std::fs::create_dir(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o750)).unwrap();
        std::fs::write(sub.join("x"), b"x").unwrap();
        std::fs::set_permissions(sub.join("x"), std::fs::Permissions::from_mode(0o604)).unwrap();
        // A link to something outside is not followed.
        let outside = t.path().join("outside");
        std::fs::write(&outside, b"").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();

        let mut changed = make_dir_private(&dir).unwrap();
        changed.sort_by(|a, b| a.path.cmp(&b.path));
        let seen: Vec<_> = changed
            .iter()
            .map(|c| (c.path.clone(), c.was, c.now))
            .collect();
        assert_eq!(
            seen,
            vec![
                (dir.clone(), 0o755, 0o700),
                (db.clone(), 0o644, 0o600),
                (sub.clone(), 0o750, 0o700),
                (sub.join("x"), 0o604, 0o600),
            ]
        );
        assert!(changed[1].to_string().contains("0644 is now 0600"));
        assert_eq!(mode(&outside), 0o644);
        // Nothing left to do the second time.
        assert!(make_dir_private(&dir).unwrap().is_empty());
    }

    #[test]
    fn a_database_named_by_url_has_only_its_own_files_tightened() {
        let t = tempfile::tempdir().unwrap();
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = t.path().join("party.sqlite");
        let other = t.path().join("notes.txt");
        for f in [&db, &other] {
            std::fs::write(f, b"").unwrap();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let shm = t.path().join("party.sqlite-shm");
        std::fs::write(&shm, b"").unwrap();
        std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o664)).unwrap();
        let changed = make_database_private(&db).unwrap();
        assert_eq!(changed.len(), 2);
        assert_eq!((mode(&db), mode(&shm)), (0o600, 0o600));
        assert_eq!((mode(&other), mode(t.path())), (0o644, 0o755));
    }
}
