//! `iskra serve`: serve an organisation that `iskra init` set up.

use crate::cli::ServeArgs;
use crate::db::open;
use anyhow::{bail, Context, Result};
use store::Create;

pub async fn run(args: ServeArgs) -> Result<()> {
    let ServeArgs {
        db,
        listen,
        insecure_localhost,
    } = args;
    if insecure_localhost && !listen.ip().is_loopback() {
        bail!("--insecure-localhost is only for a loopback address, not {listen}");
    }
    let store = open(&db, Create::Never).await?;
    if store.organisation().await?.is_none() {
        bail!("this database holds no organisation yet; set one up with `iskra init`");
    }
    let state = web::AppState::new(store, !insecure_localhost).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    eprintln!("Iskra is serving at http://{listen}/");
    web::serve(state, listener).await
}
