//! Motions as line-numbered text, and amendments as structured edits to their lines.
//!
//! Lines are numbered from 1. An amendment is one edit:
//! - **replace** lines `from..=to` with new lines;
//! - **insert after** line `line` (0: before the first line);
//! - **delete** lines `from..=to`.
//!
//! An amendment may itself be amended: its target is then the parent amendment's new lines
//! (a deletion has none, so it cannot be amended), numbered from 1 in the same way.
//!
//! **Conflict.** Two amendments to the same text conflict when their ranges overlap: two
//! replacements or deletions sharing a line, an insertion strictly inside a replaced or deleted
//! range, or two insertions at the same place. Adopting one makes the others fall.
//! **Competing** amendments are conflicting ones with exactly the same range: alternative
//! wordings of the same lines.
//!
//! **Voting order.** Amendments are voted before their motion, and amendments to an amendment
//! before that amendment. Conflicting amendments form a group (linked by overlap); groups go in
//! the order of the text; within a group the **most far-reaching** goes first, "far-reaching"
//! meaning the number of lines it changes: lines removed plus lines added. At equal reach the
//! one submitted first goes first.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The lines of a motion's text: split at line ends, without trailing blank lines.
pub fn lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    while v.last().is_some_and(|l| l.trim().is_empty()) {
        v.pop();
    }
    v
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    Replace {
        from: usize,
        to: usize,
        text: Vec<String>,
    },
    InsertAfter {
        line: usize,
        text: Vec<String>,
    },
    Delete {
        from: usize,
        to: usize,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TextError {
    #[error("line {line} does not exist: the text has {len} lines")]
    NoSuchLine { line: usize, len: usize },
    #[error("the range {from}–{to} runs backwards; give the first line, then the last")]
    Backwards { from: usize, to: usize },
    #[error("lines are numbered from 1; there is no line 0")]
    LineZero,
    #[error("the amendment brings no text: give the new wording")]
    NoText,
    #[error("amendment {0} deletes lines, so it has no text that could be amended")]
    DeletionHasNoText(i64),
    #[error("amendment {0} does not exist in this motion")]
    NoSuchAmendment(i64),
    #[error("amendments {0} and {1} conflict (their ranges overlap), so both cannot be adopted")]
    Conflict(i64, i64),
    #[error("unknown kind of amendment {0:?}: use replace, insert or delete")]
    UnknownOp(String),
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for TextError {}

impl Edit {
    /// Reads the amendment form: an operation (`replace`, `insert`, `delete`), the first and last
    /// line (the last defaults to the first; for `insert`, the line after which to insert), and
    /// the new text.
    pub fn parse(op: &str, from: usize, to: Option<usize>, text: &str) -> Result<Edit, TextError> {
        let text = lines(text);
        match op {
            "replace" => Ok(Edit::Replace {
                from,
                to: to.unwrap_or(from),
                text,
            }),
            "insert" => Ok(Edit::InsertAfter { line: from, text }),
            "delete" => Ok(Edit::Delete {
                from,
                to: to.unwrap_or(from),
            }),
            other => Err(TextError::UnknownOp(other.to_string())),
        }
    }

    /// Checks the edit against a text of `len` lines.
    pub fn validate(&self, len: usize) -> Result<(), TextError> {
        match self {
            Edit::Replace { from, to, .. } | Edit::Delete { from, to } => {
                if *from == 0 {
                    return Err(TextError::LineZero);
                }
                if from > to {
                    return Err(TextError::Backwards {
                        from: *from,
                        to: *to,
                    });
                }
                if *to > len {
                    return Err(TextError::NoSuchLine { line: *to, len });
                }
            }
            Edit::InsertAfter { line, .. } => {
                if *line > len {
                    return Err(TextError::NoSuchLine { line: *line, len });
                }
            }
        }
        match self {
            Edit::Replace { text, .. } | Edit::InsertAfter { text, .. }
                if text.iter().all(|l| l.trim().is_empty()) =>
            {
                Err(TextError::NoText)
            }
            _ => Ok(()),
        }
    }

    /// The range in half-line positions: line `n` is `2n - 1`, the place after line `n` is `2n`.
    fn span(&self) -> (usize, usize) {
        match self {
            Edit::Replace { from, to, .. } | Edit::Delete { from, to } => {
                (2 * from - 1, 2 * to - 1)
            }
            Edit::InsertAfter { line, .. } => (2 * line, 2 * line),
        }
    }

    pub fn overlaps(&self, other: &Edit) -> bool {
        let (a0, a1) = self.span();
        let (b0, b1) = other.span();
        a0 <= b1 && b0 <= a1
    }

    /// Lines removed plus lines added: how far the edit reaches.
    pub fn reach(&self) -> usize {
        match self {
            Edit::Replace { from, to, text } => (to - from + 1) + text.len(),
            Edit::InsertAfter { text, .. } => text.len(),
            Edit::Delete { from, to } => to - from + 1,
        }
    }

    /// The new lines it brings (none for a deletion).
    pub fn text(&self) -> Option<&[String]> {
        match self {
            Edit::Replace { text, .. } | Edit::InsertAfter { text, .. } => Some(text),
            Edit::Delete { .. } => None,
        }
    }

    /// The lines of the original that it removes, as a range (empty for an insertion).
    pub fn removed(&self) -> std::ops::RangeInclusive<usize> {
        match self {
            Edit::Replace { from, to, .. } | Edit::Delete { from, to } => *from..=*to,
            #[allow(clippy::reversed_empty_ranges)]
            Edit::InsertAfter { .. } => 1..=0,
        }
    }
}

/// An amendment: to the motion (`parent: None`) or to another amendment's new lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub id: i64,
    pub parent: Option<i64>,
    pub edit: Edit,
}

impl Amendment {
    pub fn competes_with(&self, other: &Amendment) -> bool {
        self.id != other.id && self.parent == other.parent && self.edit.span() == other.edit.span()
    }

    pub fn conflicts_with(&self, other: &Amendment) -> bool {
        self.id != other.id && self.parent == other.parent && self.edit.overlaps(&other.edit)
    }
}

/// Checks a new amendment against the motion and the amendments already made: its lines must
/// exist in the text it amends.
pub fn validate_new(
    motion: &[String],
    existing: &[Amendment],
    parent: Option<i64>,
    edit: &Edit,
) -> Result<(), TextError> {
    let len = match parent {
        None => motion.len(),
        Some(p) => {
            let a = existing
                .iter()
                .find(|a| a.id == p)
                .ok_or(TextError::NoSuchAmendment(p))?;
            a.edit.text().ok_or(TextError::DeletionHasNoText(p))?.len()
        }
    };
    edit.validate(len)
}

/// Every pair of conflicting amendments (lower id first).
pub fn conflicts(amendments: &[Amendment]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for (i, a) in amendments.iter().enumerate() {
        for b in &amendments[i + 1..] {
            if a.conflicts_with(b) {
                out.push((a.id.min(b.id), a.id.max(b.id)));
            }
        }
    }
    out.sort();
    out
}

/// The amendments that fall when `adopted` is adopted: those that conflict with it, and
/// everything that amends them.
pub fn fall_with(adopted: i64, amendments: &[Amendment]) -> Vec<i64> {
    let Some(a) = amendments.iter().find(|x| x.id == adopted) else {
        return Vec::new();
    };
    let mut fallen: BTreeSet<i64> = amendments
        .iter()
        .filter(|b| a.conflicts_with(b))
        .map(|b| b.id)
        .collect();
    loop {
        let more: Vec<i64> = amendments
            .iter()
            .filter(|b| b.parent.is_some_and(|p| fallen.contains(&p)) && !fallen.contains(&b.id))
            .map(|b| b.id)
            .collect();
        if more.is_empty() {
            break;
        }
        fallen.extend(more);
    }
    fallen.into_iter().collect()
}

/// The proposed voting order of the amendments (the motion itself comes after all of them).
pub fn voting_order(amendments: &[Amendment]) -> Vec<i64> {
    let mut children: BTreeMap<Option<i64>, Vec<&Amendment>> = BTreeMap::new();
    for a in amendments {
        children.entry(a.parent).or_default().push(a);
    }
    let mut out = Vec::with_capacity(amendments.len());
    order_level(None, &children, &mut out, 0);
    out
}

fn order_level(
    parent: Option<i64>,
    children: &BTreeMap<Option<i64>, Vec<&Amendment>>,
    out: &mut Vec<i64>,
    depth: usize,
) {
    let Some(level) = children.get(&parent) else {
        return;
    };
    if depth > 64 {
        return;
    }
    // Groups of conflicting amendments (connected by overlap), by union-find.
    let n = level.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while g[r] != r {
            r = g[r];
        }
        g[i] = r;
        r
    }
    for i in 0..n {
        for j in i + 1..n {
            if level[i].edit.overlaps(&level[j].edit) {
                let (a, b) = (find(&mut group, i), find(&mut group, j));
                group[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&Amendment>> = BTreeMap::new();
    for (i, a) in level.iter().enumerate() {
        let g = find(&mut group, i);
        groups.entry(g).or_default().push(a);
    }
    let mut groups: Vec<Vec<&Amendment>> = groups.into_values().collect();
    // Groups in the order of the text; within one, the most far-reaching first.
    groups.sort_by_key(|g| g.iter().map(|a| a.edit.span().0).min().unwrap_or(0));
    for mut g in groups {
        g.sort_by(|a, b| b.edit.reach().cmp(&a.edit.reach()).then(a.id.cmp(&b.id)));
        for a in g {
            order_level(Some(a.id), children, out, depth + 1);
            out.push(a.id);
        }
    }
}

/// Applies non-conflicting edits to a text. Every edit is checked against the text first.
pub fn apply(text: &[String], edits: &[(i64, &Edit)]) -> Result<Vec<String>, TextError> {
    for (_, e) in edits {
        e.validate(text.len())?;
    }
    for (i, (ia, a)) in edits.iter().enumerate() {
        for (ib, b) in &edits[i + 1..] {
            if a.overlaps(b) {
                return Err(TextError::Conflict(*ia.min(ib), *ia.max(ib)));
            }
        }
    }
    let mut sorted: Vec<&Edit> = edits.iter().map(|(_, e)| *e).collect();
    // From the end of the text backwards, so earlier line numbers stay right.
    sorted.sort_by_key(|e| std::cmp::Reverse(e.span().0));
    let mut out = text.to_vec();
    for e in sorted {
        match e {
            Edit::Replace { from, to, text } => {
                out.splice(from - 1..*to, text.iter().cloned());
            }
            Edit::Delete { from, to } => {
                out.drain(from - 1..*to);
            }
            Edit::InsertAfter { line, text } => {
                out.splice(*line..*line, text.iter().cloned());
            }
        }
    }
    Ok(out)
}

/// An amendment's edit as it stands after its own adopted amendments.
pub fn effective_edit(
    a: &Amendment,
    amendments: &[Amendment],
    adopted: &BTreeSet<i64>,
) -> Result<Edit, TextError> {
    effective(a, amendments, adopted, 0)
}

fn effective(
    a: &Amendment,
    all: &[Amendment],
    adopted: &BTreeSet<i64>,
    depth: usize,
) -> Result<Edit, TextError> {
    let subs: Vec<(i64, Edit)> = if depth > 64 {
        Vec::new()
    } else {
        all.iter()
            .filter(|s| s.parent == Some(a.id) && adopted.contains(&s.id))
            .map(|s| Ok((s.id, effective(s, all, adopted, depth + 1)?)))
            .collect::<Result<_, TextError>>()?
    };
    if subs.is_empty() {
        return Ok(a.edit.clone());
    }
    let refs: Vec<(i64, &Edit)> = subs.iter().map(|(i, e)| (*i, e)).collect();
    Ok(match &a.edit {
        Edit::Replace { from, to, text } => Edit::Replace {
            from: *from,
            to: *to,
            text: apply(text, &refs)?,
        },
        Edit::InsertAfter { line, text } => Edit::InsertAfter {
            line: *line,
            text: apply(text, &refs)?,
        },
        Edit::Delete { .. } => return Err(TextError::DeletionHasNoText(a.id)),
    })
}

/// The motion's text after the adopted amendments (and the adopted amendments to them).
pub fn consolidate(
    motion: &[String],
    amendments: &[Amendment],
    adopted: &BTreeSet<i64>,
) -> Result<Vec<String>, TextError> {
    let top: Vec<(i64, Edit)> = amendments
        .iter()
        .filter(|a| a.parent.is_none() && adopted.contains(&a.id))
        .map(|a| Ok((a.id, effective(a, amendments, adopted, 0)?)))
        .collect::<Result<_, TextError>>()?;
    let refs: Vec<(i64, &Edit)> = top.iter().map(|(i, e)| (*i, e)).collect();
    apply(motion, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("line {i}")).collect()
    }

    fn rep(id: i64, from: usize, to: usize, t: &[&str]) -> Amendment {
        Amendment {
            id,
            parent: None,
            edit: Edit::Replace {
                from,
                to,
                text: t.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    #[test]
    fn a_line_that_does_not_exist_is_refused_by_number() {
        let m = text(3);
        let e = Edit::parse("replace", 4, None, "new").unwrap();
        assert_eq!(
            validate_new(&m, &[], None, &e),
            Err(TextError::NoSuchLine { line: 4, len: 3 })
        );
        assert_eq!(
            e.validate(3).unwrap_err().to_string(),
            "line 4 does not exist: the text has 3 lines"
        );
        assert_eq!(
            Edit::parse("delete", 0, None, "").unwrap().validate(3),
            Err(TextError::LineZero)
        );
        assert_eq!(
            Edit::parse("delete", 3, Some(2), "").unwrap().validate(3),
            Err(TextError::Backwards { from: 3, to: 2 })
        );
        assert_eq!(
            Edit::parse("replace", 1, None, "  ").unwrap().validate(3),
            Err(TextError::NoText)
        );
        assert!(Edit::parse("insert", 3, None, "at the end")
            .unwrap()
            .validate(3)
            .is_ok());
        assert!(Edit::parse("rewrite", 1, None, "x").is_err());
    }

    #[test]
    fn amendments_to_an_amendment_are_checked_against_its_new_lines() {
        let m = text(5);
        let a = rep(1, 2, 2, &["alpha", "beta"]);
        let d = Amendment {
            id: 2,
            parent: None,
            edit: Edit::Delete { from: 4, to: 4 },
        };
        let ok = Edit::parse("replace", 2, None, "gamma").unwrap();
        assert!(validate_new(&m, &[a.clone(), d.clone()], Some(1), &ok).is_ok());
        let bad = Edit::parse("replace", 3, None, "gamma").unwrap();
        assert_eq!(
            validate_new(&m, &[a.clone(), d.clone()], Some(1), &bad),
            Err(TextError::NoSuchLine { line: 3, len: 2 })
        );
        assert_eq!(
            validate_new(&m, &[a.clone(), d], Some(2), &ok),
            Err(TextError::DeletionHasNoText(2))
        );
        assert_eq!(
            validate_new(&m, &[a], Some(9), &ok),
            Err(TextError::NoSuchAmendment(9))
        );
    }

    #[test]
    fn conflicts_and_competition_are_told_apart() {
        let a = rep(1, 2, 3, &["x"]);
        let b = rep(2, 2, 3, &["y"]);
        let c = rep(3, 3, 4, &["z"]);
        let d = rep(4, 5, 5, &["w"]);
        let ins_inside = Amendment {
            id: 5,
            parent: None,
            edit: Edit::InsertAfter {
                line: 2,
                text: vec!["i".into()],
            },
        };
        let ins_after = Amendment {
            id: 6,
            parent: None,
            edit: Edit::InsertAfter {
                line: 4,
                text: vec!["j".into()],
            },
        };
        assert!(a.competes_with(&b));
        assert!(a.conflicts_with(&c) && !a.competes_with(&c));
        assert!(!a.conflicts_with(&d));
        assert!(a.conflicts_with(&ins_inside), "insertion inside 2–3");
        assert!(!a.conflicts_with(&ins_after), "insertion after the range");
        assert!(!c.conflicts_with(&ins_after), "after line 4 is outside 3–4");
        let all = [a, b, c, d, ins_inside, ins_after];
        assert_eq!(
            conflicts(&all),
            vec![(1, 2), (1, 3), (1, 5), (2, 3), (2, 5)]
        );
        assert_eq!(fall_with(1, &all), vec![2, 3, 5]);
    }

    #[test]
    fn the_most_far_reaching_goes_first_and_amendments_before_their_parent() {
        // Lenin's and Martov's competing wordings of one line; a wider rewrite of lines 1-2;
        // an amendment to Martov's; an unrelated deletion further down.
        let lenin = rep(1, 2, 2, &["by personal participation"]);
        let martov = rep(2, 2, 2, &["by regular personal association"]);
        let wide = rep(3, 1, 2, &["a new paragraph", "of two lines", "or three"]);
        let sub = Amendment {
            id: 4,
            parent: Some(2),
            edit: Edit::Replace {
                from: 1,
                to: 1,
                text: vec!["by regular association".into()],
            },
        };
        let later = Amendment {
            id: 5,
            parent: None,
            edit: Edit::Delete { from: 6, to: 6 },
        };
        let order = voting_order(&[later.clone(), martov, lenin, wide, sub]);
        // wide (reach 5) first; Lenin and Martov equal (2): the first submitted first, and the
        // amendment to Martov's just before Martov's; the deletion at line 6 after that group.
        assert_eq!(order, vec![3, 1, 4, 2, 5]);
    }

    #[test]
    fn consolidation_applies_adopted_amendments_and_their_amendments() {
        let m = lines("Article 1\nA member supports the party\nby material means.\nArticle 2\n");
        assert_eq!(m.len(), 4);
        let martov = rep(2, 2, 2, &["A member associates regularly"]);
        let sub = Amendment {
            id: 4,
            parent: Some(2),
            edit: Edit::Replace {
                from: 1,
                to: 1,
                text: vec!["A member associates".into()],
            },
        };
        let del = Amendment {
            id: 5,
            parent: None,
            edit: Edit::Delete { from: 4, to: 4 },
        };
        let all = [martov, sub, del];
        let adopted: BTreeSet<i64> = [2, 4, 5].into();
        assert_eq!(
            consolidate(&m, &all, &adopted).unwrap(),
            vec!["Article 1", "A member associates", "by material means."]
        );
        let adopted: BTreeSet<i64> = [2].into();
        assert_eq!(
            consolidate(&m, &all, &adopted).unwrap()[1],
            "A member associates regularly"
        );
        let lenin = rep(1, 2, 2, &["x"]);
        let both: BTreeSet<i64> = [1, 2].into();
        assert_eq!(
            consolidate(&m, &[lenin, all[0].clone()], &both),
            Err(TextError::Conflict(1, 2))
        );
    }

    fn arb_edits(n: usize) -> impl Strategy<Value = Vec<Edit>> {
        // Cut the text into cells; each cell gets at most one edit, so none overlap.
        proptest::collection::vec((0u8..4, 1usize..3, 0usize..3), 0..8).prop_map(move |cells| {
            let mut out = Vec::new();
            let mut at = 1usize;
            for (kind, width, add) in cells {
                if at > n {
                    break;
                }
                let to = (at + width - 1).min(n);
                let new: Vec<String> = (0..add.max(1)).map(|k| format!("new {at}.{k}")).collect();
                match kind {
                    0 => out.push(Edit::Replace {
                        from: at,
                        to,
                        text: new,
                    }),
                    1 => out.push(Edit::Delete { from: at, to }),
                    2 => out.push(Edit::InsertAfter {
                        line: to,
                        text: new,
                    }),
                    _ => {}
                }
                at = to + 1;
            }
            out
        })
    }

    proptest! {
        #[test]
        fn consolidation_never_loses_a_line_outside_the_amended_ranges(
            (n, edits) in (1usize..20).prop_flat_map(|n| (Just(n), arb_edits(n)))
        ) {
            let m = text(n);
            let refs: Vec<(i64, &Edit)> = edits.iter().enumerate().map(|(i, e)| (i as i64, e)).collect();
            let out = apply(&m, &refs).unwrap();
            let removed: BTreeSet<usize> = edits.iter().flat_map(|e| e.removed()).collect();
            let kept: Vec<&String> = m.iter().enumerate().filter(|(i, _)| !removed.contains(&(i + 1))).map(|(_, l)| l).collect();
            let survivors: Vec<&String> = out.iter().filter(|l| l.starts_with("line ")).collect();
            prop_assert_eq!(kept, survivors, "untouched lines survive, in order");
            let added: usize = edits.iter().filter_map(|e| e.text()).map(|t| t.len()).sum();
            prop_assert_eq!(out.len(), n - removed.len() + added);
            // Every edit of the set conflicts with none of the others, and the order lists each once.
            let ams: Vec<Amendment> = edits.iter().enumerate().map(|(i, e)| Amendment { id: i as i64, parent: None, edit: e.clone() }).collect();
            prop_assert!(conflicts(&ams).is_empty());
            let mut order = voting_order(&ams);
            order.sort();
            prop_assert_eq!(order, (0..ams.len() as i64).collect::<Vec<_>>());
        }

        #[test]
        fn conflict_is_symmetric_and_competition_implies_it(
            a in (1usize..8, 0usize..3, any::<bool>()), b in (1usize..8, 0usize..3, any::<bool>())
        ) {
            let mk = |id: i64, (f, w, ins): (usize, usize, bool)| Amendment {
                id, parent: None,
                edit: if ins { Edit::InsertAfter { line: f, text: vec!["t".into()] } }
                      else { Edit::Replace { from: f, to: f + w, text: vec!["t".into()] } },
            };
            let (x, y) = (mk(1, a), mk(2, b));
            prop_assert_eq!(x.conflicts_with(&y), y.conflicts_with(&x));
            if x.competes_with(&y) { prop_assert!(x.conflicts_with(&y)); }
        }
    }
}
