//! Issue 17, finding 10: with the usual umask (022) the data directory came out 0755 and the
//! database, its WAL and its shared-memory file 0644, readable by every account on the machine.
//! The store now creates them private whatever the umask. A test binary of its own: it sets the
//! process's umask, which no other test may share.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use store::{Create, DatabaseUrl, Store};

/// The mode as `ls` and chmod write it, e.g. "700".
fn mode(p: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    )
}

#[allow(unsafe_code)] // One unsafe block, justified by its SAFETY comment.
#[tokio::test]
async fn the_data_directory_and_every_database_file_are_private_whatever_the_umask() {
    // SAFETY: sets the file creation mask; this binary has no other test to disturb.
    unsafe {
        libc::umask(0o022);
    }
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("nested").join("iskra-data");
    let store = Store::open(&DatabaseUrl::sqlite_in(&dir), Create::IfMissing)
        .await
        .unwrap()
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await
        .unwrap();
    store::init_organisation(
        &store,
        "Private Party",
        "CC",
        "admin",
        "a long enough password",
        core_rules::Day::today(),
    )
    .await
    .unwrap();
    // While the database is open its WAL and shared-memory file exist: each is checked.
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["iskra.db", "iskra.db-shm", "iskra.db-wal"]);
    assert_eq!(mode(&dir), "700", "the data directory");
    assert_eq!(mode(dir.parent().unwrap()), "700", "a parent it created");
    for f in &files {
        assert_eq!(mode(f), "600", "{}", f.display());
    }

    // A backup, and a restore into a new directory: private too.
    let identity_file = t.path().join("id.txt");
    let recipient = store::backup::create_backup_identity(&identity_file).unwrap();
    let recipients = store::backup::parse_recipients(&[recipient]).unwrap();
    let backup = t.path().join("b.age");
    store.backup_to(&backup, &recipients).await.unwrap();
    assert_eq!(mode(&backup), "600", "the backup");
    let identity = store::backup::read_backup_identity(&identity_file).unwrap();
    let restored = t.path().join("restored");
    store::backup::restore(
        &backup,
        &DatabaseUrl::sqlite_in(&restored),
        false,
        &identity,
    )
    .await
    .unwrap();
    assert_eq!(mode(&restored), "700", "the restored data directory");
    assert_eq!(
        mode(&restored.join("iskra.db")),
        "600",
        "the restored database"
    );
    store.close().await;
}
