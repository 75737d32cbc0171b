//! The organisation as a network for the simulation of infiltration and arrests.

use super::{ClassAnswer, ClassKey, Index, Subject};
use core_rules::exposure::simulate::{Network, Rise, View};
use core_rules::people::Status;
use core_rules::roles::Role;
use std::collections::HashMap;

impl Index {
    /// The organisation as a network for the simulation: everyone's view from the rules (the
    /// class of their account, or the one they would have), who has met whom, and what an
    /// infiltrator admitted to a unit, or elected its secretary, would come to see.
    pub fn network(&self) -> Network {
        let mut subjects: Vec<Subject> = Vec::new();
        // Each person's first live account, else the one they would have.
        let mut first: HashMap<i64, i64> = HashMap::new();
        for a in &self.snap.accounts {
            if let Some(p) = a.person_id {
                first.entry(p).or_insert(a.id);
            }
        }
        for p in &self.snap.people {
            subjects.push(Subject {
                account: first.get(&p.id).copied(),
                person: Some(p.id),
                has_account: first.contains_key(&p.id),
            });
        }
        let (mut keys, mut answers, view_of) = self.classes(&subjects);
        let mut index: HashMap<ClassKey, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        let mut class_of =
            |key: ClassKey, keys: &mut Vec<ClassKey>, answers: &mut Vec<ClassAnswer>| {
                if let Some(&i) = index.get(&key) {
                    return i;
                }
                let who = self.class_who(&key);
                answers.push(self.answer(&who, self.candidates(&who).into_iter()));
                keys.push(key.clone());
                let i = keys.len() as u32 - 1;
                index.insert(key, i);
                i
            };
        let rise: Vec<Rise> = self
            .snap
            .units
            .iter()
            .map(|u| Rise {
                member: class_of(
                    ClassKey {
                        own: Some((u.id, Status::Member)),
                        is_admin: false,
                        offices: Vec::new(),
                    },
                    &mut keys,
                    &mut answers,
                ),
                secretary: class_of(
                    ClassKey {
                        own: Some((u.id, Status::Member)),
                        is_admin: false,
                        offices: vec![(Role::Secretary, u.id)],
                    },
                    &mut keys,
                    &mut answers,
                ),
            })
            .collect();
        Network {
            unit_of: self.person_unit.clone(),
            core: self
                .person_unit
                .iter()
                .map(|&u| self.closed_branch[u as usize])
                .collect(),
            unit_people: self.unit_people.clone(),
            views: answers
                .into_iter()
                .map(|a| View {
                    named_units: a.named,
                    identified_units: a.identified,
                })
                .collect(),
            view_of,
            met: self.attendance.met_graph(),
            rise,
        }
    }
}
