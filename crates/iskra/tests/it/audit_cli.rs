//! `iskra audit verify` and `iskra audit show` as an operator runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn iskra(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iskra"))
        .args(args)
        .env("ISKRA_ADMIN_PASSWORD", "a long enough password")
        .env_remove("ISKRA_DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("running iskra")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sql(db: &Path, statement: &str) {
    let url = store::DatabaseUrl::Sqlite(db.to_path_buf());
    let statement = statement.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let s = store::Store::open(&url, store::Create::Never)
                .await
                .unwrap();
            store::sqlx::query(&statement)
                .execute(s.pool())
                .await
                .unwrap();
            s.close().await;
        });
}

#[test]
fn verify_reports_ok_then_names_the_broken_entry() {
    let dir = Dir(std::env::temp_dir().join(format!(
        "iskra-audit-cli-{}-{:08x}",
        std::process::id(),
        rand_suffix()
    )));
    let data = dir.0.to_str().unwrap().to_string();
    let db = dir.0.join("iskra.db");
    let o = iskra(&[
        "init",
        "--name",
        "Test Party",
        "--admin",
        "admin",
        "--data",
        &data,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = dir.0.join("people.csv");
    let o = iskra(&[
        "export",
        "people",
        "--data",
        &data,
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let o = iskra(&["audit", "verify", "--data", &data]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("OK: 2 entries"), "{t}");
    let head = t
        .lines()
        .find_map(|l| l.strip_prefix("Head: entry 2 hash "))
        .unwrap_or_else(|| panic!("the head hash is printed: {t}"))
        .trim()
        .to_string();

    let o = iskra(&["audit", "show", "--data", &data, "--limit", "5"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("export.people") && t.contains("rows=0"), "{t}");
    assert!(t.contains("organisation.init") && t.contains("cli"), "{t}");

    // An edited entry is named, and verify fails.
    sql(&db, "UPDATE audit_log SET detail = 'rows=9' WHERE seq = 2");
    let o = iskra(&["audit", "verify", "--data", &data]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("BROKEN at entry 2"), "{t}");
    sql(&db, "UPDATE audit_log SET detail = 'rows=0' WHERE seq = 2");
    assert!(iskra(&["audit", "verify", "--data", &data])
        .status
        .success());

    // The last entry and the head both cut back: only the noted head catches it.
    sql(&db, "DELETE FROM audit_log WHERE seq = 2");
    let o = iskra(&["audit", "verify", "--data", &data]);
    assert!(!o.status.success(), "{}", text(&o));
    sql(
        &db,
        "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1)",
    );
    assert!(iskra(&["audit", "verify", "--data", &data])
        .status
        .success());
    let o = iskra(&["audit", "verify", "--data", &data, "--expect-head", &head]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("not in the chain"), "{t}");

    let o = iskra(&["audit", "verify", "--help"]);
    assert!(text(&o).contains("--expect-head"));
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}
