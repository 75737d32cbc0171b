//! The command line as clap reads it: every subcommand and its arguments. What each one does is
//! in `cmd/`, a module per subcommand; this file only declares.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "iskra",
    version,
    about = "Iskra: the democratic life of a mass membership organisation, in one binary"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the database is: `--database URL`, or `ISKRA_DATABASE_URL`, or the SQLite file in the
/// data directory.
#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB
    #[arg(long = "database", env = "ISKRA_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// Data directory, holding the SQLite database when no URL is given.
    #[arg(long = "data", default_value = "iskra-data")]
    pub data: PathBuf,
    /// The key file that opens identifying details (64 hex digits, mode 0600), kept outside the
    /// data directory; `iskra.key` by default (`iskra-demo.key` for the demo). With
    /// ISKRA_PASSPHRASE set and no key file named, the key is stretched from that passphrase.
    #[arg(long = "key-file", env = "ISKRA_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create (or reopen) the demo organisation under ./iskra-data and serve it.
    Demo(DemoArgs),
    /// Serve an organisation (set one up first with `iskra init`).
    Serve(ServeArgs),
    /// Set up a new organisation and its first administrator.
    Init(InitArgs),
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
    Backup(BackupArgs),
    /// Put a backup in place of the database (stop the server first).
    Restore(RestoreArgs),
    /// Keys: rotate the key of identities; make an identity for backups.
    Keys {
        #[command(subcommand)]
        what: KeysWhat,
    },
    /// Membership and voting rights of everyone, counted per unit.
    Evaluate(EvaluateArgs),
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
    Count(CountArgs),
    /// What a seized account or an infiltrator would expose: `iskra exposure PERSON` (a number
    /// or a login), or `organisation`, `simulate`, `meeting UNIT`. Reads no identities.
    Exposure(ExposureArgs),
    /// Generate a large organisation for benchmarks: its units, and its people as CSV.
    Generate(GenerateArgs),
}

#[derive(Subcommand, Debug)]
pub enum KeysWhat {
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
pub enum ImportWhat {
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
pub enum StatutesWhat {
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
pub enum AuditWhat {
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
pub enum RolesWhat {
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
pub enum ExportWhat {
    /// People as CSV, to a file or standard output.
    People {
        #[command(flatten)]
        db: DbArgs,
        /// Output file; standard output if absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed for the demo organisation: the same seed gives the same organisation.
    #[arg(long, default_value_t = 1903)]
    pub seed: u64,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Serve the session cookie without Secure, for plain http on a loopback address only.
    #[arg(long)]
    pub insecure_localhost: bool,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The organisation's name.
    #[arg(long)]
    pub name: String,
    /// The name of its highest body.
    #[arg(long, default_value = "Central Committee")]
    pub central: String,
    /// The administrator's login name (not an email address).
    #[arg(long)]
    pub admin: String,
    /// Read the administrator's password from this environment variable rather than a prompt.
    #[arg(long, default_value = "ISKRA_ADMIN_PASSWORD")]
    pub password_env: String,
}

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The new backup file.
    pub file: PathBuf,
    /// Encrypt to this age recipient (age1..., a public key; repeat for several). Make one
    /// with `iskra keys backup-identity FILE`. [env: ISKRA_BACKUP_RECIPIENT]
    #[arg(
        long = "recipient",
        env = "ISKRA_BACKUP_RECIPIENT",
        value_delimiter = ','
    )]
    pub recipients: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file.
    pub file: PathBuf,
    /// The age identity file that opens the backup.
    #[arg(long)]
    pub identity: PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The day (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// How many people.
    #[arg(long, default_value_t = 1_000_000)]
    pub people: u64,
    #[arg(long, default_value_t = 1912)]
    pub seed: u64,
    /// Write the people CSV here (import it with `iskra import people`).
    #[arg(long)]
    pub csv: PathBuf,
    /// Also set up the organisation and its units in the database.
    #[arg(long)]
    pub with_units: bool,
    /// After the people are imported: add a year of dues and meetings to the database.
    #[arg(long)]
    pub activity: bool,
    /// With --with-units: also create an administrator account with this login, its
    /// password read from ISKRA_ADMIN_PASSWORD (for benchmarking the pages).
    #[arg(long, requires = "with_units")]
    pub admin: Option<String>,
    /// With --admin: also create this login as the secretary of the unit `r01-l01` (the
    /// benchmarks' local committee), with the same password.
    #[arg(long, requires = "admin")]
    pub secretary: Option<String>,
    /// With --admin: also create this login as an editor at the central committee (reads
    /// the reports and the single picture), with the same password.
    #[arg(long, requires = "admin")]
    pub editor: Option<String>,
    /// After the people are imported: add 90 publications (at a million people) with their
    /// standing orders and a year of editions, bundles and agents' returns.
    #[arg(long)]
    pub paper: bool,
    /// After the people are imported: add this many correspondence reports (e.g. 1000000).
    #[arg(long)]
    pub reports: Option<u64>,
    /// After the people are imported: convene a congress of 500 delegates, with motions,
    /// amendments and votes.
    #[arg(long)]
    pub congress: bool,
}

/// The database arguments' defaults, for a command that takes them optionally: `iskra exposure
/// PERSON` flattens them as an `Option`, which clap leaves `None` when none is given.
pub fn default_db() -> DbArgs {
    DbArgs {
        database: std::env::var("ISKRA_DATABASE_URL").ok(),
        data: PathBuf::from("iskra-data"),
        key_file: None,
    }
}

#[derive(clap::Args, Debug)]
pub struct CountArgs {
    /// The ballot file: BLT, a Debian tally sheet, PrefLib .soi/.toc; JSON for
    /// motion, yes-no, dhondt, sainte-lague and hare.
    pub file: PathBuf,
    /// scottish-stv, meek-stv, schulze, plurality, approval, runoff, yes-no, motion,
    /// dhondt, sainte-lague or hare.
    #[arg(long)]
    pub method: String,
    /// Seats to fill (default: the file's, else 1).
    #[arg(long)]
    pub seats: Option<usize>,
    /// text or json.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Seed for any lot drawn; with the file it reproduces the count.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Input format: auto, blt, debian or preflib.
    #[arg(long = "format-in", default_value = "auto")]
    pub format_in: String,
    /// Schulze (Debian): quorum R.
    #[arg(long, default_value_t = 0)]
    pub quorum: u64,
    /// Schulze (Debian): majority requirement N:M over the default option.
    #[arg(long, default_value = "1:1")]
    pub majority: String,
    /// Schulze on a tally sheet: do not treat the last option as the default option.
    #[arg(long)]
    pub no_default_option: bool,
    /// Tally sheets without a header: option names, comma-separated, in ballot order.
    #[arg(long)]
    pub names: Option<String>,
    /// Also write the ballots read as BLT to this file (ranked methods only).
    #[arg(long = "write-blt")]
    pub write_blt: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExposureArgs {
    /// A person's number, or an account's login: what taking their account would expose.
    pub person: Option<String>,
    #[command(flatten)]
    pub db: Option<DbArgs>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub what: Option<ExposureWhat>,
}

#[derive(Subcommand, Debug)]
pub enum ExposureWhat {
    /// The whole organisation: the distribution over all accounts, those that expose the most,
    /// over-connected units.
    Organisation {
        #[command(flatten)]
        db: DbArgs,
        /// How many of the most exposing accounts and most connected units to list.
        #[arg(long, default_value_t = 15)]
        top: usize,
        #[arg(long)]
        json: bool,
    },
    /// Simulate infiltration and arrests over the real structure, and over the same people as
    /// one loose network and in cells.
    Simulate {
        #[command(flatten)]
        db: DbArgs,
        /// Infiltrators per run.
        #[arg(long, default_value_t = 1)]
        infiltrators: usize,
        /// `random` (they enter where a random person is, and rise) or `targeted` (the police
        /// turn those who know the most).
        #[arg(long, default_value = "random")]
        placement: String,
        /// Chance that an infiltrator is admitted as a member.
        #[arg(long, default_value_t = 0.8)]
        admit: f64,
        /// Chance that an admitted infiltrator is elected secretary.
        #[arg(long, default_value_t = 0.2)]
        elected: f64,
        /// Chance that an arrested person talks.
        #[arg(long, default_value_t = 0.3)]
        talk: f64,
        #[arg(long, default_value_t = 1000)]
        runs: usize,
        #[arg(long, default_value_t = 1903)]
        seed: u64,
        /// Size of the cells in the alternative structure.
        #[arg(long, default_value_t = 5)]
        cell: usize,
        #[arg(long)]
        json: bool,
    },
    /// The risk of a planned meeting of a unit, with advice.
    Meeting {
        #[command(flatten)]
        db: DbArgs,
        /// The unit's code.
        unit: String,
        /// Its supporters and applicants come too.
        #[arg(long)]
        everyone: bool,
        /// Newcomers invited from outside.
        #[arg(long, default_value_t = 0)]
        newcomers: usize,
        #[arg(long)]
        json: bool,
    },
}
