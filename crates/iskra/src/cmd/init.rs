//! `iskra init`: set up a new organisation and its first administrator.

use crate::cli::InitArgs;
use crate::db::{open_with, DEFAULT_KEY_FILE};
use anyhow::{bail, Context, Result};
use std::io::IsTerminal;
use store::Create;
use zeroize::Zeroizing;

pub async fn run(args: InitArgs) -> Result<()> {
    let InitArgs {
        db,
        name,
        central,
        admin,
        password_env,
    } = args;
    let password = password(&admin, &password_env)?;
    let store = open_with(&db, Create::IfMissing, DEFAULT_KEY_FILE, true, false).await?;
    store::init_organisation(&store, &name, &central, &admin, &password, store.today()).await?;
    println!(
        "Set up {name} in {} with administrator {admin}.",
        store.url().display()
    );
    Ok(())
}

/// The administrator's password: from the environment variable named by `--password-env` if it
/// is set; else, at a terminal, typed twice without echo (a typing error nobody saw would lock
/// the administrator out); else one line of standard input, for scripts that pipe it in.
fn password(admin: &str, password_env: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(password_env) {
        return Ok(Zeroizing::new(p));
    }
    if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(
            rpassword::prompt_password(format!("Password for {admin}: "))
                .context("reading the password from the terminal")?,
        );
        let again = Zeroizing::new(
            rpassword::prompt_password("The same again: ")
                .context("reading the password from the terminal")?,
        );
        if first != again {
            bail!("the two passwords differ; nothing was set up");
        }
        return Ok(first);
    }
    eprint!("Password for {admin}: ");
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}
