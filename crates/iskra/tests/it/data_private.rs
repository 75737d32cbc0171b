//! Issue 17, finding 10: the data directory and every file in it are private to the account
//! that runs Iskra (0700 and 0600), under the usual umask of 022; a data directory loosened
//! since is tightened at the next start, with a line saying so.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(name: &str) -> Dir {
    let p = std::env::temp_dir().join(format!("iskra-private-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    Dir(p)
}

/// `iskra ARGS` in `dir`, started from a shell whose umask is 022, as on most systems.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("sh");
    c.current_dir(dir)
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_iskra"))
        .args(args)
        .env("ISKRA_ADMIN_PASSWORD", "a long enough password")
        .env_remove("ISKRA_DATABASE_URL")
        .env_remove("ISKRA_KEY_FILE")
        .env_remove("ISKRA_PASSPHRASE");
    c
}

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "iskra failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The mode as `ls` and chmod write it, e.g. "700".
fn mode(p: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    )
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// The data directory's mode, and every file's in it by name.
fn modes(data: &Path) -> (String, Vec<(String, String)>) {
    let mut files: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                mode(&p),
            )
        })
        .collect();
    files.sort();
    (mode(data), files)
}

#[test]
fn the_data_is_private_from_the_start_and_tightened_when_loosened() {
    let d = dir("start");
    let d = d.0.as_path();
    let data = d.join("iskra-data");
    ok(
        command(d, &["init", "--name", "Private Party", "--admin", "admin"])
            .output()
            .unwrap(),
    );
    // The WAL and shared-memory files may outlive the command: whatever is there is private.
    let (dir_mode, files) = modes(&data);
    assert_eq!(dir_mode, "700", "the data directory after init");
    assert!(files.iter().any(|(f, _)| f == "iskra.db"), "{files:?}");
    assert!(
        files.iter().all(|(_, m)| m == "600"),
        "after init: {files:?}"
    );

    // While a server runs, its WAL and shared-memory files exist: private too.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let mut server = command(d, &["serve", "--insecure-localhost", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        if let Some(status) = server.try_wait().unwrap() {
            panic!("the server stopped: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let running = modes(&data);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(
        running,
        (
            "700".to_string(),
            ["iskra.db", "iskra.db-shm", "iskra.db-wal"]
                .map(|f| (f.to_string(), "600".to_string()))
                .to_vec()
        ),
        "while serving"
    );

    // Loosened since (a careless copy, a chmod): tightened at the next start, and said.
    set_mode(&data, 0o755);
    set_mode(&data.join("iskra.db"), 0o644);
    set_mode(&data.join("iskra.db-wal"), 0o640);
    let said = ok(command(d, &["audit", "verify"]).output().unwrap());
    assert!(
        said.contains("Made iskra-data private: mode 0755 is now 0700"),
        "{said}"
    );
    assert!(
        said.contains("Made iskra-data/iskra.db private: mode 0644 is now 0600"),
        "{said}"
    );
    assert!(
        said.contains("Made iskra-data/iskra.db-wal private: mode 0640 is now 0600"),
        "{said}"
    );
    let (dir_mode, files) = modes(&data);
    assert_eq!(dir_mode, "700");
    assert!(files.iter().all(|(_, m)| m == "600"), "{files:?}");
    // Nothing to say the next time.
    let said = ok(command(d, &["audit", "verify"]).output().unwrap());
    assert!(!said.contains("private"), "{said}");
}
