//! The browser stories' part of the harness: a headless Chromium driven over WebDriver by a
//! local chromedriver, against the server on a loopback port.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use store::Store;

use super::under_ci;

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// chromedriver and Chromium, when both are on PATH. Without them a story is skipped (and says
/// so), except under CI, where it fails: there they are installed, and a story that passes by
/// not running would hide that they are not.
pub fn tools() -> Option<(PathBuf, PathBuf)> {
    match (
        on_path("chromedriver"),
        on_path("chromium").or_else(|| on_path("chromium-browser")),
    ) {
        (Some(driver), Some(chromium)) => Some((driver, chromium)),
        _ => {
            let say = "the browser stories need chromium and chromedriver on PATH \
                       (Debian: apt-get install chromium chromium-driver; .ci/run installs them)";
            if under_ci() {
                panic!("{say}");
            }
            eprintln!("note: skipped: {say}");
            None
        }
    }
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The server, in-process, on a loopback port: its base URL.
pub async fn serve(store: &Store) -> Result<String> {
    let state = web::AppState::new(store.clone(), false).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, web::router(state)).await;
    });
    Ok(base)
}

/// chromedriver as a child process, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub fn start(binary: &PathBuf) -> Result<Driver> {
        let port = free_port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    /// A new browser session: a fresh profile, headless, with JavaScript on or off.
    pub async fn session(&self, chromium: &PathBuf, javascript: bool) -> Result<Client> {
        let mut opts = serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
            ],
        });
        if !javascript {
            opts["prefs"] =
                serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let caps = serde_json::json!({ "browserName": "chrome", "goog:chromeOptions": opts });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        // chromedriver needs a moment to listen; retry until it answers.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&self.url)
                .await
            {
                Ok(c) => return Ok(c),
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(e) => bail!("no browser session from chromedriver at {}: {e}", self.url),
            }
        }
    }
}

/// Clicks, and waits until the page it was on has been replaced by the next one (the old
/// page's root element goes stale), even when the next page has the same address.
pub async fn click_through(c: &Client, target: fantoccini::elements::Element) -> Result<()> {
    let old = c.find(Locator::Css("html")).await?;
    target.click().await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        ensure!(Instant::now() < deadline, "no new page after a click");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
