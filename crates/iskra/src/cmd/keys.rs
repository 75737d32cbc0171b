//! `iskra keys rotate|backup-identity`: re-encrypt every identity under a new key; make an age
//! identity for backups.

use crate::cli::{DbArgs, KeysWhat};
use crate::db::open;
use anyhow::{bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use store::vault::{self, KeySource};
use store::Create;

pub async fn run(what: KeysWhat) -> Result<()> {
    match what {
        KeysWhat::BackupIdentity { out } => {
            let recipient = store::backup::create_backup_identity(&out)?;
            eprintln!(
                "Created the backup identity {} (mode 0600). Keep it off the server; it alone opens the backups.",
                out.display()
            );
            eprintln!(
                "Give the server its public recipient, e.g. ISKRA_BACKUP_RECIPIENT={recipient}"
            );
            println!("{recipient}");
            Ok(())
        }
        KeysWhat::Rotate { db, new_key_file } => rotate(db, new_key_file).await,
    }
}

async fn rotate(db: DbArgs, new_key_file: Option<PathBuf>) -> Result<()> {
    let new = match (&new_key_file, std::env::var("ISKRA_NEW_PASSPHRASE")) {
        (Some(path), _) => {
            let (key, created) = vault::ensure_key_file(path)?;
            if created {
                eprintln!("Created the new key file {} (mode 0600).", path.display());
            }
            KeySource::Key(key)
        }
        (None, Ok(p)) if !p.is_empty() => KeySource::Passphrase(zeroize::Zeroizing::new(p)),
        _ => bail!("name the new key: --new-key-file PATH, or ISKRA_NEW_PASSPHRASE"),
    };
    let store = open(&db, Create::Never).await?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} identities re-encrypted ({eta})")
                .expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let n = store
        .rotate_key(&new, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let n = n?;
    println!(
        "{n} identities re-encrypted under the new key; the old key no longer opens this database."
    );
    match new_key_file {
        Some(p) => println!(
            "Switch to the new key now: start iskra with --key-file {} (or ISKRA_KEY_FILE), \
             then destroy the old key file and every copy of it.",
            p.display()
        ),
        None => println!(
            "Switch to the new passphrase now: start iskra with ISKRA_PASSPHRASE set to it."
        ),
    }
    Ok(())
}
