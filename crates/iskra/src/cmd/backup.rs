//! `iskra backup`: a consistent snapshot of the database, encrypted with age.

use crate::cli::BackupArgs;
use crate::db::open;
use anyhow::Result;
use store::Create;

pub async fn run(args: BackupArgs) -> Result<()> {
    let BackupArgs {
        db,
        file,
        recipients,
    } = args;
    let recipients = store::backup::parse_recipients(&recipients)?;
    let store = open(&db, Create::Never).await?;
    store.backup_to(&file, &recipients).await?;
    println!(
        "Backed up {} to {}, encrypted to {} recipient(s).",
        store.url().display(),
        file.display(),
        recipients.len()
    );
    Ok(())
}
