//! The paper in a real browser: headless Chromium through chromedriver, JavaScript off. A reader
//! without an account opens the public edition; the demo's paper agent records the sales,
//! returns and money of the circle's bundle.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test fails under CI and is skipped with a note elsewhere.

use anyhow::{bail, ensure, Context, Result};
use core_rules::Day;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use store::{Create, DatabaseUrl, Store};

fn under_ci() -> bool {
    std::env::var("CI")
        .map(|v| !v.is_empty() && v != "false" && v != "0")
        .unwrap_or(false)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver, chromium: &PathBuf) -> Result<Client> {
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"],
            "prefs": { "profile.managed_default_content_settings.javascript": 2 },
        },
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            Ok(c) => return Ok(c),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(e) => bail!("no browser session from chromedriver: {e}"),
        }
    }
}

async fn click_through(c: &Client, target: fantoccini::elements::Element) -> Result<()> {
    let old = c.find(Locator::Css("html")).await?;
    target.click().await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        ensure!(Instant::now() < deadline, "no new page after a click");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn fill_in(c: &Client, scope: &str, name: &str, value: &str) -> Result<()> {
    let f = c
        .find(Locator::Css(&format!("{scope} [name='{name}']")))
        .await
        .with_context(|| format!("the field {name} in {scope}"))?;
    f.clear().await?;
    f.send_keys(value).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_opens_the_edition_and_an_agent_records_the_bundle() -> Result<()> {
    let (Some(chromium), Some(chromedriver)) = (on_path("chromium"), on_path("chromedriver"))
    else {
        assert!(
            !under_ci(),
            "chromium and chromium-driver are needed under CI"
        );
        eprintln!("chromium or chromedriver not installed: skipping the paper's browser story");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let store = Store::open(&DatabaseUrl::sqlite_in(dir.path()), Create::IfMissing)
        .await?
        .unlock(&store::vault::KeySource::Key(
            store::vault::MasterKey::generate(),
        ))
        .await?;
    let today = Day::today();
    store
        .seed_demo(&core_rules::demo::demo(7, today), today)
        .await?;
    let state = web::AppState::new(store.clone(), false).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, web::router(state)).await;
    });
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let driver = Driver {
        child: Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
        url: format!("http://127.0.0.1:{port}"),
    };

    // A reader, not signed in: the list of papers, the latest edition, its articles.
    let c = browser(&driver, &chromium).await?;
    let result = async {
        c.goto(&format!("{base}/paper")).await?;
        let latest = c
            .find(Locator::Css("a[href='/paper/iskra/5']"))
            .await
            .context("a link to the latest edition")?;
        click_through(&c, latest).await?;
        let h1 = c.find(Locator::Css("h1")).await?.text().await?;
        ensure!(
            h1 == "Schools: the cuts have names",
            "the edition's headline is {h1:?}"
        );
        let titles = c
            .find_all(Locator::Css("article.edition section h2"))
            .await?;
        ensure!(titles.len() == 3, "three articles, got {}", titles.len());
        Ok::<_, anyhow::Error>(())
    }
    .await;
    c.close().await?;
    result?;

    // The agent of the yard circle records the return of the latest edition.
    let yard = store
        .unit_by_code("clyde-govan-yard")
        .await?
        .context("the agent's circle")?;
    let p = store
        .publication_by_code("iskra")
        .await?
        .context("the paper")?;
    let five = store
        .edition_by_number(p.id, 5)
        .await?
        .context("edition 5")?;
    let copies = store.bundle_copies(five.id, yard.id).await?;
    let c = browser(&driver, &chromium).await?;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        fill_in(&c, "form[action='/login']", "login", "agent").await?;
        fill_in(&c, "form[action='/login']", "password", "demo-agent-iskra").await?;
        let b = c
            .find(Locator::Css("form[action='/login'] button[type='submit']"))
            .await?;
        click_through(&c, b).await?;
        c.goto(&format!("{base}/units/{}/paper", yard.id)).await?;
        let scope = format!("section#e{} form", five.id);
        fill_in(&c, &scope, "received", &copies.to_string()).await?;
        fill_in(&c, &scope, "sold", &(copies - 2).to_string()).await?;
        fill_in(&c, &scope, "free", "1").await?;
        fill_in(&c, &scope, "returned", "1").await?;
        let paid = core_rules::paper::money((copies - 2) * five.price_cents);
        fill_in(&c, &scope, "remitted", &paid).await?;
        let b = c
            .find(Locator::Css(&format!("{scope} button[type='submit']")))
            .await?;
        click_through(&c, b).await?;
        let section = c
            .find(Locator::Css(&format!("section#e{}", five.id)))
            .await?
            .text()
            .await?;
        ensure!(
            section.contains(&format!("sold {}", copies - 2)),
            "the page shows the return: {section}"
        );
        ensure!(
            !section.contains("Arrears"),
            "no arrears when the money is all in: {section}"
        );
        Ok::<_, anyhow::Error>(())
    }
    .await;
    c.close().await?;
    result?;
    let r = store
        .bundle_return(five.id, yard.id)
        .await?
        .context("the return is recorded")?;
    assert_eq!(
        (r.received, r.sold, r.free, r.returned),
        (copies as u64, copies as u64 - 2, 1, 1)
    );
    assert_eq!(r.remitted_cents, (copies - 2) * five.price_cents);
    Ok(())
}
