//! `iskra migrate`: apply the migrations this binary carries.

use crate::cli::DbArgs;
use crate::db::open;
use anyhow::Result;
use store::Create;

pub async fn run(db: DbArgs) -> Result<()> {
    let store = open(&db, Create::Never).await?;
    store.migrate().await?;
    println!("{} is up to date.", store.url().display());
    Ok(())
}
