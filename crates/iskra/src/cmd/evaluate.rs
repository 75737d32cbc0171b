//! `iskra evaluate`: everyone's membership and voting rights on a day, counted.

use crate::cli::EvaluateArgs;
use crate::db::open;
use anyhow::Result;
use core_rules::Day;
use store::Create;

pub async fn run(args: EvaluateArgs) -> Result<()> {
    let EvaluateArgs { db, on } = args;
    let store = open(&db, Create::Never).await?;
    let day = match on {
        Some(d) => Day::parse(&d)?,
        None => store.today(),
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
