//! Debian tally sheets (devotee), as published for each vote.
//!
//! ```text
//!      Option 1----->: Jonathan Carter
//!    /  Option 2---->: Sruthi Chandran
//! V: 2313            00230fd5e1...
//! ```
//!
//! Each `V:` line is one voter. The character at position i is the rank given to
//! option i (`1` best); `-` leaves the option unranked, which ranks it below every
//! ranked option (Debian Constitution A.6(3)). Options may share a rank. The option
//! names appear in the sheet's header when the sheet has one; otherwise callers may
//! give them, or they default to "Option 1".."Option n". The last option is the
//! default option ("None of the above").

use crate::error::ParseError;
use crate::profile::{Ballot, Profile};

/// Parse a tally sheet. `names`, if given, overrides the names found in the header.
pub fn parse(text: &str, names: Option<&[String]>) -> Result<Profile, ParseError> {
    let mut header_names: Vec<(usize, String)> = Vec::new();
    let mut ballots = Vec::new();
    let mut width: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if let Some(rest) = t.strip_prefix("V:") {
            let mut toks = rest.split_whitespace();
            let vote = toks
                .next()
                .ok_or_else(|| ParseError::new(line, "`V:` line without a vote"))?;
            match width {
                None => width = Some(vote.chars().count()),
                Some(w) if w != vote.chars().count() => {
                    return Err(ParseError::new(
                        line,
                        format!(
                            "vote `{vote}` ranks {} options, earlier votes rank {w}",
                            vote.chars().count()
                        ),
                    ))
                }
                _ => {}
            }
            ballots.push(parse_vote(vote, line)?);
        } else if let Some((n, name)) = option_header(t) {
            header_names.push((n, name));
        }
    }
    let n = width.ok_or_else(|| ParseError::new(1, "no `V:` lines: not a tally sheet"))?;
    let candidates: Vec<String> = match names {
        Some(given) => {
            if given.len() != n {
                return Err(ParseError::new(
                    1,
                    format!("{} names given for {} options", given.len(), n),
                ));
            }
            given.to_vec()
        }
        None => (1..=n)
            .map(|k| {
                header_names
                    .iter()
                    .find(|(i, _)| *i == k)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| format!("Option {k}"))
            })
            .collect(),
    };
    Ok(Profile {
        title: String::new(),
        parties: vec![None; n],
        candidates,
        seats: Some(1),
        withdrawn: Vec::new(),
        ballots,
    })
}

/// `Option 3------->: Steve McIntyre` (possibly after `|/` art) → (3, "Steve McIntyre").
fn option_header(t: &str) -> Option<(usize, String)> {
    let at = t.find("Option ")?;
    let rest = &t[at + "Option ".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let k: usize = digits.parse().ok()?;
    let rest = rest[digits.len()..].trim_start_matches('-');
    let name = rest.strip_prefix(">:")?.trim();
    if name.is_empty() {
        return None;
    }
    Some((k, name.to_string()))
}

fn parse_vote(vote: &str, line: usize) -> Result<Ballot, ParseError> {
    let mut ranked: Vec<(u32, u16)> = Vec::new();
    for (i, ch) in vote.chars().enumerate() {
        if ch == '-' {
            continue;
        }
        // Ranks beyond 9 are written as letters by devotee; base 36 covers both.
        let r = ch.to_digit(36).ok_or_else(|| {
            ParseError::new(
                line,
                format!("`{ch}` at position {} is neither a rank nor `-`", i + 1),
            )
        })?;
        if r == 0 {
            return Err(ParseError::new(
                line,
                format!("rank 0 at position {}: ranks start at 1", i + 1),
            ));
        }
        ranked.push((r, i as u16));
    }
    ranked.sort();
    let prefs = ranked.iter().map(|&(_, c)| c).collect();
    let equal: Vec<bool> = ranked
        .iter()
        .enumerate()
        .map(|(k, &(r, _))| k > 0 && ranked[k - 1].0 == r)
        .collect();
    Ok(Ballot {
        weight: 1,
        prefs,
        equal_to_prev: if equal.iter().any(|&e| e) {
            equal
        } else {
            Vec::new()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_names_and_votes() {
        let text = "   Option 1--->: A\n /  Option 2-->: B\n |/  Option 3->: None Of The Above\nV: 1-2   abc\nV: 112 def\n";
        let p = parse(text, None).unwrap();
        assert_eq!(p.candidates, vec!["A", "B", "None Of The Above"]);
        assert_eq!(p.ballots[0].prefs, vec![0, 2]);
        assert_eq!(p.ballots[1].groups(), vec![&[0u16, 1][..], &[2u16][..]]);
    }

    #[test]
    fn default_names_and_errors() {
        let p = parse("V: 21 x\n", None).unwrap();
        assert_eq!(p.candidates, vec!["Option 1", "Option 2"]);
        let e = parse("V: 21 x\nV: 1 y\n", None).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("V: 2* x\n", None).unwrap_err();
        assert!(e.reason.contains("neither a rank"));
        assert!(parse("hello\n", None).is_err());
    }
}
