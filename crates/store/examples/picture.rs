//! Times `Store::single_picture` on an existing database, for `bench/picture.sh`:
//! `cargo run --release -p store --example picture -- URL RUNS`. Prints one line per run
//! (milliseconds) and the picture's total, so the script can check it counted the reports.

use store::{Create, DatabaseUrl, Store};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: picture URL [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(7);
    let store = Store::open(&DatabaseUrl::parse(&url)?, Create::Never).await?;
    // One run first, not counted: the pages the queries read come into the cache.
    let picture = store.single_picture().await?;
    println!("total={} units={}", picture.total, picture.by_unit.len());
    for _ in 0..runs {
        let started = std::time::Instant::now();
        let p = store.single_picture().await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(p.total, picture.total);
        println!("ms={ms:.2}");
    }
    Ok(())
}
