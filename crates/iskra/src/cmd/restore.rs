//! `iskra restore`: decrypt a backup and put it in place of the database.

use crate::cli::RestoreArgs;
use anyhow::Result;

pub async fn run(args: RestoreArgs) -> Result<()> {
    let RestoreArgs {
        db,
        file,
        identity,
        force,
    } = args;
    let identity = store::backup::read_backup_identity(&identity)?;
    db.make_private()?;
    store::backup::restore(&file, &db.url()?, force, &identity).await?;
    println!("Restored {} from {}.", db.url()?.display(), file.display());
    Ok(())
}
