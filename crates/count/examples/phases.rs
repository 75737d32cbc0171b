//! Time the phases of a Scottish STV count: read, decode, parse, count, render.
//! `cargo run --release -p count --example phases -- FILE.blt`

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE.blt");
    let t = Instant::now();
    let bytes = std::fs::read(&path).expect("read");
    let t_read = t.elapsed();
    let text = count::cli_support::decode(&bytes);
    let t_decode = t.elapsed();
    let p = count::blt::parse(&text).expect("parse");
    let t_parse = t.elapsed();
    let seats = p.seats.unwrap_or(1);
    let r = count::scottish_stv::count(&p, seats, 0).expect("count");
    let t_count = t.elapsed();
    let json = r.to_json();
    let t_json = t.elapsed();
    eprintln!(
        "read {:?}, decode {:?}, parse {:?}, count {:?}, json {:?} ({} bytes); elected {:?}",
        t_read,
        t_decode - t_read,
        t_parse - t_decode,
        t_count - t_parse,
        t_json - t_count,
        json.len(),
        r.elected
    );
}
