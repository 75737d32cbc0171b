//! The paper in a real browser: headless Chromium through chromedriver, JavaScript off. A reader
//! without an account opens the public edition; the demo's paper agent records the sales,
//! returns and money of the circle's bundle.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test fails under CI and is skipped with a note elsewhere.

use anyhow::{ensure, Context, Result};
use fantoccini::{Client, Locator};

use crate::common::browser::{click_through, serve, tools, Driver};
use crate::common::demo_store;

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
    let Some((chromedriver, chromium)) = tools() else {
        return Ok(());
    };
    let (store, _dir) = demo_store().await;
    let base = serve(&store).await?;
    let driver = Driver::start(&chromedriver)?;

    // A reader, not signed in: the list of papers, the latest edition, its articles.
    let c = driver.session(&chromium, false).await?;
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
    let c = driver.session(&chromium, false).await?;
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
