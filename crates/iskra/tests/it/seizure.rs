//! The seizure test: what a seized server's disk shows of identifying details. Nothing.
//!
//! Canary people, whose every identifying field is a unique marker, go through a working day:
//! the command line sets up the organisation, imports them, reads a bank statement that names
//! them by email and phone, exports them to a file (then deleted) and takes a backup, all with
//! the most talkative logs; then, in process, an import updates an identity and a unit writes
//! notes, and the database, its write-ahead log and its shared-memory file are copied while the
//! store is still open (so the log is as a crash would leave it). The database (open and
//! closed), the log, the shm file, the backup and every line the commands printed are then
//! searched for every canary (as written, lower case, UTF-16) and for the key (raw, hex,
//! base64 in both alphabets). Pseudonyms are not searched: they are the public face by design.

use std::path::{Path, PathBuf};
use std::process::Command;

const CANARIES: usize = 3;

fn canary(field: &str, i: usize) -> String {
    format!("CANARY-7f3a-{field}-{i}")
}

fn canary_email(i: usize) -> String {
    format!("canary-7f3a-email-{i}@example.org")
}

fn canary_phone(i: usize) -> String {
    format!("+44 7700 9{i:05}")
}

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary; returns everything it printed, and fails the test if it failed.
fn iskra(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_iskra"))
        .current_dir(dir)
        .args(args)
        .env("ISKRA_LOG", "trace")
        .env("ISKRA_KEY_FILE", dir.join("iskra.key"))
        .env("ISKRA_ADMIN_PASSWORD", "a long enough password")
        .env_remove("ISKRA_DATABASE_URL")
        .env_remove("ISKRA_PASSPHRASE")
        .env_remove("ISKRA_BACKUP_RECIPIENT")
        .output()
        .expect("running iskra");
    assert!(
        out.status.success(),
        "iskra {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all = out.stdout;
    all.extend_from_slice(&out.stderr);
    all
}

fn people_csv(address_suffix: &str) -> String {
    let mut s = core_rules::import::COLUMNS.join(",");
    s.push('\n');
    for i in 0..CANARIES {
        s.push_str(&format!(
            "C-{i},Pseudonym{i},cc,member,2020-01-0{},yes,1000.00,no,{},{},{},{}{address_suffix},{}\n",
            i + 1,
            canary("legalname", i),
            canary_email(i),
            canary_phone(i),
            canary("address", i),
            canary("workplace", i),
        ));
    }
    s
}

fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// Every form of every secret that must not be found.
fn needles(key: &[u8; 32]) -> Vec<(String, Vec<u8>)> {
    let mut texts = Vec::new();
    for i in 0..CANARIES {
        for field in ["legalname", "address", "workplace", "notes", "moved"] {
            texts.push(canary(field, i));
        }
        texts.push(canary_email(i));
        let phone = canary_phone(i);
        texts.push(phone.clone());
        texts.push(phone.chars().filter(|c| c.is_ascii_digit()).collect());
    }
    let mut out = Vec::new();
    for t in texts {
        out.push((t.clone(), t.as_bytes().to_vec()));
        out.push((format!("{t} (lower case)"), t.to_lowercase().into_bytes()));
        out.push((format!("{t} (UTF-16LE)"), utf16(&t, false)));
        out.push((format!("{t} (UTF-16BE)"), utf16(&t, true)));
    }
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    out.push(("the key (raw)".into(), key.to_vec()));
    out.push(("the key (hex)".into(), hex.clone().into_bytes()));
    out.push(("the key (HEX)".into(), hex.to_uppercase().into_bytes()));
    let std_alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let url_alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    out.push((
        "the key (base64)".into(),
        base64(key, std_alpha, false).into_bytes(),
    ));
    out.push((
        "the key (base64url)".into(),
        base64(key, url_alpha, false).into_bytes(),
    ));
    out
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_seized_disk_shows_no_identity_and_no_key() {
    let dir = Dir(std::env::temp_dir().join(format!(
        "iskra-seizure-{}-{:08x}",
        std::process::id(),
        rand_u32()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let d = dir.0.as_path();
    let mut logs: Vec<u8> = Vec::new();

    // The command line: set up, import, bank statement, export (deleted), backup.
    logs.extend(iskra(
        d,
        &[
            "init",
            "--data",
            "data",
            "--name",
            "Seizure Party",
            "--admin",
            "admin",
        ],
    ));
    let key_file = d.join("iskra.key");
    let key_hex = std::fs::read_to_string(&key_file).unwrap();
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&key_hex.trim()[2 * i..2 * i + 2], 16).unwrap();
    }
    std::fs::write(d.join("people.csv"), people_csv("")).unwrap();
    logs.extend(iskra(
        d,
        &["import", "people", "--data", "data", "people.csv"],
    ));
    std::fs::remove_file(d.join("people.csv")).unwrap();
    let day = core_rules::Day::today();
    std::fs::write(
        d.join("bank.csv"),
        format!(
            "date,amount,reference,payer\n{day},10.00,BANK-1,{}\n{day},10.00,BANK-2,{}\n",
            canary_email(0).to_uppercase(),
            canary_phone(1)
        ),
    )
    .unwrap();
    let printed = iskra(d, &["import", "payments", "--data", "data", "bank.csv"]);
    assert!(String::from_utf8_lossy(&printed).contains("2 payments recorded"));
    logs.extend(printed);
    std::fs::remove_file(d.join("bank.csv")).unwrap();
    logs.extend(iskra(
        d,
        &["export", "people", "--data", "data", "-o", "export.csv"],
    ));
    let exported = std::fs::read_to_string(d.join("export.csv")).unwrap();
    assert!(
        exported.contains(&canary("legalname", 2)),
        "export decrypts"
    );
    std::fs::remove_file(d.join("export.csv")).unwrap();
    let recipient = iskra(d, &["keys", "backup-identity", "backup-identity.txt"]);
    let recipient = String::from_utf8_lossy(&recipient)
        .lines()
        .find(|l| l.starts_with("age1"))
        .expect("the recipient is printed")
        .to_string();
    logs.extend(iskra(
        d,
        &[
            "backup",
            "--data",
            "data",
            "--recipient",
            &recipient,
            "backup.age",
        ],
    ));

    // In process: an import that moves everyone's address, and notes; the files are copied
    // while the store is open, the write-ahead log as a crash would leave it.
    let db = d.join("data").join("iskra.db");
    let copies = d.join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = store::DatabaseUrl::Sqlite(db.clone());
        let s = store::Store::open(&url, store::Create::Never)
            .await
            .unwrap()
            .unlock(&store::vault::KeySource::File(key_file.clone()))
            .await
            .unwrap();
        let csv = people_csv("-moved");
        let r = s
            .import_people(|| Ok(csv.as_bytes()), "update.csv", None, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(r.updated, CANARIES as u64);
        for id in 1..=CANARIES as i64 {
            let mut who = s.identity(id).await.unwrap();
            assert!(who.address.ends_with("-moved"));
            who.notes = canary("notes", id as usize - 1);
            s.set_identity(id, &who, core_rules::Day::today(), None)
                .await
                .unwrap();
        }
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                std::fs::copy(&from, copies.join(format!("open{suffix}"))).unwrap();
            }
        }
        assert!(
            copies.join("open-wal").exists(),
            "the write-ahead log should be there while the store is open"
        );
        s.close().await;
    });

    // The disk, searched.
    let mut places: Vec<(String, Vec<u8>)> = vec![("the captured output".into(), logs)];
    for entry in std::fs::read_dir(&copies).unwrap() {
        let p = entry.unwrap().path();
        places.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(bytes) = std::fs::read(&p) {
            places.push((p.display().to_string(), bytes));
        }
    }
    places.push((
        "the backup".into(),
        std::fs::read(d.join("backup.age")).unwrap(),
    ));
    let leftover: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv") || n.starts_with(".iskra"))
        .collect();
    assert!(leftover.is_empty(), "files left behind: {leftover:?}");

    let needles = needles(&key);
    // The search finds what is there: a file holding a canary is caught.
    assert!(find(
        exported.as_bytes(),
        &needles
            .iter()
            .find(|(n, _)| n == &canary("legalname", 2))
            .unwrap()
            .1
    ));
    let mut hits = Vec::new();
    for (place, hay) in &places {
        for (what, needle) in &needles {
            if find(hay, needle) {
                hits.push(format!("{what} in {place}"));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "found on the seized disk:\n{}",
        hits.join("\n")
    );
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish() as u32
}
