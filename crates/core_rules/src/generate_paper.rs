//! The paper, the correspondence and the congress of a generated organisation (issue 8).
//!
//! Like [`crate::generate`], everything is a pure function of the seed and a position: the
//! publications and their standing orders are small vectors; editions, agents' returns and
//! reports are produced on demand, so the store can stream them in chunks of any size and the
//! same seed always gives the same rows.
//!
//! At a million people there are 90 publications, with the frequencies of the mass party's press:
//!
//! | publication | unit | comes out | ordered by |
//! |---|---|---|---|
//! | the central organ (`iskra`) | `cc` | daily, Monday to Saturday (~312 editions a year) | every local committee, circle, section and affiliate |
//! | a regional paper per region (`rNN-paper`, 40) | the regional committee | weekly (52) | the region's locals and most of its circles |
//! | the women's and the youth paper | the section | fortnightly (26) | the section and most local committees |
//! | the union's paper | `union` | monthly (12) | the union and a third of the locals |
//! | local papers (`rNN-lMM-paper`, the rest up to 90) | a local committee | fortnightly (26) | the local and its circles |
//!
//! Standing orders do not change over the generated year, so every edition of a publication
//! has the same bundles. Returns come in over three weeks after an edition is out: an edition
//! older than that has a return from 97% of its units, a newer one from fewer.

use crate::congress::ApportionRule;
use crate::dates::Day;
use crate::generate::{mix, splitmix, Scale};
use crate::paper::circulation::AgentReturn;
use crate::paper::ReportCategory;
use crate::people::Status;

/// Publications of a million-person organisation: the 1912 party's 90 papers.
pub const PUBLICATIONS_AT_SCALE: usize = 90;

/// The congress: 500 delegates, apportioned over the units by their members with a vote.
pub const CONGRESS_DELEGATES: u64 = 500;

mod salt {
    pub const ORDER: u64 = 101;
    pub const RETURN: u64 = 102;
    pub const IN: u64 = 103;
    pub const REPORT: u64 = 104;
    pub const REPORT_WHEN: u64 = 105;
    pub const REPORT_STATUS: u64 = 106;
    pub const REPORT_ID: u64 = 107;
    pub const HEADLINE: u64 = 108;
    pub const REPORT_DECIDED: u64 = 109;
}

/// How often a publication comes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    /// Monday to Saturday.
    Daily,
    /// Once a week, on the given weekday (0 = Monday).
    Weekly(u8),
    /// Every other week, on the given weekday.
    Fortnightly(u8),
    /// Once a month, on the given day of the month (1 to 28).
    Monthly(u8),
}

/// A Monday, from which weekdays are counted.
fn weekday(d: Day) -> i64 {
    let monday = Day::from_ymd(2024, 1, 1).expect("a valid day");
    d.days_since(monday).rem_euclid(7)
}

impl Frequency {
    /// Whether an edition comes out on `day`.
    pub fn on(self, day: Day) -> bool {
        let wd = weekday(day);
        match self {
            Frequency::Daily => wd != 6,
            Frequency::Weekly(w) => wd == i64::from(w),
            Frequency::Fortnightly(w) => {
                let monday = Day::from_ymd(2024, 1, 1).expect("a valid day");
                wd == i64::from(w) && day.days_since(monday).div_euclid(7) % 2 == 0
            }
            Frequency::Monthly(d) => day.day_of_month() == d,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly(_) => "weekly",
            Frequency::Fortnightly(_) => "fortnightly",
            Frequency::Monthly(_) => "monthly",
        }
    }
}

/// One generated publication and its standing orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePublication {
    pub code: String,
    pub name: String,
    /// Index into [`Scale::units`]: the unit whose editors run it.
    pub unit: usize,
    pub frequency: Frequency,
    pub price_cents: i64,
    pub reserve_percent: i64,
    /// Standing orders: (unit index, copies per edition), in unit order.
    pub orders: Vec<(usize, u64)>,
}

/// One edition of a publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleEdition {
    pub number: i64,
    pub issued_on: Day,
    pub headline: String,
    /// Everything out before today is published; today's edition is still being prepared.
    pub published: bool,
}

const HEADLINES: &[&str] = &[
    "The strike spreads to the docks",
    "Rents up a third: the tenants organise",
    "Eight hours, or we stop",
    "The police raid on the print shop",
    "Schools closed, children in the mills",
    "The congress is called",
    "What the budget hides",
    "Our correspondents report from every district",
    "Women workers lead the walk-out",
    "Victory at the bus depot",
    "The courts side with the landlords again",
    "A new circle every day",
];

fn headline(seed: u64, publication: usize, number: i64) -> String {
    let bits = mix(
        seed,
        ((publication as u64) << 20) | number as u64,
        salt::HEADLINE,
    );
    HEADLINES[(bits % HEADLINES.len() as u64) as usize].to_string()
}

/// Copies a unit orders, drawn per (publication, unit) within `lo..=hi`.
fn copies(seed: u64, publication: usize, unit: usize, lo: u64, hi: u64) -> u64 {
    let bits = mix(
        seed,
        ((publication as u64) << 32) | unit as u64,
        salt::ORDER,
    );
    lo + bits % (hi - lo + 1)
}

/// Whether a unit orders at all, with `percent` chance, drawn per (publication, unit).
fn orders_at_all(seed: u64, publication: usize, unit: usize, percent: u64) -> bool {
    let bits = mix(
        seed,
        ((publication as u64) << 32) | unit as u64,
        salt::ORDER + 1000,
    );
    bits % 100 < percent
}

/// The publications of a generated organisation, with their standing orders: 90 at a million
/// people (fewer when there are fewer regions and locals to run them).
pub fn publications(scale: &Scale) -> Vec<ScalePublication> {
    let seed = scale.seed();
    let units = scale.units();
    let index_of = |code: &str| units.iter().position(|u| u.code == code);
    let is = |i: usize, k: &str| units[i].kind == k;
    let mut out: Vec<ScalePublication> = Vec::new();
    let add = |out: &mut Vec<ScalePublication>,
               code: String,
               name: String,
               unit: usize,
               frequency: Frequency,
               price_cents: i64,
               pick: &dyn Fn(usize, usize) -> Option<u64>| {
        let p = out.len();
        let orders = (0..units.len())
            .filter_map(|u| pick(p, u).map(|c| (u, c)))
            .collect();
        out.push(ScalePublication {
            code,
            name,
            unit,
            frequency,
            price_cents,
            reserve_percent: 5,
            orders,
        });
    };

    let cc = index_of("cc").expect("the generated organisation has a central committee");
    add(
        &mut out,
        "iskra".into(),
        "Iskra, central organ".into(),
        cc,
        Frequency::Daily,
        10,
        &|p, u| match units[u].kind.as_str() {
            "circle" => Some(copies(seed, p, u, 4, 30)),
            "local" => Some(copies(seed, p, u, 20, 120)),
            "section" => Some(copies(seed, p, u, 100, 400)),
            "affiliate" => Some(copies(seed, p, u, 200, 800)),
            _ => None,
        },
    );
    let regions: Vec<usize> = (0..units.len()).filter(|&i| is(i, "regional")).collect();
    for (k, &r) in regions.iter().enumerate() {
        let prefix = format!("{}-", units[r].code);
        add(
            &mut out,
            format!("{}-paper", units[r].code),
            format!("{} Worker", units[r].area),
            r,
            Frequency::Weekly((k % 6) as u8),
            10,
            &|p, u| {
                if !units[u].code.starts_with(&prefix) {
                    return None;
                }
                match units[u].kind.as_str() {
                    "local" => Some(copies(seed, p, u, 20, 80)),
                    // A closed circle takes a paper only from a body that may know of it: under
                    // the default statutes, the central committee's.
                    "circle" if !units[u].closed && orders_at_all(seed, p, u, 80) => {
                        Some(copies(seed, p, u, 3, 20))
                    }
                    _ => None,
                }
            },
        );
    }
    for (code, name, day) in [
        ("women", "The Woman Worker", 2u8),
        ("youth", "Young Guard", 4u8),
    ] {
        if let Some(s) = index_of(code) {
            add(
                &mut out,
                format!("{code}-paper"),
                name.into(),
                s,
                Frequency::Fortnightly(day),
                5,
                &|p, u| {
                    if u == s {
                        Some(copies(seed, p, u, 200, 600))
                    } else if is(u, "local") && orders_at_all(seed, p, u, 60) {
                        Some(copies(seed, p, u, 5, 30))
                    } else {
                        None
                    }
                },
            );
        }
    }
    if let Some(union) = index_of("union") {
        add(
            &mut out,
            "union-paper".into(),
            "The Union Voice".into(),
            union,
            Frequency::Monthly(15),
            5,
            &|p, u| {
                if u == union {
                    Some(copies(seed, p, u, 500, 2_000))
                } else if is(u, "local") && orders_at_all(seed, p, u, 33) {
                    Some(copies(seed, p, u, 5, 25))
                } else {
                    None
                }
            },
        );
    }
    // Local papers, spread evenly over the locals, up to 90 publications in all.
    let locals: Vec<usize> = (0..units.len()).filter(|&i| is(i, "local")).collect();
    let wanted = PUBLICATIONS_AT_SCALE
        .saturating_sub(out.len())
        .min(locals.len());
    for k in 0..wanted {
        let l = locals[k * locals.len() / wanted];
        let prefix = format!("{}-", units[l].code);
        add(
            &mut out,
            format!("{}-paper", units[l].code),
            format!("The {} Spark", units[l].area),
            l,
            Frequency::Fortnightly((k % 6) as u8),
            5,
            &|p, u| {
                if u == l {
                    Some(copies(seed, p, u, 30, 100))
                } else if units[u].code.starts_with(&prefix) && !units[u].closed {
                    Some(copies(seed, p, u, 5, 25))
                } else {
                    None
                }
            },
        );
    }
    out
}

/// The editions of publication number `p` (its index in [`publications`]) over the year up to
/// and including today, oldest first, numbered from 1.
pub fn editions(scale: &Scale, p: usize, publication: &ScalePublication) -> Vec<ScaleEdition> {
    let today = scale.today();
    let mut out = Vec::new();
    for back in (0..365).rev() {
        let day = today.add_days(-back);
        if publication.frequency.on(day) {
            let number = out.len() as i64 + 1;
            out.push(ScaleEdition {
                number,
                issued_on: day,
                headline: headline(scale.seed(), p, number),
                published: day < today,
            });
        }
    }
    out
}

/// The agent's return for one bundle, if it is in yet: `unit` is the unit's index, `copies`
/// its bundle, `price_cents` the edition's price. Most agents sell most copies and remit all the
/// money; some lose a copy or two in transit, leave a copy unaccounted for, or remit only part
/// of what they owe (the arrears the reconciliation shows).
pub fn agent_return(
    scale: &Scale,
    p: usize,
    edition: &ScaleEdition,
    unit: usize,
    unit_id: i64,
    copies: u64,
    price_cents: i64,
) -> Option<AgentReturn> {
    let age = scale.today().days_since(edition.issued_on);
    let which = ((p as u64) << 40) ^ ((edition.number as u64) << 20) ^ unit as u64;
    let bits = mix(scale.seed(), which, salt::IN);
    // 97% of the units report within three weeks, the others not at all.
    let in_by = (bits % 1000) as i64;
    if in_by >= 970 || in_by * 21 / 970 >= age {
        return None;
    }
    let mut b = mix(scale.seed(), which, salt::RETURN);
    let mut next = |n: u64| {
        b = splitmix(b);
        b % n
    };
    let mut received = copies;
    if next(100) == 0 {
        received = received.saturating_sub(1 + next(2));
    }
    let sold = received * (50 + next(46)) / 100;
    let free = (received - sold).min(next(3));
    let mut returned = received - sold - free;
    if next(50) == 0 && returned > 0 {
        returned -= 1;
    }
    let due = sold as i64 * price_cents;
    let remitted_cents = match next(100) {
        0 => 0,
        1..=4 => due * next(4) as i64 / 4,
        _ => due,
    };
    let r = AgentReturn {
        unit: unit_id,
        received,
        sold,
        free,
        returned,
        remitted_cents,
    };
    debug_assert!(r.check(copies).is_ok());
    Some(r)
}

/// One generated report from below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleReport {
    /// 1-based position among the generated reports.
    pub index: u64,
    /// A random-looking id, different for every index.
    pub id: i64,
    pub category: ReportCategory,
    /// Index into [`Scale::units`].
    pub unit: usize,
    pub happened_on: Day,
    pub received_on: Day,
    pub body: String,
    /// The sender's person id (their position in the CSV), as sent; `None` when anonymous. A
    /// decided report's sender may be cleared since: see [`ScaleReport::kept_sender`].
    pub sender: Option<u64>,
    pub status: &'static str,
    /// The id of the report this one was merged into.
    pub merged_into: Option<i64>,
    /// The day it was decided (within two weeks of arriving, never after today); `None` while
    /// it is new.
    pub decided_on: Option<Day>,
    /// Random bits that choose among the editors it may be assigned to ([`DeskEditors`]).
    pub editor_pick: u64,
}

impl ScaleReport {
    /// Whether the single picture counts it (neither rejected nor merged into another).
    pub fn counted(&self) -> bool {
        !matches!(self.status, "rejected" | "merged")
    }

    /// The sender the desk still holds on `today` under statutes that keep a sender
    /// `keep_days` after the decision: `None` when anonymous or cleared.
    pub fn kept_sender(&self, today: Day, keep_days: u32) -> Option<u64> {
        self.sender
            .filter(|_| crate::paper::reports::sender_kept(self.decided_on, today, keep_days))
    }
}

/// The editors a generated desk assigns its decided reports to, as a real desk shares its work:
/// a report goes to an editor of the nearest unit at or above the report's own that has one (a
/// local paper's editors take the reports from their local committee and its circles, a regional
/// paper's those from the rest of the region, the central organ's what is left), among several
/// there to one by the report's bits. A report from a closed branch goes to the editors of the
/// top unit (the bodies the default statutes let see closed units); a report with no editor
/// above it, to any editor. New reports are nobody's yet.
pub struct DeskEditors {
    parent: Vec<Option<usize>>,
    closed_branch: Vec<bool>,
    at: std::collections::HashMap<usize, Vec<i64>>,
    all: Vec<i64>,
}

impl DeskEditors {
    /// `editors`: (unit index into [`Scale::units`], account id) of each editor's office.
    pub fn new(scale: &Scale, editors: impl IntoIterator<Item = (usize, i64)>) -> DeskEditors {
        let units = scale.units();
        let index: std::collections::HashMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str(), i))
            .collect();
        let parent: Vec<Option<usize>> = units
            .iter()
            .map(|u| u.parent.as_deref().and_then(|p| index.get(p).copied()))
            .collect();
        // Parents come first, so a unit's branch is known when it is reached.
        let mut closed_branch = vec![false; units.len()];
        for (i, u) in units.iter().enumerate() {
            closed_branch[i] = u.closed || parent[i].is_some_and(|p| closed_branch[p]);
        }
        let mut at: std::collections::HashMap<usize, Vec<i64>> = Default::default();
        let mut all = Vec::new();
        for (unit, account) in editors {
            at.entry(unit).or_default().push(account);
            all.push(account);
        }
        for v in at.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        all.sort_unstable();
        all.dedup();
        DeskEditors {
            parent,
            closed_branch,
            at,
            all,
        }
    }

    /// The account the report is assigned to; `None` while it is new, or with no editors.
    pub fn editor_of(&self, r: &ScaleReport) -> Option<i64> {
        r.decided_on?;
        let choose =
            |v: &[i64]| (!v.is_empty()).then(|| v[(r.editor_pick % v.len() as u64) as usize]);
        let mut at = Some(r.unit);
        if self.closed_branch[r.unit] {
            while let Some(p) = at.and_then(|u| self.parent[u]) {
                at = Some(p);
            }
        }
        while let Some(u) = at {
            if let Some(e) = self.at.get(&u).and_then(|v| choose(v)) {
                return Some(e);
            }
            at = self.parent[u];
        }
        choose(&self.all)
    }
}

/// A bijection of 63-bit numbers keyed by the seed: distinct report ids, in no order of arrival.
pub fn report_id(seed: u64, index: u64) -> i64 {
    const M: u64 = (1 << 63) - 1;
    let mut x = index.wrapping_add(splitmix(seed ^ salt::REPORT_ID)) & M;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & M;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & M;
    x ^= x >> 29;
    x as i64
}

/// Categories and their weights (out of 100): the workplace first, but every form of
/// oppression.
const CATEGORY_WEIGHTS: [(ReportCategory, u64); 12] = [
    (ReportCategory::Strike, 10),
    (ReportCategory::WageTheft, 14),
    (ReportCategory::Workplace, 16),
    (ReportCategory::Police, 9),
    (ReportCategory::Eviction, 8),
    (ReportCategory::Housing, 10),
    (ReportCategory::School, 7),
    (ReportCategory::Health, 8),
    (ReportCategory::Racism, 6),
    (ReportCategory::Religion, 3),
    (ReportCategory::Officials, 5),
    (ReportCategory::Other, 4),
];

fn what_happened(c: ReportCategory) -> &'static str {
    match c {
        ReportCategory::Strike => "A walk-out over the new shift pattern",
        ReportCategory::WageTheft => "Three weeks of overtime left unpaid",
        ReportCategory::Workplace => "The ventilation has been broken since spring",
        ReportCategory::Police => "Police stopped and searched people leaving the meeting",
        ReportCategory::Eviction => "A family of five evicted with a day's notice",
        ReportCategory::Housing => "Damp and mould in every flat on the estate",
        ReportCategory::School => "The school is to close at the end of term",
        ReportCategory::Health => "The clinic has cut its opening hours again",
        ReportCategory::Racism => "Workers abused at the gate for their accent",
        ReportCategory::Religion => "A prayer hall refused permission to open",
        ReportCategory::Officials => "The council officer would not take the complaint",
        ReportCategory::Other => "Something the paper should know about",
    }
}

const DETAILS: &[&str] = &[
    "Forty people came to the meeting afterwards.",
    "The management refused to meet the workers' committee.",
    "Neighbours collected money the same evening.",
    "It is the third time this year.",
    "Nobody has been told why.",
    "The local paper did not print a word.",
    "The circle will raise it at its next meeting.",
    "Photographs were taken and can be shown to the editors.",
];

/// The raw status of report `index`, before merges are checked: recent reports are mostly
/// still new; older ones mostly accepted, some rejected, some merged.
fn raw_status(seed: u64, index: u64, age: i64) -> &'static str {
    let bits = mix(seed, index, salt::REPORT_STATUS) % 100;
    if age < 14 {
        return if bits < 70 { "new" } else { "accepted" };
    }
    match bits {
        0..=7 => "new",
        8..=19 => "rejected",
        20..=27 => "merged",
        _ => "accepted",
    }
}

/// How many days before today report `index` happened: over the year, more in recent months
/// (the network of correspondents grows).
fn report_age(seed: u64, index: u64) -> i64 {
    let bits = mix(seed, index, salt::REPORT_WHEN);
    let (a, b) = (bits % 365, (bits >> 20) % 365);
    // The smaller of two uniform draws most of the time: a density falling with age.
    if (bits >> 40).is_multiple_of(3) {
        a as i64
    } else {
        a.min(b) as i64
    }
}

/// Report `index` (1-based) of a generated organisation.
pub fn report(scale: &Scale, index: u64) -> ScaleReport {
    let seed = scale.seed();
    let today = scale.today();
    let bits = mix(seed, index, salt::REPORT);
    let person = 1 + bits % scale.people();
    let unit = scale.unit_of(person);
    let mut w = (bits >> 32) % 100;
    let mut category = ReportCategory::Other;
    for (c, weight) in CATEGORY_WEIGHTS {
        if w < weight {
            category = c;
            break;
        }
        w -= weight;
    }
    // About a third anonymous; the public's reports too (a lapsed or former member is sent in
    // as the public would be: anonymously).
    let sender = match scale.status_of(person) {
        Status::Member | Status::Supporter | Status::Applicant if (bits >> 24) % 100 >= 30 => {
            Some(person)
        }
        _ => None,
    };
    let age = report_age(seed, index);
    let happened_on = today.add_days(-age);
    let received_on = today.min(happened_on.add_days(((bits >> 16) % 4) as i64));
    let mut status = raw_status(seed, index, age);
    let mut merged_into = None;
    if status == "merged" {
        // Into an earlier report of the last thousand, one still counted (neither merged nor
        // rejected).
        let target = index.saturating_sub(1 + (bits >> 8) % 1000u64.min(index.max(2) - 1));
        if target >= 1
            && matches!(
                raw_status(seed, target, report_age(seed, target)),
                "new" | "accepted"
            )
        {
            merged_into = Some(report_id(seed, target));
        } else {
            status = "accepted";
        }
    }
    // Decided within two weeks of arriving (the desk's lag), never after today.
    let decided_bits = mix(seed, index, salt::REPORT_DECIDED);
    let decided_on =
        (status != "new").then(|| today.min(received_on.add_days((decided_bits % 14) as i64)));
    let body = format!(
        "{} in {}. {}",
        what_happened(category),
        scale.units()[unit].area,
        DETAILS[((bits >> 48) % DETAILS.len() as u64) as usize]
    );
    ScaleReport {
        index,
        id: report_id(seed, index),
        category,
        unit,
        happened_on,
        received_on,
        body,
        sender,
        status,
        merged_into,
        decided_on,
        editor_pick: decided_bits >> 8,
    }
}

/// Reports `start..end` (1-based, end excluded).
pub fn reports(scale: &Scale, start: u64, end: u64) -> Vec<ScaleReport> {
    (start..end).map(|i| report(scale, i)).collect()
}

/// The generated organisation's statutes apportion [`CONGRESS_DELEGATES`] mandates by largest
/// remainder over the units' members with a vote: at a million people about 500 units send one
/// delegate each; in a small organisation each delegate holds several mandates.
pub fn congress_rule() -> ApportionRule {
    ApportionRule::Fixed {
        total: CONGRESS_DELEGATES,
        method: count::apportion::Method::HareLargestRemainder,
        min: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::scale_units;
    use std::collections::HashSet;

    fn today() -> Day {
        Day::parse("2026-11-27").unwrap()
    }

    #[test]
    fn a_million_people_have_90_publications_with_a_year_of_editions() {
        let n = 1_000_000;
        let scale = Scale::new(1, n, &scale_units(1, n), today());
        let pubs = publications(&scale);
        assert_eq!(pubs.len(), PUBLICATIONS_AT_SCALE);
        let codes: HashSet<&str> = pubs.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), pubs.len());
        assert!(pubs.iter().all(|p| crate::units::valid_code(&p.code)));
        let central = &pubs[0];
        assert!((9_000..=10_500).contains(&central.orders.len()));
        let eds = editions(&scale, 0, central);
        assert!((310..=314).contains(&eds.len()), "{}", eds.len());
        assert_eq!(editions(&scale, 1, &pubs[1]).len(), 52);
        assert!(eds.windows(2).all(|w| w[0].issued_on < w[1].issued_on));
        assert_eq!(pubs, publications(&scale));
    }

    #[test]
    fn a_closed_circle_takes_only_the_central_committees_paper() {
        let n = 20_000;
        let units = scale_units(2, n);
        let scale = Scale::new(2, n, &units, today());
        let closed: HashSet<usize> = (0..units.len()).filter(|&u| units[u].closed).collect();
        assert!(!closed.is_empty());
        let pubs = publications(&scale);
        // Under the default statutes only the central committee may know of a closed circle:
        // no other body takes its order, and the central paper does.
        for publ in &pubs[1..] {
            assert!(
                publ.orders.iter().all(|(u, _)| !closed.contains(u)),
                "{}",
                publ.code
            );
        }
        assert!(pubs[0].orders.iter().any(|(u, _)| closed.contains(u)));
    }

    #[test]
    fn returns_check_against_their_bundles() {
        let n = 20_000;
        let scale = Scale::new(2, n, &scale_units(2, n), today());
        let pubs = publications(&scale);
        let (mut some, mut none) = (0, 0);
        for (p, publ) in pubs.iter().enumerate() {
            for e in editions(&scale, p, publ) {
                for &(u, c) in &publ.orders {
                    match agent_return(&scale, p, &e, u, u as i64, c, publ.price_cents) {
                        Some(r) => {
                            r.check(c).unwrap();
                            some += 1;
                        }
                        None => none += 1,
                    }
                }
            }
        }
        assert!(some > none * 10, "{some} in, {none} not");
    }

    #[test]
    fn reports_have_distinct_ids_and_merge_into_counted_earlier_ones() {
        let n = 10_000;
        let scale = Scale::new(3, n, &scale_units(3, n), today());
        let rs = reports(&scale, 1, 20_001);
        let ids: HashSet<i64> = rs.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), rs.len());
        assert!(rs.iter().all(|r| r.id >= 0));
        let by_id: std::collections::HashMap<i64, &ScaleReport> =
            rs.iter().map(|r| (r.id, r)).collect();
        let mut merged = 0;
        for r in &rs {
            assert!(r.happened_on <= r.received_on && r.received_on <= today());
            assert!(today().days_since(r.happened_on) < 365);
            if let Some(m) = r.merged_into {
                let target = by_id[&m];
                assert!(target.index < r.index && target.counted());
                merged += 1;
            }
            assert_eq!(r.status == "merged", r.merged_into.is_some());
        }
        assert!(merged > 500, "{merged}");
        let anonymous = rs.iter().filter(|r| r.sender.is_none()).count();
        assert!((5_000..=9_000).contains(&anonymous), "{anonymous}");
        assert_eq!(rs[123], report(&scale, 124));
    }

    #[test]
    fn decided_reports_are_shared_among_editors_and_lose_their_senders_after_the_window() {
        let n = 10_000;
        let units = scale_units(4, n);
        let scale = Scale::new(4, n, &units, today());
        let at = |code: &str| units.iter().position(|u| u.code == code).unwrap();
        let cc = at("cc");
        let region = units.iter().position(|u| u.kind == "regional").unwrap();
        let local = units
            .iter()
            .position(|u| u.parent.as_deref() == Some(units[region].code.as_str()))
            .unwrap();
        // The central organ's two editors, a regional paper's editor and a local paper's.
        let desk = DeskEditors::new(&scale, [(cc, 1), (cc, 2), (region, 3), (local, 4)]);
        let rs = reports(&scale, 1, 20_001);
        let mut per_editor: std::collections::HashMap<i64, usize> = Default::default();
        let (mut kept, mut cleared) = (0, 0);
        for r in &rs {
            assert_eq!(r.decided_on.is_none(), r.status == "new");
            if let Some(d) = r.decided_on {
                assert!(r.received_on <= d && d <= today());
            }
            let e = desk.editor_of(r);
            if r.decided_on.is_none() {
                assert_eq!(e, None, "a new report is nobody's");
                assert_eq!(
                    r.kept_sender(today(), 30),
                    r.sender,
                    "a new one keeps its sender"
                );
                continue;
            }
            let e = e.expect("a decided report has an editor");
            *per_editor.entry(e).or_default() += 1;
            // The nearest editor: the local paper's take the local's branch, unless closed.
            let mut chain = vec![r.unit];
            while let Some(p) = units[*chain.last().unwrap()].parent.as_deref() {
                chain.push(at(p));
            }
            let closed = chain.iter().any(|&u| units[u].closed);
            let want: &[i64] = if closed {
                &[1, 2]
            } else if chain.contains(&local) {
                &[4]
            } else if chain.contains(&region) {
                &[3]
            } else {
                &[1, 2]
            };
            assert!(want.contains(&e), "report {} to {e}, not {want:?}", r.index);
            if r.sender.is_some() {
                let d = r.decided_on.unwrap();
                let keep = today().days_since(d) < 30;
                assert_eq!(r.kept_sender(today(), 30).is_some(), keep);
                if keep {
                    kept += 1;
                } else {
                    cleared += 1;
                }
            }
        }
        // Both central editors get some; the old decided reports, the most, are cleared.
        assert!(
            per_editor[&1] > 100 && per_editor[&2] > 100,
            "{per_editor:?}"
        );
        assert!(per_editor[&3] > 0 && per_editor[&4] > 0, "{per_editor:?}");
        assert!(
            cleared > 4 * kept && kept > 100,
            "{kept} kept, {cleared} cleared"
        );
        // No editors: nobody is assigned anything.
        let none = DeskEditors::new(&scale, []);
        assert!(rs.iter().all(|r| none.editor_of(r).is_none()));
    }
}
