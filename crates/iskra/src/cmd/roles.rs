//! `iskra roles list|grant|end`: the offices held, given and ended from the command line.

use crate::cli::RolesWhat;
use crate::db::open;
use anyhow::{Context, Result};
use core_rules::roles::Role;
use store::Create;

pub async fn run(what: RolesWhat) -> Result<()> {
    match what {
        RolesWhat::List { db } => {
            let store = open(&db, Create::Never).await?;
            println!("{:>6}  {:<20}  {:<22}  unit", "number", "login", "office");
            for g in store.grants().await? {
                println!(
                    "{:>6}  {:<20}  {:<22}  {} ({})",
                    g.id,
                    g.login,
                    g.role.name(),
                    g.unit_code,
                    g.unit_name
                );
            }
            Ok(())
        }
        RolesWhat::Grant {
            db,
            login,
            role,
            unit,
        } => {
            let store = open(&db, Create::Never).await?;
            let r = Role::parse(&role).with_context(|| {
                format!(
                    "there is no office {role:?}; the offices are: {}",
                    Role::OFFICES.map(|r| r.code()).join(", ")
                )
            })?;
            let u = store
                .unit_by_code(&unit)
                .await?
                .with_context(|| format!("there is no unit {unit:?}"))?;
            let id = store.grant_role(&login, u.id, r, None).await?;
            println!("{login} is now {} in {} (number {id}).", r.name(), u.name);
            Ok(())
        }
        RolesWhat::End { db, grant } => {
            let store = open(&db, Create::Never).await?;
            store.end_role(grant, None).await?;
            println!("Office {grant} ended; its holder is signed out.");
            Ok(())
        }
    }
}
