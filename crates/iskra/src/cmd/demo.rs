//! `iskra demo`: create (or reopen) the demo organisation and serve it on a loopback address.

use crate::cli::DemoArgs;
use crate::db::{open_with, DEMO_KEY_FILE};
use anyhow::{bail, Context, Result};
use store::Create;

pub async fn run(args: DemoArgs) -> Result<()> {
    let DemoArgs { db, listen, seed } = args;
    if !listen.ip().is_loopback() {
        bail!("the demo serves plain http with a cookie that is not Secure, so it listens on a loopback address only, not {listen}");
    }
    let store = open_with(&db, Create::IfMissing, DEMO_KEY_FILE, true, false).await?;
    let today = store.today();
    let plan = fixtures::demo::demo(seed, today);
    if fixtures::Seeder(&store).seed_demo(&plan, today).await? {
        println!(
            "Created the demo organisation \"{}\" in {}.",
            plan.organisation,
            store.url().display()
        );
    } else {
        println!("Reopened the organisation in {}.", store.url().display());
    }
    let state = web::AppState::new(store, false).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!("\nIskra is serving at http://{listen}/\n");
    println!("Demo logins (login / password):");
    for l in &plan.logins {
        let unit = l
            .unit
            .as_deref()
            .map(|u| format!(" in {u}"))
            .unwrap_or_default();
        println!("  {:<12} {:<28} {}{}", l.login, l.password, l.role, unit);
    }
    println!("\nEach login sees what its office needs: the administrator keeps offices and sees figures; the secretary sees the circle's people and identities; a member sees their own standing and their unit's members by party name.");
    println!("Press Ctrl-C to stop.");
    web::serve(state, listener).await
}
