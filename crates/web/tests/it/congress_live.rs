//! The congress live, in a real browser: the projector view (with JavaScript, as a hall's screen
//! would run it) updates without reloading when a delegate votes from their own browser (with
//! JavaScript off: the plain form works).
//!
//! Headless Chromium through chromedriver, as in `browser.rs`; needs Debian's `chromium` and
//! `chromium-driver`. Without them the test fails under CI and is skipped with a note elsewhere.

use anyhow::{ensure, Context, Result};
use core_rules::congress::ApportionRule;
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::Day;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};
use store::people::NewPerson;
use store::Store;

use crate::common::browser::{serve, tools, Driver};
use crate::common::congress::PASSWORD;
use crate::common::empty_store;

async fn sign_in(c: &Client, base: &str, login: &str) -> Result<()> {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Css("form[action='/login'] [name='login']"))
        .await?
        .send_keys(login)
        .await?;
    c.find(Locator::Css("form[action='/login'] [name='password']"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    let old = c.find(Locator::Css("html")).await?;
    c.find(Locator::Css("form[action='/login'] button[type='submit']"))
        .await?
        .click()
        .await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        ensure!(Instant::now() < deadline, "no page after signing in");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// A congress with one delegate (two mandates) checked in and a roll call open.
async fn setup() -> Result<(Store, tempfile::TempDir, i64)> {
    let (store, dir) = empty_store().await;
    let today = Day::today();
    store::init_organisation(
        &store,
        "Test Party",
        "Central Committee",
        "admin",
        "admin password 1",
        today.add_days(-400),
    )
    .await?;
    let cc = store.unit_by_code("cc").await?.context("cc")?.id;
    let mut ids = Vec::new();
    for i in 0..10 {
        let since = today.add_days(-100);
        let id = store
            .create_person(
                &NewPerson {
                    card: None,
                    pseudonym: format!("Delegate {i}"),
                    unit_id: cc,
                    status: Status::Member,
                    since,
                    admitted_on: Some(since),
                    programme_accepted: true,
                    monthly_income_cents: Some(150_000),
                    reduced_rate: false,
                    identity: Identity::default(),
                },
                None,
            )
            .await?;
        store
            .record_payment(
                &store::dues::NewPayment {
                    person: id,
                    period: today.month(),
                    paid_on: today,
                    amount_cents: 500,
                    source: "treasurer",
                    reference: None,
                },
                None,
            )
            .await?;
        ids.push(id);
    }
    store
        .record_meeting(cc, today, "Meeting", &ids, None)
        .await?;
    store
        .create_account("delegate", PASSWORD, Some(ids[0]), false, None)
        .await?;
    let presidium = store
        .create_account("presidium", PASSWORD, None, false, None)
        .await?;
    store::sqlx::query(
        "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, 0)",
    )
    .bind(presidium)
    .bind(cc)
    .bind(Role::Presidium.code())
    .execute(store.pool())
    .await?;
    let c = store
        .convene(
            &store::congress::NewCongress {
                name: "Live Congress".into(),
                held_on: today,
                membership_on: today,
                rule: Some(ApportionRule::PerMembers { per: 5, min: 1 }),
                quorum: (1, 2),
                supporters_needed: 0,
                motion_states: String::new(),
            },
            None,
        )
        .await?;
    let p = store
        .add_participant(c, ids[0], store::congress::Kind::Delegate, 2, None)
        .await?;
    store.set_credential(p, true, None).await?;
    store.set_presence(c, &[p], true, None).await?;
    store
        .open_vote(
            c,
            "question",
            None,
            "Shall the paper be weekly",
            false,
            count::motion::Rule::SIMPLE,
            None,
        )
        .await?;
    Ok((store, dir, c))
}

async fn story(projector: &Client, delegate: &Client, base: &str, c: i64) -> Result<()> {
    sign_in(projector, base, "presidium").await?;
    projector
        .goto(&format!("{base}/congresses/{c}/projector"))
        .await?;
    // The stream is open once the script has said so.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let live = projector.find(Locator::Css("#live")).await?;
        if live.attr("data-connected").await?.as_deref() == Some("1") {
            break;
        }
        ensure!(Instant::now() < deadline, "the live stream did not connect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cast = projector.find(Locator::Css("#cast")).await?.text().await?;
    ensure!(
        cast == "0",
        "nobody has voted yet, the projector says {cast}"
    );
    // A mark on this page: gone if the page were reloaded.
    projector
        .execute("window.notReloaded = true;", vec![])
        .await?;

    sign_in(delegate, base, "delegate").await?;
    delegate
        .goto(&format!("{base}/congresses/{c}/delegate"))
        .await?;
    let yes = delegate
        .find(Locator::Css("button[name='choice'][value='yes']"))
        .await
        .context("the delegate's Yes button")?;
    let old = delegate.find(Locator::Css("html")).await?;
    yes.click().await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        ensure!(Instant::now() < deadline, "no page after voting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = delegate.source().await?;
    ensure!(
        after.contains("Your vote is recorded."),
        "the delegate's page does not confirm the vote"
    );

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let cast = projector.find(Locator::Css("#cast")).await?.text().await?;
        if cast == "2" {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the projector still shows {cast} votes 5 s after the vote"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let same = projector
        .execute("return window.notReloaded === true;", vec![])
        .await?;
    ensure!(
        same == serde_json::json!(true),
        "the projector reloaded the whole page"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_votes_and_the_projector_updates_live() {
    let Some((driver_bin, chromium)) = tools() else {
        return;
    };
    let (store, _dir, c) = setup().await.expect("the congress is set up");
    let base = serve(&store).await.expect("the server starts");
    let driver = Driver::start(&driver_bin).expect("chromedriver starts");
    let projector = driver
        .session(&chromium, true)
        .await
        .expect("a browser session with JavaScript");
    let delegate = driver
        .session(&chromium, false)
        .await
        .expect("a browser session without JavaScript");
    let result = story(&projector, &delegate, &base, c).await;
    let _ = projector.close().await;
    let _ = delegate.close().await;
    drop(driver);
    result.unwrap_or_else(|e| panic!("{e:#}"));
}
