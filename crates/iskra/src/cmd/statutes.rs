//! `iskra statutes show|adopt`: the rules in force as JSON; a new version recorded.

use crate::cli::StatutesWhat;
use crate::db::open;
use anyhow::{Context, Result};
use core_rules::Day;
use store::Create;

pub async fn run(what: StatutesWhat) -> Result<()> {
    match what {
        StatutesWhat::Show { db, on } => {
            let store = open(&db, Create::Never).await?;
            let day = match on {
                Some(d) => Day::parse(&d)?,
                None => store.today(),
            };
            let v = store.statutes_on(day).await?;
            eprintln!(
                "Version {}, adopted by {} on {}, in force from {}:",
                v.version, v.adopted_by, v.adopted_on, v.effective_from
            );
            println!("{}", v.rules.to_json());
            Ok(())
        }
        StatutesWhat::Adopt {
            db,
            file,
            by,
            adopted_on,
            effective,
        } => {
            let store = open(&db, Create::Never).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let rules = core_rules::statutes::Statutes::from_json(&text)
                .with_context(|| format!("reading the statutes in {}", file.display()))?;
            let adopted = Day::parse(&adopted_on)?;
            let from = match effective {
                Some(d) => Day::parse(&d)?,
                None => adopted,
            };
            let v = store
                .adopt_statutes(&rules, adopted, from, &by, None)
                .await?;
            println!("Statutes version {v}, adopted by {by}, take effect on {from}.");
            Ok(())
        }
    }
}
