//! `iskra audit verify|show`: walk the audit log's hash chain; print its latest entries.

use crate::cli::AuditWhat;
use crate::db::open;
use anyhow::{bail, Result};
use store::Create;

pub async fn run(what: AuditWhat) -> Result<()> {
    match what {
        AuditWhat::Verify { db, expect_head } => {
            let store = open(&db, Create::Never).await?;
            let v = store.verify_audit(expect_head.as_deref()).await?;
            if let Some(b) = &v.broken {
                bail!(
                    "the audit log is BROKEN at {b}.\n{} entries read; the head records entry {} with hash {}.",
                    v.entries,
                    v.head_seq,
                    v.head_hash
                );
            }
            println!(
                "The audit log is OK: {} entries, each chained to the one before.",
                v.entries
            );
            println!("Head: entry {} hash {}", v.head_seq, v.head_hash);
            if let (Some(h), Some(at)) = (&expect_head, v.expected_at) {
                println!("The expected head {h} is entry {at}.");
            }
            println!(
                "Note the head hash down outside this database: `iskra audit verify --expect-head HASH` later \
                 shows that no entry up to it was removed or rewritten."
            );
            Ok(())
        }
        AuditWhat::Show { db, limit } => {
            let store = open(&db, Create::Never).await?;
            let fmt =
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            println!(
                "{:>8}  {:<19}  {:<8}  {:<20}  {:<18}  detail",
                "seq", "when (UTC)", "by", "action", "object"
            );
            for e in store.audit_entries(limit.max(0)).await? {
                let when = time::OffsetDateTime::from_unix_timestamp(e.at)
                    .ok()
                    .and_then(|t| t.format(&fmt).ok())
                    .unwrap_or_else(|| e.at.to_string());
                let by = e
                    .actor
                    .map(|a| format!("#{a}"))
                    .unwrap_or_else(|| "cli".into());
                let object = match (&e.object_kind, e.object_id) {
                    (Some(k), Some(i)) => format!("{k} {i}"),
                    _ => String::new(),
                };
                println!(
                    "{:>8}  {:<19}  {:<8}  {:<20}  {:<18}  {}",
                    e.seq, when, by, e.action, object, e.detail
                );
            }
            Ok(())
        }
    }
}
