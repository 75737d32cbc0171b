//! `iskra exposure` as an operator runs it: one person, the organisation, the simulation and a
//! meeting's risk, in text and JSON, with no key needed.

use std::path::PathBuf;
use std::process::{Command, Output};

fn iskra(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iskra"))
        .args(args)
        .env("ISKRA_ADMIN_PASSWORD", "a long enough password")
        .env_remove("ISKRA_DATABASE_URL")
        .env_remove("ISKRA_KEY_FILE")
        .env_remove("ISKRA_PASSPHRASE")
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

#[test]
fn exposure_from_the_command_line() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = Dir(std::env::temp_dir().join(format!(
        "iskra-exposure-cli-{}-{nanos:08x}",
        std::process::id()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let data = dir.0.join("data").to_str().unwrap().to_string();
    let key = dir.0.join("iskra.key").to_str().unwrap().to_string();
    let o = iskra(&[
        "init",
        "--name",
        "Test Party",
        "--admin",
        "admin",
        "--data",
        &data,
        "--key-file",
        &key,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = dir.0.join("people.csv");
    std::fs::write(
        &csv,
        "pseudonym,unit,status,admitted_on\nAnna,cc,member,2020-01-01\nBoris,cc,member,2021-01-01\nVera,cc,supporter,\n",
    )
    .unwrap();
    let o = iskra(&[
        "import",
        "people",
        csv.to_str().unwrap(),
        "--data",
        &data,
        "--key-file",
        &key,
    ]);
    assert!(o.status.success(), "{}", text(&o));

    // One person (by number), without the key: a member of the committee sees its roster.
    let o = iskra(&["exposure", "1", "--data", &data]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("Exposure of Anna (person 1)"), "{t}");
    assert!(t.contains("no account yet"), "{t}");
    let o = iskra(&["exposure", "1", "--data", &data, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["exposure"]["people"], 3, "{v}");
    // An account by login: the administrator holds an office at the top and sees figures, not
    // names: not even the committee's own people, by party name or by identity.
    let o = iskra(&["exposure", "admin", "--data", &data, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["exposure"]["people"], 0, "{v}");
    assert_eq!(v[0]["exposure"]["counts"][0][1], 0, "{v}");
    assert_eq!(v[0]["exposure"]["counts"][1][1], 0, "{v}");
    assert!(
        v[0]["exposure"]["counts"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["units", 1])),
        "{v}"
    );
    let o = iskra(&["exposure", "nobody", "--data", &data]);
    assert!(!o.status.success());
    assert!(text(&o).contains("there is no person numbered or account called \"nobody\""));

    let o = iskra(&["exposure", "organisation", "--data", &data, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"]["subjects"], 4,
        "three people and the administrator"
    );

    // The simulation: the same seed, the same figures; a bad chance refused by name.
    let sim = [
        "exposure", "simulate", "--data", &data, "--runs", "50", "--json",
    ];
    let a = iskra(&sim);
    assert!(a.status.success(), "{}", text(&a));
    assert_eq!(a.stdout, iskra(&sim).stdout);
    let o = iskra(&["exposure", "simulate", "--data", &data, "--talk", "1.5"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("talk must be a chance between 0 and 1"),
        "{}",
        text(&o)
    );

    let o = iskra(&[
        "exposure",
        "meeting",
        "cc",
        "--data",
        &data,
        "--newcomers",
        "2",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("4 people (2 newcomers)"), "{t}");

    for sub in ["organisation", "simulate", "meeting"] {
        let o = iskra(&["exposure", sub, "--help"]);
        assert!(o.status.success());
    }
}
