//! The people CSV: its columns, and the checks every row passes before anything is written.
//!
//! The same columns are written by `iskra export people`, so an export imports back unchanged.
//! Validation is pure: the caller supplies the unit codes that exist and the day it is, and gets
//! back either the parsed row or every problem in it, each naming the line and the column.

use crate::dates::Day;
use crate::people::{email_key, phone_key, plausible_email, Identity, Status};
use crate::{money, text};
use std::collections::HashSet;

/// The columns, in the order export writes them. Import accepts them in any order, by header.
pub const COLUMNS: [&str; 13] = [
    "card",
    "pseudonym",
    "unit",
    "status",
    "admitted_on",
    "programme",
    "monthly_income",
    "reduced_rate",
    "legal_name",
    "email",
    "phone",
    "address",
    "workplace",
];

/// Columns that must be present in the header.
pub const REQUIRED: [&str; 3] = ["pseudonym", "unit", "status"];

/// One person as read from a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub line: u64,
    /// The membership card number, if the organisation issues them; matched before email/phone.
    pub card: Option<String>,
    pub pseudonym: String,
    pub unit: String,
    pub status: Status,
    pub admitted_on: Option<Day>,
    pub programme: bool,
    pub monthly_income_cents: Option<i64>,
    pub reduced_rate: bool,
    pub identity: Identity,
}

impl PersonRow {
    pub fn email_key(&self) -> Option<String> {
        email_key(&self.identity.email)
    }
    pub fn phone_key(&self) -> Option<String> {
        phone_key(&self.identity.phone)
    }
}

/// A problem with one cell (or one row, when `column` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

// Its reasons speak of the file's own lines and columns, never of a recorded person.
impl crate::refusal::RuleError for RowError {}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason)
        } else {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.reason
            )
        }
    }
}

/// Where each known column sits in the file.
#[derive(Clone, Debug)]
pub struct Header {
    idx: [Option<usize>; COLUMNS.len()],
}

impl Header {
    /// Reads the header row; unknown or missing required columns are named.
    pub fn parse(record: &csv::StringRecord) -> Result<Header, Vec<RowError>> {
        let mut idx = [None; COLUMNS.len()];
        let mut errors = Vec::new();
        for (i, name) in record.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            match COLUMNS.iter().position(|c| *c == name) {
                Some(c) if idx[c].is_some() => errors.push(RowError {
                    line: 1,
                    column: name.into(),
                    reason: "this column appears twice".into(),
                }),
                Some(c) => idx[c] = Some(i),
                None => errors.push(RowError {
                    line: 1,
                    column: name.into(),
                    reason: format!("unknown column; the columns are {}", COLUMNS.join(", ")),
                }),
            }
        }
        for req in REQUIRED {
            let c = COLUMNS
                .iter()
                .position(|c| *c == req)
                .expect("required is a column");
            if idx[c].is_none() {
                errors.push(RowError {
                    line: 1,
                    column: req.into(),
                    reason: "required column is missing".into(),
                });
            }
        }
        if errors.is_empty() {
            Ok(Header { idx })
        } else {
            Err(errors)
        }
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        let c = COLUMNS
            .iter()
            .position(|c| *c == column)
            .expect("known column");
        self.idx[c]
            .and_then(|i| record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

/// Why a typed amount of money was refused: said of what was typed, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadMoney(String);

impl crate::refusal::RuleError for BadMoney {}

/// Parses an amount of money written as `12`, `12.5` or `12.50` into cents.
pub fn parse_money(s: &str) -> Result<i64, BadMoney> {
    parse_cents(s).map_err(BadMoney)
}

fn parse_cents(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not an amount of money"));
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{s:?} is not an amount of money (at most 2 decimals)"
        ));
    }
    let whole: i64 = whole.parse().map_err(|_| format!("{s:?} is too large"))?;
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let cents = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| format!("{s:?} is too large"))?;
    Ok(if neg { -cents } else { cents })
}

/// Writes cents as `12.50`.
pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// Checks one row; returns the person or every problem found in it.
pub fn validate_row(
    header: &Header,
    record: &csv::StringRecord,
    line: u64,
    units: &HashSet<String>,
    today: Day,
) -> Result<PersonRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut err = |column: &str, reason: String| {
        errors.push(RowError {
            line,
            column: column.into(),
            reason,
        })
    };
    let get = |c: &str| header.get(record, c);

    // Every text cell within its field's bound (see `crate::text`), named like any other
    // problem of the row.
    for (column, limit) in [
        ("card", text::CARD),
        ("pseudonym", text::PARTY_NAME),
        ("legal_name", text::LEGAL_NAME),
        ("email", text::EMAIL),
        ("phone", text::PHONE),
        ("address", text::ADDRESS),
        ("workplace", text::WORKPLACE),
    ] {
        if let Some(reason) = limit.cell_reason(get(column)) {
            err(column, reason);
        }
    }
    let pseudonym = get("pseudonym").to_string();
    if pseudonym.is_empty() {
        err("pseudonym", "every person needs a pseudonym".into());
    }
    let unit = get("unit").to_string();
    if unit.is_empty() {
        err("unit", "every person belongs to a unit".into());
    } else if !units.contains(&unit) {
        err("unit", format!("no unit has the code {unit:?}"));
    }
    let status = Status::parse(&get("status").to_ascii_lowercase());
    if status.is_none() {
        err(
            "status",
            format!(
                "{:?} is not a status; use one of supporter, applicant, member, lapsed, left, expelled",
                get("status")
            ),
        );
    }
    let admitted_on = match get("admitted_on") {
        "" => None,
        s => match Day::parse(s) {
            Ok(d) if d > today => {
                err("admitted_on", format!("{d} is in the future"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                err("admitted_on", e.to_string());
                None
            }
        },
    };
    if status == Some(Status::Member) && admitted_on.is_none() && get("admitted_on").is_empty() {
        err(
            "admitted_on",
            "a member needs the date the unit admitted them".into(),
        );
    }
    let programme = parse_bool(get("programme")).unwrap_or_else(|| {
        err(
            "programme",
            format!("{:?} is not yes or no", get("programme")),
        );
        false
    });
    let reduced_rate = parse_bool(get("reduced_rate")).unwrap_or_else(|| {
        err(
            "reduced_rate",
            format!("{:?} is not yes or no", get("reduced_rate")),
        );
        false
    });
    let monthly_income_cents = match get("monthly_income") {
        "" => None,
        s => match parse_money(s) {
            Ok(c) if c < 0 => {
                err("monthly_income", format!("{s} is negative"));
                None
            }
            Ok(c) => match money::INCOME.check(c) {
                Ok(c) => Some(c),
                Err(_) => {
                    err(
                        "monthly_income",
                        format!("{s} is more than {}", format_money(money::INCOME.max)),
                    );
                    None
                }
            },
            Err(e) => {
                err("monthly_income", e.to_string());
                None
            }
        },
    };
    let email = get("email").to_string();
    if !email.is_empty() && !plausible_email(&email) {
        err("email", format!("{email:?} is not an email address"));
    }
    let phone = get("phone").to_string();
    if !phone.is_empty() && phone_key(&phone).is_none() {
        err("phone", format!("{phone:?} is not a phone number"));
    }
    let card = Some(get("card").to_string()).filter(|c| !c.is_empty());

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PersonRow {
        line,
        card,
        pseudonym,
        unit,
        status: status.expect("checked above"),
        admitted_on,
        programme,
        monthly_income_cents,
        reduced_rate,
        identity: Identity {
            legal_name: get("legal_name").to_string(),
            email,
            phone,
            address: get("address").to_string(),
            workplace: get("workplace").to_string(),
            notes: String::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(csv_text: &str) -> Vec<Result<PersonRow, Vec<RowError>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_text.as_bytes());
        let mut records = r.records();
        let header = Header::parse(&records.next().unwrap().unwrap()).unwrap();
        let units: HashSet<String> = ["north".to_string()].into();
        let today = Day::parse("2026-11-27").unwrap();
        records
            .enumerate()
            .map(|(i, rec)| validate_row(&header, &rec.unwrap(), i as u64 + 2, &units, today))
            .collect()
    }

    #[test]
    fn a_good_row_parses() {
        let rows = check("pseudonym,unit,status,admitted_on,monthly_income,email\nKestrel,north,member,2024-03-01,1850.5,K@x.org\n");
        let p = rows[0].as_ref().unwrap();
        assert_eq!(p.monthly_income_cents, Some(185_050));
        assert_eq!(p.email_key().as_deref(), Some("k@x.org"));
    }

    #[test]
    fn every_problem_is_named_with_line_and_column() {
        let rows =
            check("pseudonym,unit,status,admitted_on,monthly_income\n,south,memb,2099-01-01,-5\n");
        let errs = rows[0].as_ref().unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "pseudonym",
                "unit",
                "status",
                "admitted_on",
                "monthly_income"
            ]
        );
        assert!(errs.iter().all(|e| e.line == 2));
        assert!(errs[1]
            .to_string()
            .contains("no unit has the code \"south\""));
        assert!(errs[3].reason.contains("in the future"));
        assert!(errs[4].reason.contains("negative"));
    }

    #[test]
    fn an_over_long_cell_is_a_row_error_naming_line_and_column() {
        let long = "x".repeat(1_000_000);
        let rows = check(&format!(
            "pseudonym,unit,status,workplace,monthly_income\n{long},north,supporter,{long},99999999999\nKestrel,north,supporter,Docks,\n"
        ));
        let errs = rows[0].as_ref().unwrap_err();
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "line 2, column pseudonym: 1,000,000 characters; at most 80",
                "line 2, column workplace: 1,000,000 characters; at most 200",
                "line 2, column monthly_income: 99999999999 is more than 10000000.00",
            ]
        );
        assert!(rows[1].is_ok());
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let rec = csv::StringRecord::from(vec!["pseudonym", "colour"]);
        let errs = Header::parse(&rec).unwrap_err();
        assert!(errs.iter().any(|e| e.column == "colour"));
        assert!(errs
            .iter()
            .any(|e| e.column == "unit" && e.reason.contains("missing")));
    }

    #[test]
    fn money_round_trips() {
        for s in ["0.00", "12.50", "1850.05", "-3.00"] {
            assert_eq!(format_money(parse_money(s).unwrap()), s);
        }
        assert!(parse_money("12.345").is_err());
        assert!(parse_money("abc").is_err());
    }
}
