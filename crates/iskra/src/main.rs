//! `iskra`: the command line, and the wiring of store, web and count.

mod count_cmd;
mod exposure_cmd;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use core_rules::Day;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::exchange::Progress;
use store::vault::{self, KeySource};
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
    /// The key file that opens identifying details (64 hex digits, mode 0600), kept outside the
    /// data directory; `iskra.key` by default (`iskra-demo.key` for the demo). With
    /// ISKRA_PASSPHRASE set and no key file named, the key is stretched from that passphrase.
    #[arg(long = "key-file", env = "ISKRA_KEY_FILE")]
    key_file: Option<PathBuf>,
}

/// The database arguments' defaults, for a command that takes them optionally.
fn default_db() -> DbArgs {
    DbArgs {
        database: std::env::var("ISKRA_DATABASE_URL").ok(),
        data: PathBuf::from("iskra-data"),
        key_file: None,
    }
}

/// The key file used when none is named.
const DEFAULT_KEY_FILE: &str = "iskra.key";
/// The demo's key file: beside, not inside, its data directory.
const DEMO_KEY_FILE: &str = "iskra-demo.key";

impl DbArgs {
    fn url(&self) -> Result<DatabaseUrl> {
        match &self.database {
            Some(u) => Ok(DatabaseUrl::parse(u)?),
            None => Ok(DatabaseUrl::sqlite_in(&self.data)),
        }
    }

    /// Makes the SQLite files private before the database is opened, saying what was changed:
    /// the data directory (`--data`) and everything in it, or, for a database named by URL
    /// (whose directory may hold other things), the database's own files. Refuses to go on
    /// only where a mode cannot be tightened (a file of another owner).
    fn make_private(&self) -> Result<()> {
        let changed = match (&self.database, self.url()?) {
            (_, DatabaseUrl::Postgres(_)) => Vec::new(),
            (None, DatabaseUrl::Sqlite(_)) => store::files::make_dir_private(&self.data)?,
            (Some(_), DatabaseUrl::Sqlite(db)) => store::files::make_database_private(&db)?,
        };
        for c in changed {
            eprintln!("{c}");
        }
        Ok(())
    }

    /// Where the key comes from: the named key file, else ISKRA_PASSPHRASE, else the default
    /// key file, created first when `create` allows (init, demo) and there is none. A key file
    /// that group or others may read or write is refused, as is one inside the data directory.
    fn key(&self, default: &str, create: bool) -> Result<KeySource> {
        if self.key_file.is_none() {
            if let Ok(p) = std::env::var("ISKRA_PASSPHRASE") {
                if !p.is_empty() {
                    return Ok(KeySource::Passphrase(zeroize::Zeroizing::new(p)));
                }
            }
        }
        let path = self
            .key_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(default));
        if let DatabaseUrl::Sqlite(db) = self.url()? {
            let dir = db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let key_dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if let (Ok(a), Ok(b)) = (dir.canonicalize(), key_dir.canonicalize()) {
                if a == b {
                    bail!(
                        "the key file {} is in the data directory {}; keep it elsewhere, so that \
                         a copy of the data is not a copy of the key",
                        path.display(),
                        dir.display()
                    );
                }
            }
        }
        if create && !path.exists() {
            vault::create_key_file(&path)?;
            eprintln!(
                "Created the key file {} (mode 0600). It opens every identifying detail: keep it \
                 safe, outside the data directory and its backups. Without it they cannot be read.",
                path.display()
            );
        } else if !path.exists() {
            bail!(
                "there is no key file at {}: give --key-file PATH (or ISKRA_KEY_FILE), or \
                 ISKRA_PASSPHRASE; `iskra init` creates one",
                path.display()
            );
        }
        vault::check_private(&path)?;
        Ok(KeySource::File(path))
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
    /// Take a consistent snapshot of a running SQLite database, encrypted with age.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The new backup file.
        file: PathBuf,
        /// Encrypt to this age recipient (age1..., a public key; repeat for several). Make one
        /// with `iskra keys backup-identity FILE`. [env: ISKRA_BACKUP_RECIPIENT]
        #[arg(
            long = "recipient",
            env = "ISKRA_BACKUP_RECIPIENT",
            value_delimiter = ','
        )]
        recipients: Vec<String>,
    },
    /// Put a backup in place of the database (stop the server first).
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file.
        file: PathBuf,
        /// The age identity file that opens the backup.
        #[arg(long)]
        identity: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Keys: rotate the key of identities; make an identity for backups.
    Keys {
        #[command(subcommand)]
        what: KeysWhat,
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
    /// What a seized account or an infiltrator would expose: `iskra exposure PERSON` (a number
    /// or a login), or `organisation`, `simulate`, `meeting UNIT`. Reads no identities.
    Exposure(exposure_cmd::ExposureArgs),
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
        /// With --admin: also create this login as an editor at the central committee (reads
        /// the reports and the single picture), with the same password.
        #[arg(long, requires = "admin")]
        editor: Option<String>,
        /// After the people are imported: add 90 publications (at a million people) with their
        /// standing orders and a year of editions, bundles and agents' returns.
        #[arg(long)]
        paper: bool,
        /// After the people are imported: add this many correspondence reports (e.g. 1000000).
        #[arg(long)]
        reports: Option<u64>,
        /// After the people are imported: convene a congress of 500 delegates, with motions,
        /// amendments and votes.
        #[arg(long)]
        congress: bool,
    },
}

#[derive(Subcommand, Debug)]
enum KeysWhat {
    /// Re-encrypt every identity under a new key, in one transaction (stop the server first).
    /// The new key is the key file given (created if missing), or ISKRA_NEW_PASSPHRASE.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        /// The new key file; created (mode 0600) if it does not exist.
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
    /// Create an age identity file (mode 0600) for backups and print its public recipient.
    /// Keep the file away from the server: the server needs only the recipient.
    BackupIdentity {
        /// The new identity file.
        out: PathBuf,
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

/// Large allocations (each password hash's 19 MiB of Argon2 memory) are given back to the
/// system when freed. glibc's default raises its mmap threshold after the first such block is
/// freed, and from then on keeps the blocks in per-thread heaps: a few dozen logins left the
/// server holding half a gigabyte. A fixed threshold turns that adjustment off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // One unsafe block, justified by its SAFETY comment.
fn return_large_blocks() {
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks() {}

/// Everything the process creates is private to its owner: SQLite's own files, exports,
/// backups, key files. The store makes the data directory and the database private itself,
/// whatever the umask; this covers the rest.
#[cfg(unix)]
#[allow(unsafe_code)] // One unsafe block, justified by its SAFETY comment.
fn private_umask() {
    // SAFETY: umask only sets the process's file creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
fn private_umask() {}

fn main() -> Result<()> {
    return_large_blocks();
    private_umask();
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

/// Opens the database and its identities with the key (`iskra.key` unless named otherwise).
async fn open(db: &DbArgs, create: Create) -> Result<Store> {
    open_with(db, create, DEFAULT_KEY_FILE, false, false).await
}

/// Opens the database for a job that works alone, on one connection (see `Store::open_alone`).
async fn open_alone(db: &DbArgs) -> Result<Store> {
    open_with(db, Create::Never, DEFAULT_KEY_FILE, false, true).await
}

/// Opens the database with the key from `db`, `default_key` if none is named; `create_key`
/// lets init and demo create the key file. The key is checked before the database is opened.
async fn open_with(
    db: &DbArgs,
    create: Create,
    default_key: &str,
    create_key: bool,
    alone: bool,
) -> Result<Store> {
    let key = db.key(default_key, create_key && create == Create::IfMissing)?;
    db.make_private()?;
    let url = db.url()?;
    let store = if alone {
        Store::open_alone(&url, create).await
    } else {
        Store::open(&url, create).await
    };
    let store = store.with_context(|| format!("opening {}", url.display()))?;
    Ok(store.unlock(&key).await?)
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo { db, listen, seed } => {
            if !listen.ip().is_loopback() {
                bail!("the demo serves plain http with a cookie that is not Secure, so it listens on a loopback address only, not {listen}");
            }
            let store = open_with(&db, Create::IfMissing, DEMO_KEY_FILE, true, false).await?;
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
            let store = open_with(&db, Create::IfMissing, DEFAULT_KEY_FILE, true, false).await?;
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
            let store = open_alone(&db).await?;
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
        Command::Backup {
            db,
            file,
            recipients,
        } => {
            let recipients = store::backup::parse_recipients(&recipients)?;
            let store = open(&db, Create::Never).await?;
            store.backup_to(&file, &recipients).await?;
            println!(
                "Backed up {} to {}, encrypted to {} recipient(s).",
                store.url().display(),
                file.display(),
                recipients.len()
            );
            Ok(())
        }
        Command::Restore {
            db,
            file,
            identity,
            force,
        } => {
            let identity = store::backup::read_backup_identity(&identity)?;
            db.make_private()?;
            store::backup::restore(&file, &db.url()?, force, &identity).await?;
            println!("Restored {} from {}.", db.url()?.display(), file.display());
            Ok(())
        }
        Command::Keys {
            what: KeysWhat::BackupIdentity { out },
        } => {
            let recipient = store::backup::create_backup_identity(&out)?;
            eprintln!(
                "Created the backup identity {} (mode 0600). Keep it off the server; it alone opens the backups.",
                out.display()
            );
            eprintln!(
                "Give the server its public recipient, e.g. ISKRA_BACKUP_RECIPIENT={recipient}"
            );
            println!("{recipient}");
            Ok(())
        }
        Command::Keys {
            what: KeysWhat::Rotate { db, new_key_file },
        } => {
            let new = match (&new_key_file, std::env::var("ISKRA_NEW_PASSPHRASE")) {
                (Some(path), _) => {
                    let (key, created) = vault::ensure_key_file(path)?;
                    if created {
                        eprintln!("Created the new key file {} (mode 0600).", path.display());
                    }
                    KeySource::Key(key)
                }
                (None, Ok(p)) if !p.is_empty() => KeySource::Passphrase(zeroize::Zeroizing::new(p)),
                _ => bail!("name the new key: --new-key-file PATH, or ISKRA_NEW_PASSPHRASE"),
            };
            let store = open(&db, Create::Never).await?;
            let bar = if std::io::stderr().is_terminal() {
                let bar = ProgressBar::new(0);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} identities re-encrypted ({eta})",
                    )
                    .expect("valid template"),
                );
                bar
            } else {
                ProgressBar::hidden()
            };
            let n = store
                .rotate_key(&new, &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
            bar.finish_and_clear();
            let n = n?;
            println!("{n} identities re-encrypted under the new key; the old key no longer opens this database.");
            match new_key_file {
                Some(p) => println!(
                    "Switch to the new key now: start iskra with --key-file {} (or ISKRA_KEY_FILE), \
                     then destroy the old key file and every copy of it.",
                    p.display()
                ),
                None => println!("Switch to the new passphrase now: start iskra with ISKRA_PASSPHRASE set to it."),
            }
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
            editor,
            paper,
            reports,
            congress,
        } => {
            generate(
                &db,
                people,
                seed,
                &csv,
                with_units,
                Extras {
                    activity,
                    paper,
                    reports,
                    congress,
                },
                (admin.as_deref(), secretary.as_deref(), editor.as_deref()),
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
        Command::Exposure(args) => exposure_cmd::run(args).await,
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

/// What `iskra generate` adds to a database whose people are imported.
struct Extras {
    activity: bool,
    paper: bool,
    reports: Option<u64>,
    congress: bool,
}

async fn generate(
    db: &DbArgs,
    people: u64,
    seed: u64,
    csv: &Path,
    with_units: bool,
    extras: Extras,
    (admin, secretary, editor): (Option<&str>, Option<&str>, Option<&str>),
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
        let store = open_with(db, Create::IfMissing, DEFAULT_KEY_FILE, true, false).await?;
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
        if let (Some(login), Some(password)) = (editor, &password) {
            let unit = store
                .unit_by_code("cc")
                .await?
                .context("the generated organisation has no central committee")?;
            store
                .create_account(login, password, None, false, None)
                .await?;
            store
                .grant_role(login, unit.id, core_rules::roles::Role::Editor, None)
                .await?;
            eprintln!("Editor {login} at the central committee created.");
        }
    }
    let after_import =
        extras.activity || extras.paper || extras.reports.is_some() || extras.congress;
    if !after_import {
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
        return Ok(());
    }
    let store = open(db, Create::Never).await?;
    let scale = core_rules::generate::Scale::new(seed, people, &units, today);
    if extras.activity {
        let bar = progress_bar();
        bar.set_message("activity");
        let started = std::time::Instant::now();
        let n = store
            .seed_scale_activity(&scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} rows of dues and attendance added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if extras.paper {
        let bar = progress_bar();
        bar.set_message("paper");
        let started = std::time::Instant::now();
        let n = store
            .seed_scale_paper(&scale, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} rows of publications, orders, editions, bundles and returns added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(count) = extras.reports {
        let bar = progress_bar();
        bar.set_message("reports");
        let started = std::time::Instant::now();
        let n = store
            .seed_scale_reports(&scale, count, &mut |n| bar.set_position(n))
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "{n} reports added in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if extras.congress {
        let bar = progress_bar();
        bar.set_message("congress delegates");
        let started = std::time::Instant::now();
        let c = store
            .seed_scale_congress(&scale, &mut |n| bar.set_position(n))
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
