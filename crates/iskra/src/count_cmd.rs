//! `iskra count`: count a ballot file by a named rule and print the report.
//!
//! All the work (decoding, format detection, parsing, counting, rendering) lives in
//! the `count` crate's `cli_support`, so this stays a thin shell around it.

use anyhow::{bail, Context};
use count::cli_support::{self, InputFormat, Method, Request};
use std::path::PathBuf;

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

pub fn run(args: &CountArgs) -> anyhow::Result<()> {
    let method = Method::parse(&args.method).map_err(anyhow::Error::msg)?;
    let json = match args.format.as_str() {
        "text" => false,
        "json" => true,
        other => bail!("unknown --format `{other}`: text or json"),
    };
    let mut req = Request::new(method);
    req.seats = args.seats;
    req.seed = args.seed;
    req.format_in = InputFormat::parse(&args.format_in).map_err(anyhow::Error::msg)?;
    req.file_name = args.file.to_string_lossy().into_owned();
    req.quorum = args.quorum;
    req.majority = cli_support::parse_ratio(&args.majority).map_err(anyhow::Error::msg)?;
    req.no_default_option = args.no_default_option;
    req.names = args
        .names
        .as_ref()
        .map(|n| n.split(',').map(|s| s.trim().to_string()).collect());
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    if let Some(out) = &args.write_blt {
        let (profile, _) = cli_support::read_profile(&bytes, &req)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
        let seats = req.seats.or(profile.seats).unwrap_or(1);
        std::fs::write(out, count::blt::write(&profile, seats))
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    let output = cli_support::run(&bytes, &req)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    if json {
        println!("{}", output.to_json());
    } else {
        print!("{}", output.to_text());
    }
    Ok(())
}
