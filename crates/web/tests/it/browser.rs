//! Stories in a real browser: headless Chromium, driven through chromedriver, with JavaScript
//! switched off (every page must work in Tor Browser's safest mode).
//!
//! One chromedriver and one server for the file: the server runs in-process on a fresh SQLite
//! store seeded with the demo organisation, on a free loopback port, over plain http (so the
//! demo cookie, not the `__Host-` one). The stories run in order, each in a browser session of
//! its own (a fresh profile: no cookies carried over).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test fails under CI (`CI` set and not `false`/`0`) and is skipped with a note elsewhere.

use anyhow::{anyhow, ensure, Context, Result};
use core_rules::people::Identity;
use core_rules::Day;
use fantoccini::{Client, Locator};
use store::Store;

use crate::common::browser::{click_through, serve, tools, Driver};
use crate::common::demo_store;

/// The officer who admits and invites. Today the administrator; when roles scoped to units land,
/// the unit's secretary (the stories do not depend on which).
const OFFICER: (&str, &str) = ("secretary", "demo-secretary-iskra");
/// The unit whose applicant is admitted and invited (the demo's ordinary member's circle).
const UNIT: &str = "clyde-govan-yard";
/// Another unit, which the new member may not see.
const OTHER_UNIT: &str = "cc";
const APPLICANT: &str = "Newcomer Lark";
const APPLICANT_EMAIL: &str = "lark@example.org";
const NEW_LOGIN: &str = "lark";
const NEW_PASSWORD: &str = "larks sing at dawn";

/// The server, in-process, on a fresh demo store.
struct Server {
    base: String,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn server() -> Result<Server> {
    let (store, dir) = demo_store().await;
    let base = serve(&store).await?;
    Ok(Server {
        base,
        store,
        _dir: dir,
    })
}

async fn page_source(c: &Client) -> Result<String> {
    Ok(c.source().await?)
}

async fn path_of(c: &Client) -> Result<String> {
    Ok(c.current_url().await?.path().to_string())
}

/// Types into a named field of the page's form with the given action.
async fn fill(c: &Client, form: &str, name: &str, value: &str) -> Result<()> {
    let field = c
        .find(Locator::Css(&format!(
            "form[action='{form}'] [name='{name}']"
        )))
        .await
        .with_context(|| format!("the field {name} of the form {form}"))?;
    field.clear().await?;
    field.send_keys(value).await?;
    Ok(())
}

/// Clicks a form's submit button and waits for the next page.
async fn submit(c: &Client, form: &str) -> Result<()> {
    let button = c
        .find(Locator::Css(&format!(
            "form[action='{form}'] button[type='submit']"
        )))
        .await
        .with_context(|| format!("the submit button of the form {form}"))?;
    click_through(c, button).await
}

async fn heading(c: &Client) -> Result<String> {
    Ok(c.find(Locator::Css("h1")).await?.text().await?)
}

async fn sign_in(c: &Client, base: &str, login: &str, password: &str) -> Result<()> {
    c.goto(&format!("{base}/login")).await?;
    fill(c, "/login", "login", login).await?;
    fill(c, "/login", "password", password).await?;
    submit(c, "/login").await
}

/// (1) The right password lands on the home page; a wrong one, or an unknown login, gets the
/// one generic message.
async fn signing_in(c: &Client, s: &Server) -> Result<()> {
    // First, that JavaScript really is off in this browser.
    c.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await?;
    ensure!(c.title().await? == "off", "JavaScript is on in the browser");

    let generic = "That login name and password do not match.";
    sign_in(c, &s.base, OFFICER.0, "not the password").await?;
    ensure!(path_of(c).await? == "/login", "a wrong password signed in");
    let wrong = page_source(c).await?;
    ensure!(wrong.contains(generic), "no generic message: {wrong}");
    sign_in(c, &s.base, "nobody-here", "not the password").await?;
    let unknown = page_source(c).await?;
    ensure!(
        unknown.contains(generic),
        "no generic message for an unknown login"
    );

    sign_in(c, &s.base, OFFICER.0, OFFICER.1).await?;
    ensure!(
        path_of(c).await? != "/login",
        "the right password did not sign in"
    );
    let home = page_source(c).await?;
    ensure!(
        home.contains(&format!("Sign out {}", OFFICER.0)),
        "the home page does not show who is signed in"
    );
    ensure!(!home.contains("<script"), "a page carries script");
    Ok(())
}

/// (2) The officer admits the applicant on the unit page, opens the new member's page, invites
/// them and reads the link off the page. Returns the link's path.
async fn admitting_and_inviting(c: &Client, s: &Server) -> Result<String> {
    let unit = s.store.unit_by_code(UNIT).await?.context("the unit")?;
    c.goto(&format!("{}/units/{}", s.base, unit.id)).await?;
    ensure!(heading(c).await?.contains(&unit.name), "not the unit page");
    let admit = c
        .find(Locator::XPath(&format!(
            "//tr[td/a[normalize-space()='{APPLICANT}']]//form[input[@name='decision' and @value='admit']]//button"
        )))
        .await
        .context("the Admit button in the applicant's row")?;
    click_through(c, admit).await?;
    ensure!(
        path_of(c).await? == format!("/units/{}", unit.id),
        "admitting did not come back to the unit page"
    );

    // The roster now lists them as a member; follow their name to their page.
    let row = c
        .find(Locator::XPath(&format!(
            "//h2[normalize-space()='People of this unit']/following-sibling::table[1]//tr[td/a[normalize-space()='{APPLICANT}']]"
        )))
        .await
        .context("the new member in the roster")?;
    // The secretary's roster also carries legal name, email and phone: find the status cell.
    let cells = row.find_all(Locator::XPath("td")).await?;
    let mut texts = Vec::new();
    for c in cells {
        texts.push(c.text().await?);
    }
    ensure!(
        texts.iter().any(|t| t == "member"),
        "the roster says {texts:?}, not member"
    );
    ensure!(
        texts.iter().any(|t| t == "Lark Newcomer"),
        "the secretary's roster does not show the legal name: {texts:?}"
    );
    click_through(c, row.find(Locator::Css("a")).await?).await?;
    ensure!(
        heading(c).await?.contains(APPLICANT),
        "not the new member's page"
    );
    let person = path_of(c).await?;

    submit(c, &format!("{person}/invitation")).await?;
    let link = c
        .find(Locator::Css("#invitation-link"))
        .await
        .context("the invitation link on the page")?
        .attr("href")
        .await?
        .ok_or_else(|| anyhow!("the invitation link has no href"))?;
    ensure!(
        link.starts_with("/invite/") && link.len() == "/invite/".len() + 64,
        "an odd invitation link: {link}"
    );
    Ok(link)
}

/// (3) The new member opens the link in a browser of their own, opens their account, signs in,
/// and sees their own page and their unit's people by party name, and nothing of another unit
/// or of the organisation's tree.
async fn accepting_the_invitation(c: &Client, s: &Server, link: &str) -> Result<()> {
    let unit = s.store.unit_by_code(UNIT).await?.context("the unit")?;
    let other = s
        .store
        .unit_by_code(OTHER_UNIT)
        .await?
        .context("the other unit")?;
    c.goto(&format!("{}{link}", s.base)).await?;
    ensure!(
        heading(c).await? == "Open your account",
        "the link does not open the account form"
    );
    fill(c, link, "login", NEW_LOGIN).await?;
    fill(c, link, "password", NEW_PASSWORD).await?;
    fill(c, link, "password_again", NEW_PASSWORD).await?;
    submit(c, link).await?;
    ensure!(
        path_of(c).await? == "/login",
        "accepting did not lead to the login page: {}",
        page_source(c).await?
    );

    sign_in(c, &s.base, NEW_LOGIN, NEW_PASSWORD).await?;
    ensure!(
        path_of(c).await? == format!("/units/{}", unit.id),
        "the member's home is not their unit"
    );
    let roster = page_source(c).await?;
    // A member sees the unit's members; applicants and those who left are for the officers.
    let neighbours = s.store.people_of_unit(unit.id).await?;
    for p in neighbours
        .iter()
        .filter(|p| p.status == core_rules::people::Status::Member)
        .take(5)
    {
        let shown = maud::html! { (p.pseudonym) }.into_string();
        ensure!(
            roster.contains(&shown),
            "{} missing from the roster",
            p.pseudonym
        );
    }
    ensure!(
        !roster.contains(APPLICANT_EMAIL),
        "the roster shows an identity"
    );

    let mine = c
        .find(Locator::LinkText("My standing"))
        .await
        .context("the link to their own page")?;
    click_through(c, mine).await?;
    ensure!(heading(c).await?.contains(APPLICANT), "not their own page");

    for path in [format!("/units/{}", other.id), "/units".to_string()] {
        c.goto(&format!("{}{path}", s.base)).await?;
        ensure!(
            heading(c).await? == "Not found",
            "{path} is not \"not found\""
        );
    }
    // The link worked once.
    c.goto(&format!("{}{link}", s.base)).await?;
    ensure!(heading(c).await? == "Not found", "the link works twice");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_admitted_invited_and_signs_in_with_javascript_off() {
    let Some((driver_bin, chromium)) = tools() else {
        return;
    };
    let s = server().await.expect("the server starts");
    // The applicant the officer will admit.
    let unit = s.store.unit_by_code(UNIT).await.unwrap().expect("the unit");
    s.store
        .apply(
            unit.id,
            APPLICANT,
            &Identity {
                legal_name: "Lark Newcomer".into(),
                email: APPLICANT_EMAIL.into(),
                ..Identity::default()
            },
            "I work at the yard",
            Day::today(),
            None,
        )
        .await
        .expect("the application is recorded");

    let driver = Driver::start(&driver_bin).expect("chromedriver starts");
    let officer = driver
        .session(&chromium, false)
        .await
        .expect("a browser session");
    let officer_part = async {
        signing_in(&officer, &s)
            .await
            .context("story 1: signing in")?;
        admitting_and_inviting(&officer, &s)
            .await
            .context("story 2: admitting and inviting")
    }
    .await;
    let _ = officer.close().await;
    let link = officer_part.unwrap_or_else(|e| panic!("{e:#}"));

    let member = driver
        .session(&chromium, false)
        .await
        .expect("a second session");
    let member_part = accepting_the_invitation(&member, &s, &link)
        .await
        .context("story 3: accepting the invitation");
    let _ = member.close().await;
    drop(driver);
    member_part.unwrap_or_else(|e| panic!("{e:#}"));
}
