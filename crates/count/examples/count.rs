//! The library path of `iskra count`, printing the JSON report (the words for people are made
//! at the edge, by `iskra count`).
//! `cargo run -p count --example count -- FILE --method M [--seats N] [--seed S]`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut req = count::cli_support::Request::new(count::cli_support::Method::ScottishStv);
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut val = || {
            i += 1;
            args.get(i).cloned().unwrap_or_default()
        };
        match a {
            "--method" => req.method = count::cli_support::Method::parse(&val()).expect("method"),
            "--seats" => req.seats = Some(val().parse().expect("seats")),
            "--seed" => req.seed = val().parse().expect("seed"),
            "--format" => {
                let _ = val();
            }
            "--quorum" => req.quorum = val().parse().expect("quorum"),
            "--majority" => req.majority = count::cli_support::parse_ratio(&val()).expect("ratio"),
            _ => file = Some(a.to_string()),
        }
        i += 1;
    }
    let file = file.expect("FILE");
    req.file_name = file.clone();
    let bytes = std::fs::read(&file).expect("read");
    match count::cli_support::run(&bytes, &req) {
        Ok(r) => println!("{}", r.to_json()),
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1)
        }
    }
}
