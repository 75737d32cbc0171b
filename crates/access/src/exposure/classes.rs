//! Classes of accounts: what the rules look at of an account ([`ClassKey`]), and the rules'
//! answers for each class ([`ClassAnswer`]), asked once per class and unit.

use super::kinds::{IDENTITIES, PSEUDONYMS, TRANSFERS};
use super::{Index, Of, Subject, KINDS, KIND_COUNT};
use crate::{allowed, assemble, Action, Held, Own, Place, Who};
use core_rules::exposure::Marks;
use core_rules::people::Status;
use core_rules::roles::Role;
use std::collections::HashMap;

/// What the rules look at: an account's own unit and state, offices, administrator flag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClassKey {
    pub own: Option<(i64, Status)>,
    pub is_admin: bool,
    pub offices: Vec<(Role, i64)>,
}

/// The rules' answers for one class.
#[derive(Clone, Debug, Default)]
pub struct ClassAnswer {
    /// Per kind, the objects exposed (inline: there is one answer per class, tens of thousands
    /// at a million people).
    pub counts: [u64; KIND_COUNT],
    /// Units allowed for some kind, with a bit per kind. Only for one account's answer
    /// ([`Index::exposure_of`]): the answers of [`Index::classes`] leave it empty.
    pub units: Vec<(u32, u32)>,
    /// Congresses (by index) whose documents are shown to the class, whoever takes part.
    pub congresses: Vec<u32>,
    /// Units whose waiting transfers the class answers (and so sees their people by party
    /// name), those with any, sorted.
    pub deciding: Vec<u32>,
    /// Units whose people are known by party name, sorted.
    pub named: Vec<u32>,
    /// Units whose people are known by identity, sorted.
    pub identified: Vec<u32>,
    /// The union of the two, sorted, and the people in it.
    pub known: Vec<u32>,
    pub known_people: u64,
}

impl Index {
    /// The rules' view of a class: a stand-in account with no person of its own (the
    /// per-person parts are asked separately).
    pub(super) fn class_who(&self, key: &ClassKey) -> Who {
        let own = key.own.map(|(unit_id, status)| Own {
            person_id: i64::MIN,
            unit_id,
            status,
        });
        let granted = key
            .offices
            .iter()
            .map(|&(role, unit_id)| Held {
                role,
                unit_id,
                unit_kind: self.snap.units[self.unit_ix[&unit_id]].kind.clone(),
            })
            .collect();
        assemble(key.is_admin, own, granted, &self.roots, self.rules.clone())
    }

    /// The units a class can possibly be allowed anything in under today's rules: its own unit
    /// and the subtrees of its offices' units (see the module's notes); every unit for an account
    /// that reads the correspondents' reports, which come from anywhere.
    pub(super) fn candidates(&self, who: &Who) -> Vec<usize> {
        if allowed(who, Action::ReadReports) {
            return (0..self.snap.units.len()).collect();
        }
        let mut marks = Marks::new(self.snap.units.len());
        let mut out = Vec::new();
        let mut stack: Vec<usize> = who
            .held
            .iter()
            .filter_map(|h| self.unit_ix.get(&h.unit_id).copied())
            .collect();
        while let Some(u) = stack.pop() {
            if marks.insert(u as u32) {
                out.push(u);
                stack.extend(&self.children[u]);
            }
        }
        if let Some(u) = who.own.and_then(|o| self.unit_ix.get(&o.unit_id)) {
            if marks.insert(*u as u32) {
                out.push(*u);
            }
        }
        out
    }

    pub(super) fn answer(&self, who: &Who, units: impl Iterator<Item = usize>) -> ClassAnswer {
        let mut a = ClassAnswer::default();
        for u in units {
            let place = Place {
                chain: &self.chains[u],
            };
            let mut bits = 0u32;
            for (k, kind) in KINDS.iter().enumerate() {
                if let Of::Units { ask, per_unit } = kind.of {
                    if allowed(who, ask(place)) {
                        bits |= 1 << k;
                        a.counts[k] += per_unit(self, u);
                    }
                }
            }
            if bits != 0 {
                a.units.push((u as u32, bits));
                if bits & (1 << PSEUDONYMS) != 0 {
                    a.named.push(u as u32);
                }
                if bits & (1 << IDENTITIES) != 0 {
                    a.identified.push(u as u32);
                }
                if bits & (1 << TRANSFERS) != 0 && !self.unit_movers.row(u).is_empty() {
                    a.deciding.push(u as u32);
                }
            }
        }
        // A congress's documents, asked as for someone who does not take part in it: the part
        // that comes with taking part is the person's own (see `finish`).
        for c in 0..self.snap.congresses.len() {
            let mut any = false;
            for (k, kind) in KINDS.iter().enumerate() {
                if let Of::Congresses { ask, per_congress } = kind.of {
                    if allowed(who, ask(false)) {
                        any = true;
                        a.counts[k] += per_congress(self, c);
                    }
                }
            }
            if any {
                a.congresses.push(c as u32);
            }
        }
        a.units.sort_unstable();
        a.deciding.sort_unstable();
        a.named.sort_unstable();
        a.identified.sort_unstable();
        a.known = a.named.iter().chain(&a.identified).copied().collect();
        a.known.sort_unstable();
        a.known.dedup();
        a.known_people = a
            .known
            .iter()
            .map(|&u| self.unit_people.row(u as usize).len() as u64)
            .sum();
        a
    }

    /// Classes of all subjects, the rules asked once per class about its candidate units.
    pub fn classes<S: std::borrow::Borrow<Subject>>(
        &self,
        subjects: impl IntoIterator<Item = S>,
    ) -> (Vec<ClassKey>, Vec<ClassAnswer>, Vec<u32>) {
        let admins: std::collections::HashSet<i64> = self
            .snap
            .accounts
            .iter()
            .filter(|a| a.is_admin)
            .map(|a| a.id)
            .collect();
        let mut ids: HashMap<ClassKey, u32> = HashMap::new();
        let mut keys = Vec::new();
        let subjects = subjects.into_iter();
        let mut of = Vec::with_capacity(subjects.size_hint().0);
        for s in subjects {
            let s = s.borrow();
            let key = self.class_key(s, s.account.is_some_and(|a| admins.contains(&a)));
            let n = ids.len() as u32;
            let id = *ids.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                n
            });
            of.push(id);
        }
        let answers = keys
            .iter()
            .map(|k| {
                let who = self.class_who(k);
                let mut a = self.answer(&who, self.candidates(&who).into_iter());
                a.units = Vec::new();
                a
            })
            .collect();
        (keys, answers, of)
    }
}
