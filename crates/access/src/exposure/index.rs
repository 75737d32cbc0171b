//! The snapshot indexed: units, people, meetings and congresses numbered densely, documents
//! counted per unit, offices per account; and the subjects analysed (every live account, and
//! every person without one, as if invited).

use super::{ClassKey, Subject};
use crate::{Held, Own};
use core_rules::exposure::snapshot::Snapshot;
use core_rules::exposure::{Attendance, Csr, IdIndex};
use core_rules::roles::{AccessRules, Role};
use core_rules::units::Unit;
use std::collections::HashMap;

/// The snapshot, indexed: units and people numbered densely.
pub struct Index {
    pub snap: Snapshot,
    pub rules: AccessRules,
    pub unit_ix: HashMap<i64, usize>,
    /// Each unit and the units above it, nearest first.
    pub chains: Vec<Vec<Unit>>,
    pub children: Vec<Vec<usize>>,
    /// The unit is closed or lies below a closed one.
    pub closed_branch: Vec<bool>,
    /// People's positions by id: a vector over the nearly dense ids, not a hash map (a
    /// million entries in one are about 36 MB).
    pub person_ix: IdIndex,
    pub person_unit: Vec<u32>,
    pub unit_people: Csr,
    pub unit_meetings: Vec<u64>,
    /// Bundles of the paper each unit has received.
    pub unit_bundles: Vec<u64>,
    /// Articles not yet public of the publications each unit runs.
    pub unit_articles: Vec<u64>,
    /// Reports about each unit on the editors' desk.
    pub unit_reports: Vec<u64>,
    /// The senders still named by the reports assigned to each editor's account: (unit of the
    /// report, sender) by index, sorted by unit. Only accounts with any have an entry.
    pub account_senders: HashMap<i64, Vec<(u32, u32)>>,
    /// Reports used in the articles of the publications each unit runs.
    pub unit_reports_in_articles: Vec<u64>,
    /// The people asked into each unit by the transfers waiting for its answer (by index).
    pub unit_movers: Csr,
    /// Congresses by id.
    pub congress_ix: HashMap<i64, usize>,
    /// Each congress's participants (people by index), and each person's congresses as
    /// `(person, congress)` sorted: a few hundred delegates, where a row per person would be
    /// 4 MB of empty rows at a million people.
    pub congress_people: Csr,
    pub person_congresses: Vec<(u32, u32)>,
    pub meeting_unit: Vec<u32>,
    pub attendance: Attendance,
    /// The top units, for the organisation's administrator.
    pub(super) roots: Vec<(i64, String)>,
    pub(super) grants_of: HashMap<i64, Vec<Held>>,
}

impl Index {
    pub fn new(mut snap: Snapshot, rules: AccessRules) -> Index {
        let unit_ix: HashMap<i64, usize> = snap
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        let (chains, children, roots) = tree(&snap.units, &unit_ix);
        let closed_branch = chains.iter().map(|c| c.iter().any(|u| u.closed)).collect();
        let person_ix = IdIndex::new(snap.people.iter().map(|p| p.id));
        let person_unit: Vec<u32> = snap
            .people
            .iter()
            .map(|p| unit_ix[&p.unit_id] as u32)
            .collect();
        let pairs: Vec<(u32, u32)> = person_unit
            .iter()
            .enumerate()
            .map(|(i, &u)| (u, i as u32))
            .collect();
        let unit_people = Csr::from_pairs(snap.units.len(), &pairs);
        let mut unit_meetings = vec![0u64; snap.units.len()];
        let meeting_unit: Vec<u32> = snap
            .meetings
            .iter()
            .map(|m| unit_ix[&m.unit_id] as u32)
            .collect();
        for &u in &meeting_unit {
            unit_meetings[u as usize] += 1;
        }
        let mut unit_bundles = vec![0u64; snap.units.len()];
        for (unit, n) in &snap.bundles {
            if let Some(&u) = unit_ix.get(unit) {
                unit_bundles[u] = *n as u64;
            }
        }
        let per_unit = |rows: &[(i64, i64)]| {
            let mut v = vec![0u64; snap.units.len()];
            for (unit, n) in rows {
                if let Some(&u) = unit_ix.get(unit) {
                    v[u] += *n as u64;
                }
            }
            v
        };
        let unit_articles = per_unit(&snap.articles);
        let unit_reports = per_unit(&snap.desk_reports);
        let unit_reports_in_articles = per_unit(&snap.reports_in_articles);
        let moving: Vec<(u32, u32)> = snap
            .transfers_waiting
            .iter()
            .filter_map(|&(u, p)| Some((*unit_ix.get(&u)? as u32, person_ix.get(p)?)))
            .collect();
        let unit_movers = Csr::from_pairs(snap.units.len(), &moving);
        let account_senders = senders_by_account(&snap.report_senders, &unit_ix, &person_ix);
        let congress_ix: HashMap<i64, usize> = snap
            .congresses
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        let taking_part: Vec<(u32, u32)> = snap
            .participants
            .iter()
            .filter_map(|(c, p)| Some((*congress_ix.get(c)? as u32, person_ix.get(*p)?)))
            .collect();
        let congress_people = Csr::from_pairs(snap.congresses.len(), &taking_part);
        let mut person_congresses: Vec<(u32, u32)> =
            taking_part.iter().map(|&(c, p)| (p, c)).collect();
        // Stable: each person's congresses in the order they were read, as the rows were.
        person_congresses.sort_by_key(|&(p, _)| p);
        // The rows read are indexed as they are, not kept twice; the other direction is made
        // from them.
        snap.report_senders = Vec::new();
        snap.participants = Vec::new();
        snap.transfers_waiting = Vec::new();
        let attendance =
            Attendance::from_meetings(snap.people.len(), std::mem::take(&mut snap.attendance));
        let mut grants_of: HashMap<i64, Vec<Held>> = HashMap::new();
        for g in &snap.grants {
            grants_of.entry(g.account_id).or_default().push(Held {
                role: g.role,
                unit_id: g.unit_id,
                unit_kind: g.unit_kind.clone(),
            });
        }
        Index {
            snap,
            rules,
            unit_ix,
            chains,
            children,
            closed_branch,
            person_ix,
            person_unit,
            unit_people,
            unit_meetings,
            unit_bundles,
            unit_articles,
            unit_reports,
            account_senders,
            unit_reports_in_articles,
            unit_movers,
            congress_ix,
            congress_people,
            person_congresses,
            meeting_unit,
            attendance,
            roots,
            grants_of,
        }
    }

    /// Every live account, and every person without one (as if invited), in a fixed order.
    pub fn subjects(&self) -> Vec<Subject> {
        self.each_subject().collect()
    }

    /// The same, one at a time, always in the same order: the organisation-wide analysis
    /// walks them twice rather than holding the list (40 MB at a million people).
    pub fn each_subject(&self) -> impl Iterator<Item = Subject> + '_ {
        let known = |p: &i64| self.person_ix.contains(*p);
        let with_account: std::collections::HashSet<i64> = self
            .snap
            .accounts
            .iter()
            .filter_map(|a| a.person_id.filter(known))
            .collect();
        let accounts = self.snap.accounts.iter().map(move |a| Subject {
            account: Some(a.id),
            person: a.person_id.filter(known),
            has_account: true,
        });
        let invited = self
            .snap
            .people
            .iter()
            .filter(move |p| !with_account.contains(&p.id))
            .map(|p| Subject {
                account: None,
                person: Some(p.id),
                has_account: false,
            });
        accounts.chain(invited)
    }

    /// Whether the account holds any office.
    pub fn holds_office(&self, account: i64) -> bool {
        self.grants_of.contains_key(&account)
    }

    /// The subjects of one person: their live accounts, or the one they would have.
    pub fn subjects_of_person(&self, person: i64) -> Vec<Subject> {
        let mut out: Vec<Subject> = self
            .snap
            .accounts
            .iter()
            .filter(|a| a.person_id == Some(person))
            .map(|a| Subject {
                account: Some(a.id),
                person: Some(person),
                has_account: true,
            })
            .collect();
        if out.is_empty() && self.person_ix.contains(person) {
            out.push(Subject {
                account: None,
                person: Some(person),
                has_account: false,
            });
        }
        out
    }

    pub(super) fn own_of(&self, s: &Subject) -> Option<Own> {
        let p = &self.snap.people[self.person_ix.get(s.person?)? as usize];
        Some(Own {
            person_id: p.id,
            unit_id: p.unit_id,
            status: p.status,
        })
    }

    pub(super) fn is_admin(&self, s: &Subject) -> bool {
        s.account
            .is_some_and(|a| self.snap.accounts.iter().any(|x| x.id == a && x.is_admin))
    }

    pub(super) fn granted(&self, s: &Subject) -> Vec<Held> {
        s.account
            .and_then(|a| self.grants_of.get(&a).cloned())
            .unwrap_or_default()
    }

    pub fn class_key(&self, s: &Subject, is_admin: bool) -> ClassKey {
        let mut offices: Vec<(Role, i64)> = self
            .granted(s)
            .iter()
            .map(|h| (h.role, h.unit_id))
            .collect();
        offices.sort();
        offices.dedup();
        ClassKey {
            own: self.own_of(s).map(|o| (o.unit_id, o.status)),
            is_admin,
            offices,
        }
    }

    /// The subject whose account a person's analysis uses: their first live account, else the
    /// one they would have.
    pub fn main_subject(&self, person: i64) -> Option<Subject> {
        self.subjects_of_person(person).into_iter().next()
    }
}

/// Each unit's chain (the unit and the units above it, nearest first), each unit's children, and
/// the units at the top with their kinds, all by position in `units`.
#[allow(clippy::type_complexity)]
fn tree(
    units: &[Unit],
    unit_ix: &HashMap<i64, usize>,
) -> (Vec<Vec<Unit>>, Vec<Vec<usize>>, Vec<(i64, String)>) {
    let mut chains_by_id = crate::chains(units);
    let chains: Vec<Vec<Unit>> = units
        .iter()
        .map(|u| chains_by_id.remove(&u.id).unwrap_or_default())
        .collect();
    drop(chains_by_id);
    let mut children = vec![Vec::new(); units.len()];
    let mut roots = Vec::new();
    for (i, u) in units.iter().enumerate() {
        match u.parent_id.and_then(|p| unit_ix.get(&p)) {
            Some(&p) => children[p].push(i),
            None => roots.push((u.id, u.kind.clone())),
        }
    }
    (chains, children, roots)
}

/// The senders still named by the reports assigned to each editor's account (see
/// [`Index::account_senders`]), from the snapshot's `(account, unit, person)` rows.
fn senders_by_account(
    rows: &[(i64, i64, i64)],
    unit_ix: &HashMap<i64, usize>,
    person_ix: &IdIndex,
) -> HashMap<i64, Vec<(u32, u32)>> {
    let mut account_senders: HashMap<i64, Vec<(u32, u32)>> = HashMap::new();
    for &(account, u, p) in rows {
        if let (Some(&u), Some(p)) = (unit_ix.get(&u), person_ix.get(p)) {
            account_senders
                .entry(account)
                .or_default()
                .push((u as u32, p));
        }
    }
    for v in account_senders.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    account_senders
}
