//! The key on the command line: created private, refused when not private or kept with the
//! data, and rotated.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(name: &str) -> Dir {
    let p = std::env::temp_dir().join(format!("iskra-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    Dir(p)
}

fn iskra(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iskra"));
    c.current_dir(dir)
        .args(args)
        .env("ISKRA_ADMIN_PASSWORD", "a long enough password")
        .env_remove("ISKRA_DATABASE_URL")
        .env_remove("ISKRA_KEY_FILE")
        .env_remove("ISKRA_PASSPHRASE")
        .env_remove("ISKRA_NEW_PASSPHRASE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("running iskra")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "iskra failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &Output, words: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "iskra should have refused");
    assert!(err.contains(words), "expected {words:?} in:\n{err}");
}

#[cfg(unix)]
#[test]
fn keys_are_created_private_refused_when_not_and_rotated() {
    use std::os::unix::fs::PermissionsExt;
    let d = dir("rotate");
    let d = d.0.as_path();
    ok(&iskra(
        d,
        &["init", "--name", "Key Party", "--admin", "admin"],
        &[],
    ));
    let key = d.join("iskra.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is created private");
    std::fs::write(
        d.join("people.csv"),
        "pseudonym,unit,status,legal_name,email\nLark,cc,supporter,Larissa Reisner,lark@example.org\n",
    )
    .unwrap();
    ok(&iskra(d, &["import", "people", "people.csv"], &[]));

    // Not private: refused before the database is opened.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    refused(&iskra(d, &["export", "people"], &[]), "mode 0640");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Kept with the data: refused.
    std::fs::copy(&key, d.join("iskra-data").join("iskra.key")).unwrap();
    refused(
        &iskra(
            d,
            &["export", "people", "--key-file", "iskra-data/iskra.key"],
            &[],
        ),
        "in the data directory",
    );
    // No key: refused, saying how to give one.
    refused(
        &iskra(d, &["export", "people", "--key-file", "missing.key"], &[]),
        "--key-file",
    );

    // Rotation: the old key is refused afterwards, the new one reads everyone.
    let out = ok(&iskra(
        d,
        &["keys", "rotate", "--new-key-file", "new.key"],
        &[],
    ));
    assert!(out.contains("1 identities re-encrypted"), "{out}");
    assert!(out.contains("--key-file new.key"), "{out}");
    let mode = std::fs::metadata(d.join("new.key"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    refused(
        &iskra(d, &["export", "people"], &[]),
        "the key does not open this database's identities",
    );
    let csv = ok(&iskra(
        d,
        &["export", "people", "--key-file", "new.key"],
        &[],
    ));
    assert!(
        csv.contains("Larissa Reisner") && csv.contains("lark@example.org"),
        "{csv}"
    );
    let csv2 = ok(&iskra(
        d,
        &["export", "people"],
        &[("ISKRA_KEY_FILE", "new.key")],
    ));
    assert_eq!(csv, csv2);

    // A backup needs a recipient, and opens only with its identity.
    refused(
        &iskra(d, &["backup", "b.age", "--key-file", "new.key"], &[]),
        "recipient",
    );
    let recipient = ok(&iskra(d, &["keys", "backup-identity", "id.txt"], &[]));
    ok(&iskra(
        d,
        &[
            "backup",
            "b.age",
            "--key-file",
            "new.key",
            "--recipient",
            recipient.trim(),
        ],
        &[],
    ));
    ok(&iskra(
        d,
        &[
            "restore",
            "b.age",
            "--identity",
            "id.txt",
            "--data",
            "restored",
        ],
        &[],
    ));
    let csv3 = ok(&iskra(
        d,
        &[
            "export",
            "people",
            "--key-file",
            "new.key",
            "--data",
            "restored",
        ],
        &[],
    ));
    assert_eq!(csv, csv3);
}
