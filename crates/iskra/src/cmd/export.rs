//! `iskra export people`: people as CSV in the import's columns, to a file or standard output.

use crate::cli::ExportWhat;
use crate::db::open;
use anyhow::{Context, Result};
use store::Create;

pub async fn run(what: ExportWhat) -> Result<()> {
    let ExportWhat::People { db, out } = what;
    let store = open(&db, Create::Never).await?;
    let n = match &out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            store
                .export_people(std::io::BufWriter::new(f), None)
                .await?
        }
        None => store.export_people(std::io::stdout().lock(), None).await?,
    };
    if let Some(p) = out {
        eprintln!("{n} people written to {}.", p.display());
    }
    Ok(())
}
