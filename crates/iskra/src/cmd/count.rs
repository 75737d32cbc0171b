//! `iskra count`: count a ballot file by a named rule and print the report.
//!
//! All the work (decoding, format detection, parsing, counting, the JSON) lives in the
//! `count` crate's `cli_support`, so this stays a thin shell around it; the words a person
//! reads are made at the edge, in `web::words::count`.

use crate::cli::CountArgs;
use anyhow::{bail, Context};
use count::cli_support::{self, InputFormat, Method, Request};

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
        print!("{}", web::words::count::output(&output));
    }
    Ok(())
}
