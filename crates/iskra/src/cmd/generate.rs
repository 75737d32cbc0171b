//! `iskra generate`: a large generated organisation for the benchmarks. Without a stage flag it
//! writes the people CSV (and with `--with-units` sets up the units and bench accounts); after
//! `iskra import people`, the stage flags add a year of activity, the paper, reports and a
//! congress to the database.

use crate::cli::GenerateArgs;
use crate::cmd::progress_bar;
use crate::db::{open, open_with, DEFAULT_KEY_FILE};
use anyhow::{Context, Result};
use core_rules::roles::Role;
use core_rules::units::NewUnit;
use core_rules::Day;
use fixtures::generate::Scale;
use fixtures::Seeder;
use store::{Create, Store};

pub async fn run(args: GenerateArgs) -> Result<()> {
    let today = Day::today();
    let units = fixtures::generate::scale_units(args.seed, args.people);
    if args.with_units {
        set_up_units(&args, &units, today).await?;
    }
    let after_import = args.activity || args.paper || args.reports.is_some() || args.congress;
    if !after_import {
        let csv = &args.csv;
        let f =
            std::fs::File::create(csv).with_context(|| format!("creating {}", csv.display()))?;
        let n = fixtures::generate::write_people_csv(
            args.seed,
            args.people,
            &units,
            today,
            std::io::BufWriter::with_capacity(1 << 20, f),
        )?;
        eprintln!("{n} people written to {}.", csv.display());
        return Ok(());
    }
    let store = open(&args.db, Create::Never).await?;
    let scale = Scale::new(args.seed, args.people, &units, today);
    add_stages(&store, &scale, &args).await
}

/// The organisation and its units, and the benchmarks' accounts (administrator, secretary of
/// `r01-l01`, editor at the central committee), all with ISKRA_ADMIN_PASSWORD.
async fn set_up_units(args: &GenerateArgs, units: &[NewUnit], today: Day) -> Result<()> {
    let people = args.people;
    let password = match &args.admin {
        Some(_) => Some(
            std::env::var("ISKRA_ADMIN_PASSWORD")
                .context("--admin reads the password from ISKRA_ADMIN_PASSWORD")?,
        ),
        None => None,
    };
    let store = open_with(&args.db, Create::IfMissing, DEFAULT_KEY_FILE, true, false).await?;
    Seeder(&store)
        .seed_units(&format!("Generated party ({people} people)"), units, today)
        .await?;
    eprintln!("{} units set up in {}.", units.len(), store.url().display());
    let Some(password) = password else {
        return Ok(());
    };
    if let Some(login) = &args.admin {
        store
            .create_account(login, &password, None, true, None)
            .await?;
        eprintln!("Administrator {login} created.");
    }
    if let Some(login) = &args.secretary {
        officer(
            &store,
            login,
            &password,
            ("r01-l01", "unit r01-l01"),
            Role::Secretary,
        )
        .await?;
        eprintln!("Secretary {login} of r01-l01 created.");
    }
    if let Some(login) = &args.editor {
        officer(
            &store,
            login,
            &password,
            ("cc", "central committee"),
            Role::Editor,
        )
        .await?;
        eprintln!("Editor {login} at the central committee created.");
    }
    Ok(())
}

/// An account holding `role` in the generated unit with this code (and this description, for
/// the error when the organisation lacks it).
async fn officer(
    store: &Store,
    login: &str,
    password: &str,
    (code, unit): (&str, &str),
    role: Role,
) -> Result<()> {
    let u = store
        .unit_by_code(code)
        .await?
        .with_context(|| format!("the generated organisation has no {unit}"))?;
    store
        .create_account(login, password, None, false, None)
        .await?;
    store.grant_role(login, u.id, role, None).await?;
    Ok(())
}

/// The stages added once the people are imported, each with a progress bar and its time.
async fn add_stages(store: &Store, scale: &Scale, args: &GenerateArgs) -> Result<()> {
    if args.activity {
        let bar = progress_bar();
        bar.set_message("activity");
        let started = std::time::Instant::now();
        let n = Seeder(store)
            .seed_scale_activity(scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} rows of dues and attendance added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if args.paper {
        let bar = progress_bar();
        bar.set_message("paper");
        let started = std::time::Instant::now();
        let n = Seeder(store)
            .seed_scale_paper(scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} rows of publications, orders, editions, bundles and returns added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(count) = args.reports {
        let bar = progress_bar();
        bar.set_message("reports");
        let started = std::time::Instant::now();
        let n = Seeder(store)
            .seed_scale_reports(scale, count, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} reports added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if args.congress {
        let bar = progress_bar();
        bar.set_message("congress delegates");
        let started = std::time::Instant::now();
        let c = Seeder(store)
            .seed_scale_congress(scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        let delegates = store.participants(c).await?.len();
        eprintln!(
            "Congress {c} convened with {delegates} delegates, motions and votes, in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
