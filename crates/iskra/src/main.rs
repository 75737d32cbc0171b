//! `iskra`: the command line, and the wiring of store, web and count.

mod count_cmd;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use core_rules::Day;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::exchange::Progress;
use store::{Create, DatabaseUrl, Store};

#[derive(Parser, Debug)]
#[command(
    name = "iskra",
    version,
    about = "Iskra: the democratic life of a mass membership organisation, in one binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database is: `--database URL`, or `ISKRA_DATABASE_URL`, or the SQLite file in the
/// data directory.
#[derive(clap::Args, Debug, Clone)]
struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [env: ISKRA_DATABASE_URL]
    #[arg(long = "database", env = "ISKRA_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Data directory, holding the SQLite database when no URL is given.
    #[arg(long = "data", default_value = "iskra-data")]
    data: PathBuf,
}

impl DbArgs {
    fn url(&self) -> Result<DatabaseUrl> {
        match &self.database {
            Some(u) => Ok(DatabaseUrl::parse(u)?),
            None => Ok(DatabaseUrl::sqlite_in(&self.data)),
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create (or reopen) the demo organisation under ./iskra-data and serve it.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed for the demo organisation: the same seed gives the same organisation.
        #[arg(long, default_value_t = 1903)]
        seed: u64,
    },
    /// Serve an organisation (set one up first with `iskra init`).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve the session cookie without Secure, for plain http on a loopback address only.
        #[arg(long)]
        insecure_localhost: bool,
    },
    /// Set up a new organisation and its first administrator.
    Init {
        #[command(flatten)]
        db: DbArgs,
        /// The organisation's name.
        #[arg(long)]
        name: String,
        /// The name of its highest body.
        #[arg(long, default_value = "Central Committee")]
        central: String,
        /// The administrator's login name (not an email address).
        #[arg(long)]
        admin: String,
        /// Read the administrator's password from this environment variable rather than a prompt.
        #[arg(long, default_value = "ISKRA_ADMIN_PASSWORD")]
        password_env: String,
    },
    /// Apply the migrations this binary carries (they also run at every start).
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import people or dues payments from CSV.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export people as CSV (the same columns import reads).
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Take a consistent snapshot of a running SQLite database.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The new backup file.
        file: PathBuf,
    },
    /// Put a backup in place of the database (stop the server first).
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file.
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Membership and voting rights of everyone, counted per unit.
    Evaluate {
        #[command(flatten)]
        db: DbArgs,
        /// The day (YYYY-MM-DD); today by default.
        #[arg(long)]
        on: Option<String>,
    },
    /// Show the statutes in force, or adopt a new version.
    Statutes {
        #[command(subcommand)]
        what: StatutesWhat,
    },
    /// List, grant and end offices (secretary, treasurer, ...), each held in one unit.
    Roles {
        #[command(subcommand)]
        what: RolesWhat,
    },
    /// Check or read the audit log (who changed what, who viewed whose identity).
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Count an election or a vote from a ballot file.
    Count(count_cmd::CountArgs),
    /// Generate a large organisation for benchmarks: its units, and its people as CSV.
    Generate {
        #[command(flatten)]
        db: DbArgs,
        /// How many people.
        #[arg(long, default_value_t = 1_000_000)]
        people: u64,
        #[arg(long, default_value_t = 1912)]
        seed: u64,
        /// Write the people CSV here (import it with `iskra import people`).
        #[arg(long)]
        csv: PathBuf,
        /// Also set up the organisation and its units in the database.
        #[arg(long)]
        with_units: bool,
        /// After the people are imported: add a year of dues and meetings to the database.
        #[arg(long)]
        activity: bool,
        /// With --with-units: also create an administrator account with this login, its
        /// password read from ISKRA_ADMIN_PASSWORD (for benchmarking the pages).
        #[arg(long, requires = "with_units")]
        admin: Option<String>,
        /// With --admin: also create this login as the secretary of the unit `r01-l01` (the
        /// benchmarks' local committee), with the same password.
        #[arg(long, requires = "admin")]
        secretary: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    /// People from CSV: every row is checked first; any bad row means nothing is written.
    People {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
    /// Dues from a bank statement CSV: date,amount,reference,payer[,period].
    Payments {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum StatutesWhat {
    /// Print the rules in force on a day as JSON (the form `adopt` reads).
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// The day (YYYY-MM-DD); today by default.
        #[arg(long)]
        on: Option<String>,
    },
    /// Record a new version adopted by an empowered body, taking effect on a date.
    Adopt {
        #[command(flatten)]
        db: DbArgs,
        /// The rules, as JSON (start from `iskra statutes show`).
        file: PathBuf,
        /// The body that adopted them, e.g. "Second Congress".
        #[arg(long)]
        by: String,
        /// The day they were adopted (YYYY-MM-DD).
        #[arg(long)]
        adopted_on: String,
        /// The day they take effect (YYYY-MM-DD); the day of adoption by default.
        #[arg(long)]
        effective: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum AuditWhat {
    /// Walk the hash chain: report OK with the number of entries and the head hash (note it down
    /// somewhere else), or name the first entry deleted, edited or moved and exit non-zero.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A head hash noted down earlier: it must still be in the chain. This catches what the
        /// database alone cannot: entries cut off the end together with the head row, or the
        /// whole chain rewritten from some entry on.
        #[arg(long, value_name = "HASH")]
        expect_head: Option<String>,
    },
    /// Print the most recent entries, newest first (they hold ids and counts, never identities).
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Subcommand, Debug)]
enum RolesWhat {
    /// Every office held now: login, office, unit.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Give an account an office in a unit (the account's person must be a member).
    Grant {
        #[command(flatten)]
        db: DbArgs,
        /// The account's login name.
        login: String,
        /// secretary, treasurer, agent, editor, credentials, presidium, central, security, admin.
        role: String,
        /// The unit's code, e.g. clyde-govan-yard.
        unit: String,
    },
    /// End an office (its number from `iskra roles list`); the holder is signed out at once.
    End {
        #[command(flatten)]
        db: DbArgs,
        grant: i64,
    },
}

#[derive(Subcommand, Debug)]
enum ExportWhat {
    /// People as CSV, to a file or standard output.
    People {
        #[command(flatten)]
        db: DbArgs,
        /// Output file; standard output if absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // Logs name no person and no address: requests are not logged by default at all.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ISKRA_LOG")
                .unwrap_or_else(|_| "iskra=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Count(args) = &cli.command {
        return count_cmd::run(args);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(cli.command))
}

async fn open(db: &DbArgs, create: Create) -> Result<Store> {
    let url = db.url()?;
    Store::open(&url, create)
        .await
        .with_context(|| format!("opening {}", url.display()))
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo { db, listen, seed } => {
            if !listen.ip().is_loopback() {
                bail!("the demo serves plain http with a cookie that is not Secure, so it listens on a loopback address only, not {listen}");
            }
            let store = open(&db, Create::IfMissing).await?;
            let today = Day::today();
            let plan = core_rules::demo::demo(seed, today);
            if store.seed_demo(&plan, today).await? {
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
        Command::Serve {
            db,
            listen,
            insecure_localhost,
        } => {
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
        Command::Init {
            db,
            name,
            central,
            admin,
            password_env,
        } => {
            let password = match std::env::var(&password_env) {
                Ok(p) => p,
                Err(_) => {
                    eprint!("Password for {admin}: ");
                    let mut s = String::new();
                    std::io::stdin().read_line(&mut s)?;
                    s.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let store = open(&db, Create::IfMissing).await?;
            store::init_organisation(&store, &name, &central, &admin, &password, Day::today())
                .await?;
            println!(
                "Set up {name} in {} with administrator {admin}.",
                store.url().display()
            );
            Ok(())
        }
        Command::Migrate { db } => {
            let store = open(&db, Create::Never).await?;
            store.migrate().await?;
            println!("{} is up to date.", store.url().display());
            Ok(())
        }
        Command::Import {
            what: ImportWhat::People { db, file },
        } => {
            let store = open(&db, Create::Never).await?;
            let bar = progress_bar();
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = file.clone();
            let mut tick = |p: Progress| match p {
                Progress::Checking(n) => {
                    bar.set_message("checking");
                    bar.set_position(n)
                }
                Progress::Writing(n) => {
                    bar.set_message("writing");
                    bar.set_position(n)
                }
            };
            let report = store
                .import_people(
                    || {
                        std::fs::File::open(&path)
                            .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
                    },
                    &name,
                    None,
                    &mut tick,
                )
                .await;
            bar.finish_and_clear();
            let report = report?;
            println!(
                "{} rows: {} people recorded, {} updated, {} unchanged.",
                report.rows, report.created, report.updated, report.unchanged
            );
            Ok(())
        }
        Command::Import {
            what: ImportWhat::Payments { db, file },
        } => {
            let store = open(&db, Create::Never).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let r = store.import_bank_csv(&data, None).await?;
            println!(
                "{} payments recorded, {} already recorded before.",
                r.recorded, r.already
            );
            Ok(())
        }
        Command::Export {
            what: ExportWhat::People { db, out },
        } => {
            let store = open(&db, Create::Never).await?;
            let n = match &out {
                Some(path) => {
                    let f = std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    store
                        .export_people(std::io::BufWriter::new(f), None)
                        .await?
                }
                None => store.export_people(std::io::stdout().lock(), None).await?,
            };
            if let Some(p) = out {
                eprintln!("{n} people written to {}.", p.display());
            }
            Ok(())
        }
        Command::Backup { db, file } => {
            let store = open(&db, Create::Never).await?;
            store.backup_to(&file).await?;
            println!("Backed up {} to {}.", store.url().display(), file.display());
            Ok(())
        }
        Command::Restore { db, file, force } => {
            store::backup::restore(&file, &db.url()?, force).await?;
            println!("Restored {} from {}.", db.url()?.display(), file.display());
            Ok(())
        }
        Command::Evaluate { db, on } => {
            let store = open(&db, Create::Never).await?;
            let day = match on {
                Some(d) => Day::parse(&d)?,
                None => Day::today(),
            };
            let started = std::time::Instant::now();
            let eval = store.evaluate_all(day).await?;
            let took = started.elapsed();
            let t = eval.total();
            println!(
                "{day}, statutes version {}: {} people in {} units; {} members, {} with a vote, {} without a vote for arrears; {} applicants, {} supporters.",
                eval.statutes_version,
                t.people,
                eval.per_unit.len(),
                t.members,
                t.voting,
                t.no_vote_arrears,
                t.applicants,
                t.supporters
            );
            eprintln!("evaluated in {:.3} s", took.as_secs_f64());
            Ok(())
        }
        Command::Generate {
            db,
            people,
            seed,
            csv,
            with_units,
            activity,
            admin,
            secretary,
        } => {
            generate(
                &db,
                people,
                seed,
                &csv,
                with_units,
                activity,
                admin.as_deref(),
                secretary.as_deref(),
            )
            .await
        }
        Command::Statutes {
            what: StatutesWhat::Show { db, on },
        } => {
            let store = open(&db, Create::Never).await?;
            let day = match on {
                Some(d) => Day::parse(&d)?,
                None => Day::today(),
            };
            let v = store.statutes_on(day).await?;
            eprintln!(
                "Version {}, adopted by {} on {}, in force from {}:",
                v.version, v.adopted_by, v.adopted_on, v.effective_from
            );
            println!("{}", v.rules.to_json());
            Ok(())
        }
        Command::Statutes {
            what:
                StatutesWhat::Adopt {
                    db,
                    file,
                    by,
                    adopted_on,
                    effective,
                },
        } => {
            let store = open(&db, Create::Never).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let rules = core_rules::statutes::Statutes::from_json(&text)
                .with_context(|| format!("reading the statutes in {}", file.display()))?;
            let adopted = Day::parse(&adopted_on)?;
            let from = match effective {
                Some(d) => Day::parse(&d)?,
                None => adopted,
            };
            let v = store
                .adopt_statutes(&rules, adopted, from, &by, None)
                .await?;
            println!("Statutes version {v}, adopted by {by}, take effect on {from}.");
            Ok(())
        }
        Command::Audit {
            what: AuditWhat::Verify { db, expect_head },
        } => {
            let store = open(&db, Create::Never).await?;
            let v = store.verify_audit(expect_head.as_deref()).await?;
            if let Some(b) = &v.broken {
                bail!(
                    "the audit log is BROKEN at {b}.\n{} entries read; the head records entry {} with hash {}.",
                    v.entries,
                    v.head_seq,
                    v.head_hash
                );
            }
            println!(
                "The audit log is OK: {} entries, each chained to the one before.",
                v.entries
            );
            println!("Head: entry {} hash {}", v.head_seq, v.head_hash);
            if let (Some(h), Some(at)) = (&expect_head, v.expected_at) {
                println!("The expected head {h} is entry {at}.");
            }
            println!(
                "Note the head hash down outside this database: `iskra audit verify --expect-head HASH` later \
                 shows that no entry up to it was removed or rewritten."
            );
            Ok(())
        }
        Command::Audit {
            what: AuditWhat::Show { db, limit },
        } => {
            let store = open(&db, Create::Never).await?;
            let fmt =
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            println!(
                "{:>8}  {:<19}  {:<8}  {:<20}  {:<18}  detail",
                "seq", "when (UTC)", "by", "action", "object"
            );
            for e in store.audit_entries(limit.max(0)).await? {
                let when = time::OffsetDateTime::from_unix_timestamp(e.at)
                    .ok()
                    .and_then(|t| t.format(&fmt).ok())
                    .unwrap_or_else(|| e.at.to_string());
                let by = e
                    .actor
                    .map(|a| format!("#{a}"))
                    .unwrap_or_else(|| "cli".into());
                let object = match (&e.object_kind, e.object_id) {
                    (Some(k), Some(i)) => format!("{k} {i}"),
                    _ => String::new(),
                };
                println!(
                    "{:>8}  {:<19}  {:<8}  {:<20}  {:<18}  {}",
                    e.seq, when, by, e.action, object, e.detail
                );
            }
            Ok(())
        }
        Command::Roles {
            what: RolesWhat::List { db },
        } => {
            let store = open(&db, Create::Never).await?;
            println!("{:>6}  {:<20}  {:<22}  unit", "number", "login", "office");
            for g in store.grants().await? {
                println!(
                    "{:>6}  {:<20}  {:<22}  {} ({})",
                    g.id,
                    g.login,
                    g.role.name(),
                    g.unit_code,
                    g.unit_name
                );
            }
            Ok(())
        }
        Command::Roles {
            what:
                RolesWhat::Grant {
                    db,
                    login,
                    role,
                    unit,
                },
        } => {
            let store = open(&db, Create::Never).await?;
            let r = core_rules::roles::Role::parse(&role).with_context(|| {
                format!(
                    "there is no office {role:?}; the offices are: {}",
                    core_rules::roles::Role::OFFICES
                        .map(|r| r.code())
                        .join(", ")
                )
            })?;
            let u = store
                .unit_by_code(&unit)
                .await?
                .with_context(|| format!("there is no unit {unit:?}"))?;
            let id = store.grant_role(&login, u.id, r, None).await?;
            println!("{login} is now {} in {} (number {id}).", r.name(), u.name);
            Ok(())
        }
        Command::Roles {
            what: RolesWhat::End { db, grant },
        } => {
            let store = open(&db, Create::Never).await?;
            store.end_role(grant, None).await?;
            println!("Office {grant} ended; its holder is signed out.");
            Ok(())
        }
        Command::Count(_) => unreachable!("handled before the runtime starts"),
    }
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} rows ({per_sec})")
            .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

#[allow(clippy::too_many_arguments)] // One per command-line option.
async fn generate(
    db: &DbArgs,
    people: u64,
    seed: u64,
    csv: &Path,
    with_units: bool,
    activity: bool,
    admin: Option<&str>,
    secretary: Option<&str>,
) -> Result<()> {
    let today = Day::today();
    let units = core_rules::generate::scale_units(seed, people);
    if with_units {
        let password = match admin {
            Some(_) => Some(
                std::env::var("ISKRA_ADMIN_PASSWORD")
                    .context("--admin reads the password from ISKRA_ADMIN_PASSWORD")?,
            ),
            None => None,
        };
        let store = open(db, Create::IfMissing).await?;
        store
            .seed_units(&format!("Generated party ({people} people)"), &units, today)
            .await?;
        eprintln!("{} units set up in {}.", units.len(), store.url().display());
        if let (Some(login), Some(password)) = (admin, &password) {
            store
                .create_account(login, password, None, true, None)
                .await?;
            eprintln!("Administrator {login} created.");
        }
        if let (Some(login), Some(password)) = (secretary, &password) {
            let unit = store
                .unit_by_code("r01-l01")
                .await?
                .context("the generated organisation has no unit r01-l01")?;
            store
                .create_account(login, password, None, false, None)
                .await?;
            store
                .grant_role(login, unit.id, core_rules::roles::Role::Secretary, None)
                .await?;
            eprintln!("Secretary {login} of r01-l01 created.");
        }
    }
    if !activity {
        let f =
            std::fs::File::create(csv).with_context(|| format!("creating {}", csv.display()))?;
        let n = core_rules::generate::write_people_csv(
            seed,
            people,
            &units,
            today,
            std::io::BufWriter::with_capacity(1 << 20, f),
        )?;
        eprintln!("{n} people written to {}.", csv.display());
    } else {
        let store = open(db, Create::Never).await?;
        let scale = core_rules::generate::Scale::new(seed, people, &units, today);
        let bar = progress_bar();
        bar.set_message("activity");
        let n = store
            .seed_scale_activity(&scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!("{n} rows of dues and attendance added.");
    }
    Ok(())
}
