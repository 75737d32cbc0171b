//! Form parsing: any request body, read the way every handler reads it. Nothing may panic: not
//! the parse, not the typed readers (dates, months, ids, money) that turn fields into values, and
//! not the CSV row validation an upload goes through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use web::form::FormData;

fuzz_target!(|body: &[u8]| {
    let f = FormData::parse(body);
    for name in ["csrf", "login", "password", "held_on", "period", "amount", "person", "unit"] {
        let _ = f.get(name);
        let _ = f.text(name);
        let _ = f.all(name).count();
        let _ = f.required(name, "the field");
        let _ = f.day(name, "the date");
        let _ = f.month(name, "the month");
        let _ = f.id(name, "the id");
    }
    if let Some(a) = f.get("amount") {
        let _ = core_rules::import::parse_money(a);
    }
});
