//! Count reports: one structure for every method, stage by stage, serialised as JSON.
//!
//! Values are exact decimal strings (e.g. `"1381.00000"`), never floats, so the
//! JSON says exactly what the count decided. What happened at each stage, and what the
//! report notes, is data ([`Note`]); the words a person reads are made at the edge
//! (`web::words::count`), for the pages and `iskra count` alike.

use crate::lot::LotDraw;
use serde::Serialize;

/// A candidate's state at the end of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Hopeful,
    Elected,
    Excluded,
    Withdrawn,
}

/// What happened at a stage, or what a report notes, with the names and numbers that say so.
/// Rule numbers are those of the text the count implements (Scottish STV: the Order's schedule 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// First preferences counted (under `rule`, where the text numbers it).
    FirstPreferences { rule: Option<u32> },
    /// Approvals counted.
    Approvals,
    /// Yes, no and abstain counted for each candidate.
    YesNoAbstain,
    /// `candidate` reaches the quota and is elected.
    ReachesQuota { candidate: String, rule: u32 },
    /// `candidate` fills one of the last vacancies without reaching the quota.
    FillsLastVacancy { candidate: String, rule: u32 },
    /// `candidate`'s surplus is transferred.
    Surplus {
        candidate: String,
        surplus: String,
        rule: u32,
    },
    /// `candidate` is excluded holding `votes`.
    Excluded {
        candidate: String,
        votes: String,
        rule: u32,
    },
    /// Meek: `candidates` reached the quota after `iterations`.
    ReachedQuota {
        candidates: Vec<String>,
        iterations: usize,
    },
    /// Meek: the hopeful candidates fill the remaining seats.
    HopefulFillRemaining,
    /// Meek: the count converged after `iterations`; `candidate`, with fewest votes, is excluded.
    ConvergedExcluding {
        candidate: String,
        iterations: usize,
    },
    /// Runoff, round 1: `candidate` has `votes` of `valid`, more than half.
    RoundOneMajority {
        candidate: String,
        votes: u64,
        valid: u64,
    },
    /// Runoff, round 1: no majority of `valid`; `finalists` go to round 2.
    RoundOneNoMajority { valid: u64, finalists: Vec<String> },
    /// Runoff, round 2: `winner` wins; `no_preference` ballots rank neither finalist.
    RoundTwo { winner: String, no_preference: u64 },
    /// Schulze: the pairwise defeats, by winner in candidate order.
    PairwiseDefeats { defeats: Vec<Defeat> },
    /// Fewer candidates were elected than there are seats.
    Unfilled { elected: usize, seats: usize },
    /// Meek: iterations in all (the quota shown is the final one).
    Iterations { total: usize },
    /// Schulze: the ranking places the `groups` groups not dropped first, the dropped after.
    DroppedRankLast { groups: usize },
    /// Schulze: the default option and the requirements measured against it.
    DefaultOption {
        option: String,
        quorum: u64,
        majority: (u64, u64),
    },
    /// Schulze: `option` is dropped, for `reason`.
    Dropped { option: String, reason: Dropped },
    /// Schulze: a tie among `tied`, for the casting vote (Debian Constitution A.6(9)).
    CastingVote { tied: Vec<String> },
}

/// One pairwise defeat: `winner` is preferred to `loser` by `for_winner` voters, the other way
/// by `for_loser`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Defeat {
    pub winner: String,
    pub loser: String,
    pub for_winner: u64,
    pub for_loser: u64,
}

/// Why Schulze drops an option (Debian Constitution A.6(2)-(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "requirement", rename_all = "snake_case")]
pub enum Dropped {
    /// Ranked above the default option by `voters`, fewer than the `quorum`.
    Quorum { voters: u64, quorum: u64 },
    /// The majority `num:den` over the default option not reached (`for` to `against`).
    Majority {
        num: u64,
        den: u64,
        #[serde(rename = "for")]
        for_option: u64,
        against: u64,
    },
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
    /// What happened, and under which rule, in order.
    pub notes: Vec<Note>,
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
    /// The method's name (`scottish-stv`, `meek-stv`, ...): the rule followed, with its source.
    pub method: String,
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
    pub notes: Vec<Note>,
}

impl Report {
    pub fn new(method: &str, title: &str, candidates: Vec<String>, seats: usize) -> Self {
        Report {
            method: method.to_string(),
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
}
