//! Count reports: one structure for every method, readable as text stage by stage
//! and serialised as JSON.
//!
//! Values are exact decimal strings (e.g. `"1381.00000"`), never floats, so the
//! JSON says exactly what the count decided.

use crate::lot::LotDraw;
use serde::Serialize;
use std::fmt::Write;

/// A candidate's state at the end of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Hopeful,
    Elected,
    Excluded,
    Withdrawn,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Hopeful => "",
            Status::Elected => "elected",
            Status::Excluded => "excluded",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// Votes moved in a stage: `papers` ballot papers from `from` to `to`, each at `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub from: String,
    /// The receiving candidate, or `None` for non-transferable papers.
    pub to: Option<String>,
    pub papers: u64,
    /// The value of each paper as transferred.
    pub value: String,
    /// `papers × value`: what `to` is credited with.
    pub votes: String,
}

/// One stage of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub number: usize,
    /// `first`, `surplus`, `exclusion`, `iteration`, `round`, `tally`, ...
    pub kind: String,
    /// The candidate whose papers moved, if any.
    pub candidate: Option<String>,
    /// A sentence saying what happened and under which rule.
    pub description: String,
    /// Each candidate's votes at the end of the stage, in candidate order.
    pub votes: Vec<String>,
    pub status: Vec<Status>,
    /// Cumulative non-transferable (exhausted) votes at the end of the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_transferable: Option<String>,
    /// Meek: each candidate's keep value at the end of the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_values: Option<Vec<String>>,
    /// Quota at this stage, when it moves (Meek).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    pub transfers: Vec<Transfer>,
    /// Candidates elected at this stage, in order.
    pub elected: Vec<String>,
    /// Candidates excluded at this stage.
    pub excluded: Vec<String>,
}

/// The full report of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub method: String,
    /// The rule followed, in words, with its source.
    pub rule: String,
    pub title: String,
    pub candidates: Vec<String>,
    pub seats: usize,
    /// Valid ballot papers counted.
    pub ballots: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    /// Winners in order of election.
    pub elected: Vec<String>,
    pub stages: Vec<Stage>,
    /// The seed of every lot drawn in this count; with the input it reproduces the count.
    pub seed: u64,
    pub lots: Vec<LotDraw>,
    /// Full order of finish, best first, each entry a group of equals (Schulze, plurality...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<Vec<String>>>,
    /// Pairwise counts `d[i][j]`: voters preferring i to j (Schulze).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairwise: Option<Vec<Vec<u64>>>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(
        method: &str,
        rule: &str,
        title: &str,
        candidates: Vec<String>,
        seats: usize,
    ) -> Self {
        Report {
            method: method.to_string(),
            rule: rule.to_string(),
            title: title.to_string(),
            candidates,
            seats,
            ballots: 0,
            quota: None,
            elected: Vec::new(),
            stages: Vec::new(),
            seed: 0,
            lots: Vec::new(),
            ranking: None,
            pairwise: None,
            notes: Vec::new(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// The report as a person reads it: header, then every stage, then the result.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Count: {}", self.title);
        let _ = writeln!(s, "Method: {} — {}", self.method, self.rule);
        let _ = writeln!(s, "Seats: {}", self.seats);
        let _ = writeln!(s, "Valid ballots: {}", self.ballots);
        if let Some(q) = &self.quota {
            let _ = writeln!(s, "Quota: {q}");
        }
        let _ = writeln!(s, "Seed for lots: {}", self.seed);
        let width = self
            .candidates
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
            .max(16);
        for st in &self.stages {
            let _ = writeln!(s);
            let _ = writeln!(s, "Stage {}: {}", st.number, st.description);
            if let Some(q) = &st.quota {
                let _ = writeln!(s, "  quota {q}");
            }
            for t in &st.transfers {
                let to = t.to.as_deref().unwrap_or("non-transferable");
                let _ = writeln!(
                    s,
                    "  {} papers at {} from {} to {}: {}",
                    t.papers, t.value, t.from, to, t.votes
                );
            }
            for (i, name) in self.candidates.iter().enumerate() {
                let kv = st
                    .keep_values
                    .as_ref()
                    .map(|k| format!("  keep {}", k[i]))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {:<width$} {:>16}  {}{}",
                    name,
                    st.votes[i],
                    st.status[i].word(),
                    kv,
                    width = width
                );
            }
            if let Some(nt) = &st.non_transferable {
                let _ = writeln!(
                    s,
                    "  {:<width$} {:>16}",
                    "non-transferable",
                    nt,
                    width = width
                );
            }
            if !st.elected.is_empty() {
                let _ = writeln!(s, "  elected: {}", st.elected.join(", "));
            }
            if !st.excluded.is_empty() {
                let _ = writeln!(s, "  excluded: {}", st.excluded.join(", "));
            }
        }
        if let Some(r) = &self.ranking {
            let _ = writeln!(s);
            let _ = writeln!(s, "Ranking:");
            for (i, g) in r.iter().enumerate() {
                let _ = writeln!(s, "  {}. {}", i + 1, g.join(" = "));
            }
        }
        for d in &self.lots {
            let _ = writeln!(
                s,
                "Lot ({}): among {} -> {}",
                d.purpose,
                d.among.join(", "),
                d.chosen
            );
        }
        for n in &self.notes {
            let _ = writeln!(s, "Note: {n}");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "Elected: {}", self.elected.join(", "));
        s
    }
}
