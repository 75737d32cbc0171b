//! What the `iskra count` command does, kept here so the binary stays thin and the
//! whole path from file bytes to report is tested in this crate. The report's JSON is
//! made here; its words for people at the edge (`web::words::count`).

use crate::error::{CountError, ParseError};
use crate::profile::Profile;
use crate::report::Report;
use crate::{
    apportion, approval, blt, debian, meek, motion, plurality, preflib, runoff, schulze,
    scottish_stv, yes_no,
};
use serde::Deserialize;

/// Counting methods that read ranked ballots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    ScottishStv,
    MeekStv,
    Schulze,
    Plurality,
    Approval,
    Runoff,
    /// The rest read JSON (see [`run`]).
    YesNo,
    Motion,
    DHondt,
    SainteLague,
    Hare,
}

impl Method {
    pub const NAMES: &'static [&'static str] = &[
        "scottish-stv",
        "meek-stv",
        "schulze",
        "plurality",
        "approval",
        "runoff",
        "yes-no",
        "motion",
        "dhondt",
        "sainte-lague",
        "hare",
    ];

    pub fn parse(s: &str) -> Result<Method, String> {
        Ok(match s {
            "scottish-stv" | "scottish" => Method::ScottishStv,
            "meek-stv" | "meek" => Method::MeekStv,
            "schulze" | "debian" => Method::Schulze,
            "plurality" => Method::Plurality,
            "approval" => Method::Approval,
            "runoff" | "two-round" => Method::Runoff,
            "yes-no" => Method::YesNo,
            "motion" => Method::Motion,
            "dhondt" | "d-hondt" => Method::DHondt,
            "sainte-lague" => Method::SainteLague,
            "hare" | "hare-lr" => Method::Hare,
            _ => {
                return Err(format!(
                    "unknown method `{s}`; one of: {}",
                    Method::NAMES.join(", ")
                ))
            }
        })
    }
}

/// Ballot file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Auto,
    Blt,
    Debian,
    Preflib,
}

impl InputFormat {
    pub fn parse(s: &str) -> Result<InputFormat, String> {
        Ok(match s {
            "auto" => InputFormat::Auto,
            "blt" => InputFormat::Blt,
            "debian" => InputFormat::Debian,
            "preflib" | "soi" | "toc" => InputFormat::Preflib,
            _ => {
                return Err(format!(
                    "unknown input format `{s}`: auto, blt, debian or preflib"
                ))
            }
        })
    }
}

/// Everything the command takes besides the file.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub seats: Option<usize>,
    pub seed: u64,
    pub format_in: InputFormat,
    /// File name, used only to guess the format.
    pub file_name: String,
    /// Debian: quorum R and majority N:M; default option = last unless told otherwise.
    pub quorum: u64,
    pub majority: (u64, u64),
    pub no_default_option: bool,
    /// Option names for tally sheets without a header.
    pub names: Option<Vec<String>>,
}

impl Request {
    pub fn new(method: Method) -> Self {
        Request {
            method,
            seats: None,
            seed: 0,
            format_in: InputFormat::Auto,
            file_name: String::new(),
            quorum: 0,
            majority: (1, 1),
            no_default_option: false,
            names: None,
        }
    }
}

/// Decode file bytes: UTF-8 when valid, otherwise Latin-1 (every byte is a character).
/// Real tally sheets come in both (Debian's 2007 sheet is Latin-1).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Guess the format from the name, then from the content.
pub fn detect(file_name: &str, text: &str) -> InputFormat {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".blt") {
        return InputFormat::Blt;
    }
    if lower.ends_with(".soi") || lower.ends_with(".toc") || lower.ends_with(".soc") {
        return InputFormat::Preflib;
    }
    if text.lines().any(|l| l.trim_start().starts_with("V:")) {
        return InputFormat::Debian;
    }
    if text.lines().any(|l| l.starts_with("# ")) {
        return InputFormat::Preflib;
    }
    InputFormat::Blt
}

/// Read a profile from file bytes.
pub fn read_profile(bytes: &[u8], req: &Request) -> Result<(Profile, InputFormat), CountError> {
    let text = decode(bytes);
    let fmt = match req.format_in {
        InputFormat::Auto => detect(&req.file_name, &text),
        f => f,
    };
    let mut profile = match fmt {
        InputFormat::Blt | InputFormat::Auto => blt::parse(&text)?,
        InputFormat::Debian => debian::parse(&text, req.names.as_deref())?,
        InputFormat::Preflib => preflib::parse(&text)?,
    };
    if profile.title.is_empty() {
        // Tally sheets carry no title: name the count after its file.
        profile.title = req
            .file_name
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
    }
    Ok((profile, fmt))
}

/// Count a profile as requested.
pub fn count_profile(
    profile: &Profile,
    fmt: InputFormat,
    req: &Request,
) -> Result<Report, CountError> {
    let seats = req.seats.or(profile.seats).unwrap_or(1);
    match req.method {
        Method::ScottishStv => scottish_stv::count(profile, seats, req.seed),
        Method::MeekStv => meek::count(profile, seats, req.seed),
        Method::Schulze => {
            // A Debian tally sheet's last option is the default option.
            let default_option = if fmt == InputFormat::Debian && !req.no_default_option {
                Some(profile.candidates.len() - 1)
            } else {
                None
            };
            schulze::count(
                profile,
                &schulze::Options {
                    default_option,
                    quorum: req.quorum,
                    majority: req.majority,
                },
            )
        }
        Method::Plurality => plurality::count(profile, seats, req.seed),
        Method::Approval => approval::count(profile, seats, req.seed),
        Method::Runoff => runoff::count(profile, req.seed),
        Method::YesNo | Method::Motion | Method::DHondt | Method::SainteLague | Method::Hare => {
            Err(CountError::Invalid(
                "this method reads a JSON file, not ranked ballots".into(),
            ))
        }
    }
}

/// What a count prints.
#[derive(Debug, Clone)]
pub enum Output {
    Report(Report),
    Motion(motion::Outcome),
    Apportionment(apportion::Apportionment, Vec<apportion::Unit>),
}

impl Output {
    pub fn to_json(&self) -> String {
        let v = match self {
            Output::Report(r) => return r.to_json(),
            Output::Motion(o) => serde_json::to_value(o),
            Output::Apportionment(a, u) => serde_json::to_value(serde_json::json!({
                "method": a.method,
                "units": u,
                "seats": a.seats,
                "order": a.order,
                "seed": a.seed,
                "lots": a.lots,
            })),
        };
        serde_json::to_string_pretty(&v.expect("serialisable")).expect("serialisable")
    }
}

/// `--method motion`: `{"entitled": 10, "present": 8, "votes": [{"mandates": 2, "yes": 1, "no": 1}],
/// "rule": {"base": "cast", "majority": {"num": 1, "den": 2, "strict": true},
/// "quorum": "none", "tie": "fails"}}` (`rule` defaults to a simple majority of votes cast).
#[derive(Debug, Deserialize)]
struct MotionFile {
    #[serde(flatten)]
    input: motion::Input,
    #[serde(default)]
    rule: Option<motion::Rule>,
}

/// `--method dhondt|sainte-lague|hare`: `{"seats": 8, "units": [{"name": "A", "votes": 100, "min": 1}]}`.
#[derive(Debug, Deserialize)]
struct ApportionFile {
    seats: u64,
    units: Vec<apportion::Unit>,
}

/// `--method yes-no`: `{"candidates": ["A", "B"], "seats": 1, "ballots": [{"weight": 3, "answers": ["Y", "N"]}]}`.
#[derive(Debug, Deserialize)]
struct YesNoFile {
    candidates: Vec<String>,
    seats: Option<usize>,
    ballots: Vec<yes_no::Answers>,
    #[serde(default)]
    threshold: Option<yes_no::Threshold>,
}

fn json_error(e: serde_json::Error) -> CountError {
    CountError::Parse(ParseError::new(e.line(), e.to_string()))
}

/// File bytes in, output out.
pub fn run(bytes: &[u8], req: &Request) -> Result<Output, CountError> {
    let text = || decode(bytes);
    match req.method {
        Method::Motion => {
            let f: MotionFile = serde_json::from_str(&text()).map_err(json_error)?;
            let rule = f.rule.unwrap_or(motion::Rule::SIMPLE);
            Ok(Output::Motion(motion::decide(&f.input, &rule, req.seed)?))
        }
        Method::DHondt | Method::SainteLague | Method::Hare => {
            let f: ApportionFile = serde_json::from_str(&text()).map_err(json_error)?;
            let m = match req.method {
                Method::DHondt => apportion::Method::DHondt,
                Method::SainteLague => apportion::Method::SainteLague,
                _ => apportion::Method::HareLargestRemainder,
            };
            let a = apportion::apportion(&f.units, f.seats, m, req.seed)?;
            Ok(Output::Apportionment(a, f.units))
        }
        Method::YesNo => {
            let f: YesNoFile = serde_json::from_str(&text()).map_err(json_error)?;
            let seats = req.seats.or(f.seats).unwrap_or(1);
            Ok(Output::Report(yes_no::count(
                &f.candidates,
                &f.ballots,
                seats,
                f.threshold.unwrap_or_default(),
                req.seed,
            )?))
        }
        _ => {
            let (profile, fmt) = read_profile(bytes, req)?;
            Ok(Output::Report(count_profile(&profile, fmt, req)?))
        }
    }
}

/// Parse `N:M`.
pub fn parse_ratio(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not a ratio N:M"))?;
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a ratio N:M"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a ratio N:M"))?;
    if a == 0 || b == 0 {
        return Err("both sides of a majority ratio must be positive".into());
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_fallback() {
        assert_eq!(decode(b"Rapha\xebl"), "Raphaël");
        assert_eq!(decode("Raphaël".as_bytes()), "Raphaël");
    }

    #[test]
    fn detection() {
        assert_eq!(detect("x.blt", ""), InputFormat::Blt);
        assert_eq!(detect("x.toc", ""), InputFormat::Preflib);
        assert_eq!(detect("tally.txt", "junk\nV: 12 ab\n"), InputFormat::Debian);
        assert_eq!(parse_ratio("3:1"), Ok((3, 1)));
        assert!(parse_ratio("3").is_err());
        assert!(Method::parse("borda").is_err());
    }

    #[test]
    fn json_methods() {
        let m = br#"{"entitled": 10, "votes": [{"mandates": 2, "yes": 2}, {"no": 1}]}"#;
        let out = run(m, &Request::new(Method::Motion)).unwrap();
        assert!(out.to_json().contains("\"adopted\""));
        let a = br#"{"seats": 8, "units": [{"name": "A", "votes": 100000}, {"name": "B", "votes": 80000},
                    {"name": "C", "votes": 30000}, {"name": "D", "votes": 20000}]}"#;
        let out = run(a, &Request::new(Method::DHondt)).unwrap();
        // "A ... 4 seats" in words (`web::words::count`).
        match &out {
            Output::Apportionment(a, _) => assert_eq!(a.seats, vec![4, 3, 1, 0]),
            o => panic!("{o:?}"),
        }
        let y = br#"{"candidates": ["A", "B"], "seats": 1, "ballots": [{"weight": 3, "answers": ["Y", "N"]}, {"answers": ["N", "Y"]}]}"#;
        match run(y, &Request::new(Method::YesNo)).unwrap() {
            Output::Report(r) => assert_eq!(r.elected, vec!["A"]),
            o => panic!("{o:?}"),
        }
        let bad = run(b"{\n\"entitled\": x}", &Request::new(Method::Motion)).unwrap_err();
        assert!(bad.to_string().contains("line 2"), "{bad}");
    }
}
