//! PrefLib ordinal data: `.soi` (strict orders, incomplete) and `.toc` (orders with ties,
//! complete), in both the current format (2022 on) and the legacy one.
//!
//! Current:
//! ```text
//! # DATA TYPE: toc
//! # NUMBER ALTERNATIVES: 3
//! # ALTERNATIVE NAME 1: Anne
//! 6: 1,2,3
//! 3: 2,{1,3}
//! ```
//! Legacy: a line with the number of alternatives, one `k,Name` line per
//! alternative, a `voters,sum,unique` line, then `count,ranking` lines.

use crate::error::ParseError;
use crate::profile::{Ballot, Profile};

pub fn parse(text: &str) -> Result<Profile, ParseError> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| ParseError::new(1, "empty file"))?;
    if first.starts_with('#') {
        parse_current(text)
    } else {
        parse_legacy(text)
    }
}

fn parse_current(text: &str) -> Result<Profile, ParseError> {
    let mut n: Option<usize> = None;
    let mut names: Vec<(usize, String)> = Vec::new();
    let mut title = String::new();
    let mut ballots = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(meta) = t.strip_prefix('#') {
            let meta = meta.trim();
            if let Some(v) = meta.strip_prefix("NUMBER ALTERNATIVES:") {
                n = Some(v.trim().parse().map_err(|_| {
                    ParseError::new(
                        line,
                        format!("`{}` is not a number of alternatives", v.trim()),
                    )
                })?);
            } else if let Some(v) = meta.strip_prefix("ALTERNATIVE NAME ") {
                let (k, name) = v
                    .split_once(':')
                    .ok_or_else(|| ParseError::new(line, "expected `ALTERNATIVE NAME k: name`"))?;
                let k: usize = k.trim().parse().map_err(|_| {
                    ParseError::new(line, format!("`{k}` is not an alternative number"))
                })?;
                names.push((k, name.trim().to_string()));
            } else if let Some(v) = meta.strip_prefix("TITLE:") {
                title = v.trim().to_string();
            }
            continue;
        }
        let n =
            n.ok_or_else(|| ParseError::new(line, "an order before `# NUMBER ALTERNATIVES`"))?;
        let (count, order) = t
            .split_once(':')
            .ok_or_else(|| ParseError::new(line, "expected `count: order`"))?;
        let weight: u64 = count
            .trim()
            .parse()
            .map_err(|_| ParseError::new(line, format!("`{}` is not a count", count.trim())))?;
        ballots.push(parse_order(order, weight, n, line)?);
    }
    let n = n.ok_or_else(|| ParseError::new(1, "no `# NUMBER ALTERNATIVES` line"))?;
    Ok(build(n, names, title, ballots))
}

fn parse_legacy(text: &str) -> Result<Profile, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let (l, first) = lines
        .next()
        .ok_or_else(|| ParseError::new(1, "empty file"))?;
    let n: usize = first
        .parse()
        .map_err(|_| ParseError::new(l, format!("`{first}` is not a number of alternatives")))?;
    let mut names = Vec::new();
    for _ in 0..n {
        let (l, t) = lines
            .next()
            .ok_or_else(|| ParseError::new(l, "the file ends among the alternatives"))?;
        let (k, name) = t
            .split_once(',')
            .ok_or_else(|| ParseError::new(l, "expected `k,name`"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| ParseError::new(l, format!("`{k}` is not an alternative number")))?;
        names.push((k, name.trim().to_string()));
    }
    // voters,sum of counts,unique orders
    let (l, _) = lines
        .next()
        .ok_or_else(|| ParseError::new(l, "missing the `voters,sum,unique` line"))?;
    let _ = l;
    let mut ballots = Vec::new();
    for (l, t) in lines {
        let (count, order) = t
            .split_once(',')
            .ok_or_else(|| ParseError::new(l, "expected `count,order`"))?;
        let weight: u64 = count
            .trim()
            .parse()
            .map_err(|_| ParseError::new(l, format!("`{}` is not a count", count.trim())))?;
        ballots.push(parse_order(order, weight, n, l)?);
    }
    Ok(build(n, names, String::new(), ballots))
}

fn build(n: usize, names: Vec<(usize, String)>, title: String, ballots: Vec<Ballot>) -> Profile {
    let candidates = (1..=n)
        .map(|k| {
            names
                .iter()
                .find(|(i, _)| *i == k)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| format!("Alternative {k}"))
        })
        .collect();
    Profile {
        title,
        candidates,
        parties: vec![None; n],
        seats: None,
        withdrawn: Vec::new(),
        ballots,
    }
}

/// `1,{2,3},4`: ranks left to right; braces group alternatives ranked equal.
fn parse_order(order: &str, weight: u64, n: usize, line: usize) -> Result<Ballot, ParseError> {
    let mut prefs = Vec::new();
    let mut equal = Vec::new();
    let mut seen = vec![false; n];
    let mut in_group = false;
    let mut group_start = true;
    let mut tok = String::new();
    let mut flush = |tok: &mut String,
                     in_group: bool,
                     group_start: &mut bool,
                     prefs: &mut Vec<u16>,
                     equal: &mut Vec<bool>|
     -> Result<(), ParseError> {
        let t = tok.trim();
        if t.is_empty() {
            tok.clear();
            return Ok(());
        }
        let k: usize = t
            .parse()
            .map_err(|_| ParseError::new(line, format!("`{t}` is not an alternative number")))?;
        if k == 0 || k > n {
            return Err(ParseError::new(
                line,
                format!("alternative {k} does not exist (there are {n})"),
            ));
        }
        if seen[k - 1] {
            return Err(ParseError::new(
                line,
                format!("alternative {k} appears twice"),
            ));
        }
        seen[k - 1] = true;
        prefs.push((k - 1) as u16);
        equal.push(in_group && !*group_start);
        *group_start = false;
        tok.clear();
        Ok(())
    };
    for ch in order.chars() {
        match ch {
            '{' => {
                if in_group {
                    return Err(ParseError::new(line, "nested `{`"));
                }
                flush(&mut tok, in_group, &mut group_start, &mut prefs, &mut equal)?;
                in_group = true;
                group_start = true;
            }
            '}' => {
                if !in_group {
                    return Err(ParseError::new(line, "`}` without `{`"));
                }
                flush(&mut tok, in_group, &mut group_start, &mut prefs, &mut equal)?;
                in_group = false;
            }
            ',' => {
                flush(&mut tok, in_group, &mut group_start, &mut prefs, &mut equal)?;
                if !in_group {
                    group_start = true;
                }
            }
            c if c.is_ascii_digit() || c.is_whitespace() => tok.push(c),
            c => {
                return Err(ParseError::new(
                    line,
                    format!("unexpected `{c}` in an order"),
                ))
            }
        }
    }
    if in_group {
        return Err(ParseError::new(line, "`{` without `}`"));
    }
    flush(&mut tok, in_group, &mut group_start, &mut prefs, &mut equal)?;
    Ok(Ballot {
        weight,
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
    fn current_format_toc() {
        let text = "# FILE NAME: x.toc\n# DATA TYPE: toc\n# NUMBER ALTERNATIVES: 3\n\
                    # ALTERNATIVE NAME 1: Anne\n# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cy\n\
                    6: 1,2,3\n3: 2,{1,3}\n";
        let p = parse(text).unwrap();
        assert_eq!(p.candidates, vec!["Anne", "Bob", "Cy"]);
        assert_eq!(p.ballots[1].groups(), vec![&[1u16][..], &[0u16, 2][..]]);
        assert_eq!(p.total_ballots(), 9);
    }

    #[test]
    fn legacy_format_soi() {
        let text = "3\n1,Anne\n2,Bob\n3,Cy\n5,5,2\n4,1,3\n1,2\n";
        let p = parse(text).unwrap();
        assert_eq!(p.ballots[0], Ballot::strict(4, vec![0, 2]));
        assert_eq!(p.ballots[1], Ballot::strict(1, vec![1]));
    }

    #[test]
    fn errors() {
        let e = parse("# NUMBER ALTERNATIVES: 2\n1: 1,3\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("does not exist"));
        let e = parse("# NUMBER ALTERNATIVES: 2\n1: {1,2\n").unwrap_err();
        assert!(e.reason.contains("without"));
        let e = parse("# NUMBER ALTERNATIVES: 2\nx: 1\n").unwrap_err();
        assert!(e.reason.contains("not a count"));
    }
}
