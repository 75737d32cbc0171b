//! The BLT ballot format (ERS / OpenSTV / droop), read and written.
//!
//! ```text
//! 4 2              candidates, seats
//! -2               optional: withdrawn candidates, negated
//! 3 1 3 4 0        weight, preferences..., 0
//! 1 2=3 1 0        `=` joins candidates ranked equal (read, never written for STV)
//! 0                end of ballots
//! "Anne"           one name per candidate, quoted ...
//! Bob  (Lab)       ... or bare with a party label in parentheses
//! "Title"          the election's title
//! ```
//!
//! Real files vary: the Scottish corpus has bare names with irregular spacing before
//! the party label, CSV-style quoting with doubled quotes (`"A ""Party"""`), and one
//! file exported through a spreadsheet with a trailing comma on every line. A tool
//! that counts real elections reads them as they are, so this reader accepts those
//! forms and rejects anything else with its line and the reason.

use crate::error::ParseError;
use crate::profile::{Ballot, Profile};

/// Parse BLT text.
pub fn parse(text: &str) -> Result<Profile, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty())
        .peekable();
    // Comments are allowed before and among the ballots; after them, `#` lines may
    // carry the names (`# ALTERNATIVE NAME 3: Name (Party)`, PrefLib style).
    while lines.peek().is_some_and(|(_, l)| l.starts_with('#')) {
        lines.next();
    }

    // Header: number of candidates and seats.
    let (hline, header) = lines
        .next()
        .ok_or_else(|| ParseError::new(1, "empty file: expected `<candidates> <seats>`"))?;
    let nums = numbers(header, hline)?;
    if nums.len() != 2 {
        return Err(ParseError::new(
            hline,
            format!(
                "expected `<candidates> <seats>`, found {} numbers",
                nums.len()
            ),
        ));
    }
    let ncand = to_count(nums[0], hline, "number of candidates")?;
    let seats = to_count(nums[1], hline, "number of seats")?;
    if ncand == 0 {
        return Err(ParseError::new(
            hline,
            "there must be at least one candidate",
        ));
    }
    if ncand > u16::MAX as usize {
        return Err(ParseError::new(hline, "too many candidates"));
    }

    let mut profile = Profile {
        seats: Some(seats),
        ..Profile::default()
    };

    // Optional withdrawn line: all numbers negative.
    if let Some(&(l, text)) = lines.peek() {
        if text.starts_with('-') {
            for tok in tokens(text) {
                let v: i64 = tok.parse().map_err(|_| {
                    ParseError::new(l, format!("withdrawn candidates: `{tok}` is not a number"))
                })?;
                if v >= 0 || (-v) as usize > ncand {
                    return Err(ParseError::new(
                        l,
                        format!("withdrawn candidate `{tok}` must be between -1 and -{ncand}"),
                    ));
                }
                profile.withdrawn.push((-v - 1) as usize);
            }
            lines.next();
        }
    }

    // Ballots, up to the terminating `0`. `seen` marks candidates already on the
    // current ballot with that ballot's number, so it is never cleared (a million
    // ballots must parse in a fraction of a second).
    let mut seen = Seen {
        ballot: vec![0; ncand],
        current: 0,
    };
    let mut ended = false;
    let mut last_line = hline;
    for (l, text) in lines.by_ref() {
        last_line = l;
        if text.starts_with('#') {
            continue;
        }
        let mut toks = tokens(text);
        if toks.next() == Some("0") && toks.next().is_none() {
            ended = true;
            break;
        }
        profile
            .ballots
            .push(parse_ballot(tokens(text), l, ncand, &mut seen)?);
    }
    if !ended {
        return Err(ParseError::new(
            last_line,
            "the file ends before the `0` line that closes the ballots",
        ));
    }

    // Names, then the title.
    let rest: Vec<(usize, &str)> = lines.collect();
    let mut k = 0;
    if rest
        .iter()
        .any(|(_, t)| t.starts_with("# ALTERNATIVE NAME"))
    {
        let mut named: Vec<Option<String>> = vec![None; ncand];
        while k < rest.len() && rest[k].1.starts_with('#') {
            let (l, t) = rest[k];
            if let Some(v) = t.strip_prefix("# ALTERNATIVE NAME") {
                let (num, name) = v
                    .split_once(':')
                    .ok_or_else(|| ParseError::new(l, "expected `# ALTERNATIVE NAME k: name`"))?;
                let i: usize = num.trim().parse().map_err(|_| {
                    ParseError::new(l, format!("`{}` is not a candidate number", num.trim()))
                })?;
                if i == 0 || i > ncand {
                    return Err(ParseError::new(l, format!("candidate {i} does not exist")));
                }
                named[i - 1] = Some(name.trim().to_string());
            }
            k += 1;
        }
        for (i, n) in named.into_iter().enumerate() {
            let n = n.ok_or_else(|| {
                ParseError::new(last_line, format!("no name for candidate {}", i + 1))
            })?;
            let (name, party) = split_party(&n);
            profile.candidates.push(name);
            profile.parties.push(party);
        }
    } else if rest.len() >= ncand && !quoted_sequence_fits(&rest, ncand) {
        // One candidate per line: `"Name"`, `"Name" "Party"`, or `Name (Party)`.
        for &(l, text) in &rest[..ncand] {
            if text.starts_with('"') {
                let (first, after) = quoted(text, l)?;
                let mut extra = Vec::new();
                let mut after = after.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
                while after.starts_with('"') {
                    let (q, a) = quoted(after, l)?;
                    extra.push(q);
                    after = a.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
                }
                if !after.is_empty() {
                    return Err(ParseError::new(
                        l,
                        format!("unexpected `{after}` after a quoted name"),
                    ));
                }
                let (name, party) = split_party(&first);
                profile.candidates.push(name);
                profile.parties.push(if extra.is_empty() {
                    party
                } else {
                    Some(extra.join(" "))
                });
            } else {
                let (name, party) = split_party(text.trim_end_matches(','));
                profile.candidates.push(name);
                profile.parties.push(party);
            }
        }
        k = ncand;
    } else {
        // Several quoted names to a line (older writers).
        while profile.candidates.len() < ncand && k < rest.len() {
            let (l, text) = rest[k];
            let mut r = text;
            while !r.is_empty() {
                if !r.starts_with('"') {
                    return Err(ParseError::new(l, "expected a quoted candidate name"));
                }
                let (name, after) = quoted(r, l)?;
                let (name, party) = split_party(&name);
                profile.candidates.push(name);
                profile.parties.push(party);
                r = after.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            }
            k += 1;
        }
        if profile.candidates.len() != ncand {
            return Err(ParseError::new(
                rest.last().map(|r| r.0).unwrap_or(last_line),
                format!(
                    "expected {} candidate names, found {}",
                    ncand,
                    profile.candidates.len()
                ),
            ));
        }
    }
    if let Some(&(l, text)) = rest.get(k) {
        profile.title = if text.starts_with('"') {
            quoted(text, l)?.0
        } else {
            text.trim_end_matches(',').to_string()
        };
    }
    // Anything after the title is ignored: some writers append comments there.
    Ok(profile)
}

/// Whitespace- or comma-separated tokens. Works on bytes: the separators are ASCII,
/// so every slice still falls on character boundaries, and a million ballot lines
/// split several times faster than with `char` decoding.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let is_sep = |b: u8| b == b' ' || b == b'\t' || b == b',' || b == b'\r' || b == b'\n';
        while i < bytes.len() && is_sep(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && !is_sep(bytes[i]) {
            i += 1;
        }
        Some(&text[start..i])
    })
}

fn numbers(text: &str, line: usize) -> Result<Vec<i64>, ParseError> {
    tokens(text)
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| ParseError::new(line, format!("`{t}` is not a whole number")))
        })
        .collect()
}

fn to_count(v: i64, line: usize, what: &str) -> Result<usize, ParseError> {
    usize::try_from(v).map_err(|_| ParseError::new(line, format!("{what} must not be negative")))
}

struct Seen {
    ballot: Vec<u32>,
    current: u32,
}

fn parse_ballot<'a>(
    mut it: impl Iterator<Item = &'a str>,
    line: usize,
    ncand: usize,
    seen: &mut Seen,
) -> Result<Ballot, ParseError> {
    seen.current += 1;
    let mut first = it
        .next()
        .ok_or_else(|| ParseError::new(line, "empty ballot line"))?;
    // Optional ballot id in parentheses before the weight: `(id) weight ...`.
    if first.starts_with('(') && first.ends_with(')') {
        first = it
            .next()
            .ok_or_else(|| ParseError::new(line, "ballot id without a weight"))?;
    }
    let weight: u64 = first.parse().map_err(|_| {
        ParseError::new(
            line,
            format!("ballot weight `{first}` is not a non-negative whole number"),
        )
    })?;
    let mut ballot = Ballot {
        weight,
        ..Ballot::default()
    };
    // Created only when a ballot has an equal ranking: most never do.
    let mut equal: Option<Vec<bool>> = None;
    let mut closed = false;
    for tok in it {
        if closed {
            return Err(ParseError::new(
                line,
                format!("`{tok}` after the `0` that ends the ballot"),
            ));
        }
        if tok == "0" {
            closed = true;
            continue;
        }
        if tok == "-" {
            // A skipped rank, written by some tools: nothing to record.
            continue;
        }
        for (k, part) in tok.split('=').enumerate() {
            let c: usize = part.parse().map_err(|_| {
                ParseError::new(
                    line,
                    format!("preference `{part}` is not a candidate number"),
                )
            })?;
            if c == 0 || c > ncand {
                return Err(ParseError::new(
                    line,
                    format!("candidate {c} does not exist (there are {ncand})"),
                ));
            }
            if seen.ballot[c - 1] == seen.current {
                return Err(ParseError::new(
                    line,
                    format!("candidate {c} is ranked twice on the same ballot"),
                ));
            }
            seen.ballot[c - 1] = seen.current;
            if k > 0 && equal.is_none() {
                equal = Some(vec![false; ballot.prefs.len()]);
            }
            if let Some(e) = equal.as_mut() {
                e.push(k > 0);
            }
            ballot.prefs.push((c - 1) as u16);
        }
    }
    if !closed {
        return Err(ParseError::new(line, "ballot line does not end with 0"));
    }
    if let Some(e) = equal {
        ballot.equal_to_prev = e;
    }
    Ok(ballot)
}

/// True when the lines are all quoted strings numbering the candidates plus at most a
/// title: the names are then a sequence, several to a line. Otherwise a line's extra
/// quoted strings are a party label.
fn quoted_sequence_fits(rest: &[(usize, &str)], ncand: usize) -> bool {
    let mut count = 0;
    for &(l, text) in rest {
        let mut r = text;
        while !r.is_empty() {
            if !r.starts_with('"') {
                return false;
            }
            match quoted(r, l) {
                Ok((_, after)) => {
                    count += 1;
                    r = after.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
                }
                Err(_) => return false,
            }
        }
    }
    count == ncand || count == ncand + 1
}

/// Read a double-quoted string at the start of `s`; `""` inside stands for one `"`
/// (CSV style, as in the Scottish corpus). Returns the string and the rest.
fn quoted(s: &str, line: usize) -> Result<(String, &str), ParseError> {
    let mut out = String::new();
    let body = &s[1..];
    let mut chars = body.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch == '"' {
            if let Some(&(_, '"')) = chars.peek() {
                out.push('"');
                chars.next();
                continue;
            }
            return Ok((out, &body[i + 1..]));
        }
        out.push(ch);
    }
    Err(ParseError::new(line, "unterminated quoted name"))
}

/// `Name   (Party)` → (`Name`, `Some(Party)`), with the name's spaces normalised.
fn split_party(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            let name = t[..open].trim();
            let party = t[open + 1..t.len() - 1].trim();
            if !name.is_empty() && !party.is_empty() {
                return (normalise_spaces(name), Some(party.to_string()));
            }
        }
    }
    (normalise_spaces(t), None)
}

fn normalise_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Write a profile as BLT, names quoted (with `"` doubled), ballots in order.
pub fn write(profile: &Profile, seats: usize) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", profile.candidates.len(), seats);
    if !profile.withdrawn.is_empty() {
        let w: Vec<String> = profile
            .withdrawn
            .iter()
            .map(|c| format!("-{}", c + 1))
            .collect();
        let _ = writeln!(out, "{}", w.join(" "));
    }
    for b in &profile.ballots {
        let _ = write!(out, "{}", b.weight);
        for (k, group) in b.groups().iter().enumerate() {
            let _ = k;
            let g: Vec<String> = group.iter().map(|c| (c + 1).to_string()).collect();
            let _ = write!(out, " {}", g.join("="));
        }
        out.push_str(" 0\n");
    }
    out.push_str("0\n");
    for c in 0..profile.candidates.len() {
        let _ = writeln!(out, "\"{}\"", profile.display_name(c).replace('"', "\"\""));
    }
    let _ = writeln!(out, "\"{}\"", profile.title.replace('"', "\"\""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names() {
        let p = parse("3 1\n2 1 2 0\n1 3 0\n0\n\"A\"\n\"B b\"\n\"C\"\n\"T\"\n").unwrap();
        assert_eq!(p.candidates, vec!["A", "B b", "C"]);
        assert_eq!(p.title, "T");
        assert_eq!(p.seats, Some(1));
        assert_eq!(p.ballots.len(), 2);
        assert_eq!(p.ballots[0], Ballot::strict(2, vec![0, 1]));
    }

    #[test]
    fn bare_names_with_party_and_irregular_spacing() {
        let p = parse(
            "2 1\n1 1 0\n0\nMo HUSSAIN                 (LD)\nRenée  SLATER (Grn)\nSome Ward\n",
        )
        .unwrap();
        assert_eq!(p.candidates, vec!["Mo HUSSAIN", "Renée SLATER"]);
        assert_eq!(p.parties[0].as_deref(), Some("LD"));
        assert_eq!(p.display_name(1), "Renée SLATER (Grn)");
        assert_eq!(p.title, "Some Ward");
    }

    #[test]
    fn csv_quoting_and_trailing_commas() {
        let p = parse("2 1,\n3 1 2 0,\n0,\n\"A \"\"X Party\"\"\"\nB,\nWard 9,424\n").unwrap();
        assert_eq!(p.candidates[0], "A \"X Party\"");
        assert_eq!(p.candidates[1], "B");
        assert_eq!(p.ballots[0].weight, 3);
    }

    #[test]
    fn names_as_comments_or_with_quoted_party() {
        let p = parse("2 1\n1 1 0\n0\n# ALTERNATIVE NAME 1: Gary Barton (Ind)\n# ALTERNATIVE NAME 2: Al Duke - Wardrop (Grn)\nCalton ward\n")
            .unwrap();
        assert_eq!(p.candidates, vec!["Gary Barton", "Al Duke - Wardrop"]);
        assert_eq!(p.title, "Calton ward");
        let p = parse(
            "2 1\n1 1 0\n0\n\"Ian BAILEY\" \"Lib Dems\"\n\"Ross CASSIE\" \"SNP\"\n\"Ward 2\"\n",
        )
        .unwrap();
        assert_eq!(p.candidates, vec!["Ian BAILEY", "Ross CASSIE"]);
        assert_eq!(p.parties[1].as_deref(), Some("SNP"));
        assert_eq!(p.title, "Ward 2");
        let p = parse("2 1\n1 1 0\n0\n\"A\" \"B\"\n\"Title\"\n").unwrap();
        assert_eq!(p.candidates, vec!["A", "B"]);
        assert_eq!(p.title, "Title");
    }

    #[test]
    fn withdrawn_and_equal_rankings() {
        let p = parse("3 1\n-2\n1 1=3 2 0\n0\n\"A\" \"B\" \"C\"\n\"T\"\n").unwrap();
        assert_eq!(p.withdrawn, vec![1]);
        assert_eq!(p.ballots[0].groups(), vec![&[0u16, 2][..], &[1u16][..]]);
    }

    #[test]
    fn errors_carry_line_and_reason() {
        let e = parse("3 1\n1 1 4 0\n0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("candidate 4 does not exist"), "{e}");
        let e = parse("3 1\n1 1 2\n0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("does not end with 0"));
        let e = parse("3 1\n1 1 1 0\n0\n").unwrap_err();
        assert!(e.reason.contains("twice"));
        let e = parse("3\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("2 1\nx 1 0\n0\n").unwrap_err();
        assert!(e.reason.contains("weight"));
        let e = parse("2 1\n1 1 0\n0\n\"A\"\n").unwrap_err();
        assert!(e.reason.contains("expected 2 candidate names"), "{e}");
        let e = parse("2 1\n1 1 0\n").unwrap_err();
        assert!(e.reason.contains("ends before"), "{e}");
    }

    #[test]
    fn write_then_read() {
        let p = parse("3 2\n2 1 2 0\n1 3=1 0\n0\n\"A\"\n\"B \"\"b\"\"\"\n\"C\"\n\"T\"\n").unwrap();
        let again = parse(&write(&p, 2)).unwrap();
        assert_eq!(again.ballots, p.ballots);
        assert_eq!(again.candidates, p.candidates);
        assert_eq!(again.title, p.title);
    }
}
