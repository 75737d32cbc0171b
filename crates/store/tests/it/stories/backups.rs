//! Backups (SQLite: PostgreSQL has pg_dump).

use super::exchange::{export, import, people_csv};
use super::*;

on_every_backend!(backups_are_whole_encrypted_and_never_overwrite_by_accident);
async fn backups_are_whole_encrypted_and_never_overwrite_by_accident(db: &TestDb) {
    org(db).await;
    import(db, people_csv().as_bytes(), "people.csv")
        .await
        .unwrap();
    let keys = TempDir::new();
    let id_file = keys.path().join("backup-identity.txt");
    let recipient = store::backup::create_backup_identity(&id_file).unwrap();
    let recipients = store::backup::parse_recipients(&[recipient]).unwrap();
    let opener = store::backup::read_backup_identity(&id_file).unwrap();
    if db.backend == Backend::Postgres {
        let e = db
            .backup_to(std::path::Path::new("/nonexistent/backup.db"), &recipients)
            .await
            .expect_err("backup_to on PostgreSQL should point to pg_dump");
        assert!(e.to_string().contains("pg_dump"), "{e}");
        return;
    }
    let dir = db
        .dir()
        .expect("an SQLite store has a directory")
        .to_path_buf();
    let backup = dir.join("backup.age");
    let e = db.backup_to(&backup, &[]).await.expect_err("no recipient");
    assert!(e.to_string().contains("recipient"), "{e}");
    // Taken while the store is open and being written to.
    let writer = async {
        for i in 0..20 {
            db.create_person(
                &person(
                    &format!("During {i}"),
                    db.unit_by_code("south").await.unwrap().unwrap().id,
                    Status::Supporter,
                    1,
                    identity("", ""),
                ),
                None,
            )
            .await
            .unwrap();
        }
    };
    let (r, ()) = tokio::join!(db.backup_to(&backup, &recipients), writer);
    r.unwrap();
    // Encrypted: no SQLite header, no organisation name, no party name; and no plaintext
    // snapshot left beside it.
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    for needle in [&b"SQLite format 3"[..], b"Test Party", b"Kestrel", b"south"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the backup shows {:?}",
            String::from_utf8_lossy(needle)
        );
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".iskra-backup"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    // Restored into a new place, it is the live data as it stood at one moment.
    let copy_path = dir.join("copy").join("iskra.db");
    let copy_url = store::DatabaseUrl::Sqlite(copy_path.clone());
    store::backup::restore(&backup, &copy_url, false, &opener)
        .await
        .unwrap();
    let copy = open_unlocked(&copy_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        copy.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert!((6..=26).contains(&n), "the backup holds {n} people");
    let mut copied = Vec::new();
    copy.export_people(&mut copied, None).await.unwrap();
    let copied = String::from_utf8(copied).unwrap();
    let live = export(db).await;
    assert!(
        live.starts_with(&copied),
        "the backup should be the live data as it stood at one moment"
    );
    copy.close().await;

    let e = db
        .backup_to(&backup, &recipients)
        .await
        .expect_err("a backup over an existing file should be refused");
    assert!(e.to_string().contains("exists already"), "{e}");

    // Another identity does not open it.
    let other_file = keys.path().join("other-identity.txt");
    store::backup::create_backup_identity(&other_file).unwrap();
    let other = store::backup::read_backup_identity(&other_file).unwrap();
    let nowhere = store::DatabaseUrl::Sqlite(dir.join("nowhere").join("iskra.db"));
    let e = store::backup::restore(&backup, &nowhere, false, &other)
        .await
        .expect_err("another identity should not open the backup");
    assert!(e.to_string().contains("does not open"), "{e}");

    // Restoring over another organisation's database needs --force. The target is not named
    // *.db, and a crash left its write-ahead log behind: restoring must not let SQLite replay
    // that old log over the restored database.
    let target = dir.join("other.sqlite");
    let target_db = open_unlocked(
        &store::DatabaseUrl::Sqlite(target.clone()),
        store::Create::IfMissing,
    )
    .await
    .unwrap();
    store::init_organisation(
        &target_db,
        "Other Party",
        "CC",
        "root",
        ADMIN_PASSWORD,
        today(),
    )
    .await
    .unwrap();
    let wal = dir.join("other.sqlite-wal");
    let stale = dir.join("stale-wal");
    std::fs::copy(&wal, &stale).expect("an open SQLite store in WAL mode has a -wal file");
    target_db.close().await;
    let target_url = store::DatabaseUrl::Sqlite(target.clone());
    // A backup is evidence of a moment: restoring from it must not change it.
    let backup_bytes = std::fs::read(&backup).unwrap();
    let e = store::backup::restore(&backup, &target_url, false, &opener)
        .await
        .expect_err("restoring over a database without force should be refused");
    assert!(e.to_string().contains("--force"), "{e}");
    assert!(
        std::fs::read(&backup).unwrap() == backup_bytes,
        "a refused restore changed the backup file"
    );
    let still = open_unlocked(&target_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        still.organisation().await.unwrap().as_deref(),
        Some("Other Party")
    );
    still.close().await;
    // As if the server had crashed: the old database's log is still beside it.
    std::fs::copy(&stale, &wal).unwrap();

    store::backup::restore(&backup, &target_url, true, &opener)
        .await
        .unwrap();
    assert!(std::fs::read(&backup).unwrap() == backup_bytes);
    let restored = open_unlocked(&target_url, store::Create::Never)
        .await
        .unwrap();
    assert_eq!(
        restored.organisation().await.unwrap().as_deref(),
        Some("Test Party")
    );
    let mut out = Vec::new();
    restored.export_people(&mut out, None).await.unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), copied);
    restored.close().await;

    // An encrypted database that is not an Iskra organisation is no backup; a file that is
    // not encrypted to us is none either.
    let junk = dir.join("junk").join("junk.db");
    let empty = open_unlocked(
        &store::DatabaseUrl::Sqlite(junk.clone()),
        store::Create::IfMissing,
    )
    .await
    .unwrap();
    let junk_backup = dir.join("junk.age");
    empty.backup_to(&junk_backup, &recipients).await.unwrap();
    empty.close().await;
    let e = store::backup::restore(&junk_backup, &target_url, true, &opener)
        .await
        .expect_err("restoring a database with no organisation should be refused");
    assert!(e.to_string().contains("not an Iskra backup"), "{e}");
    let e = store::backup::restore(&junk, &target_url, true, &opener)
        .await
        .expect_err("a plain SQLite file is not an encrypted backup");
    assert!(e.to_string().contains("does not open"), "{e}");
    // The identity file itself must be private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&id_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
