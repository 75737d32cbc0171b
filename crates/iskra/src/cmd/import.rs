//! `iskra import people|payments`: people from CSV (checked whole before anything is written),
//! dues from a bank statement.

use crate::cli::ImportWhat;
use crate::cmd::progress_bar;
use crate::db::{open, open_alone};
use anyhow::{Context, Result};
use std::path::Path;
use store::exchange::Progress;
use store::Create;

pub async fn run(what: ImportWhat) -> Result<()> {
    match what {
        ImportWhat::People { db, file } => {
            let store = open_alone(&db).await?;
            people(&store, &file).await
        }
        ImportWhat::Payments { db, file } => {
            let store = open(&db, Create::Never).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let r = store.import_bank_csv(&data, None).await?;
            println!(
                "{} payments recorded, {} already recorded before.",
                r.recorded, r.already
            );
            Ok(())
        }
    }
}

async fn people(store: &store::Store, file: &Path) -> Result<()> {
    let bar = progress_bar();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tick = |p: Progress| match p {
        Progress::Checking(n) => {
            bar.set_message("checking");
            bar.set_position(n)
        }
        Progress::Writing(n) => {
            bar.set_message("writing");
            bar.set_position(n)
        }
    };
    // The file is read twice (checked whole, then written), so the store is given a way to
    // open it rather than a reader.
    let report = store
        .import_people(
            || std::fs::File::open(file).map(|f| std::io::BufReader::with_capacity(1 << 20, f)),
            &name,
            None,
            &mut tick,
        )
        .await;
    bar.finish_and_clear();
    let report = report?;
    println!(
        "{} rows: {} people recorded, {} updated, {} unchanged.",
        report.rows, report.created, report.updated, report.unchanged
    );
    Ok(())
}
