//! The whole organisation analysed once: every subject's exposure, the rules asked once per
//! class, then person by person; and how far each unit's people are known outside it.

use super::{Exposure, Index};
use core_rules::exposure::Marks;
use serde::Serialize;

/// Where `finish` counts, per unit, the people outside it who have met its people.
pub(super) struct MetLinks<'a> {
    pub(super) marks: &'a mut Marks,
    pub(super) counts: &'a mut [u64],
}

/// How far a unit's people are known outside it.
#[derive(Clone, Debug, Serialize)]
pub struct UnitLinks {
    pub unit_id: i64,
    pub people: u64,
    pub closed: bool,
    /// Accounts of people outside the unit (or with no person) whose account shows its people.
    pub outside_by_account: u64,
    /// People outside the unit who have met some of its people.
    pub outside_met: u64,
}

impl UnitLinks {
    /// Outsiders who know the unit's people, per person in it.
    pub fn ratio(&self) -> f64 {
        (self.outside_by_account + self.outside_met) as f64 / self.people.max(1) as f64
    }
}

/// The whole organisation analysed once.
pub struct Analysis {
    pub exposures: Vec<Exposure>,
    pub units: Vec<UnitLinks>,
}

impl Index {
    /// Every subject's exposure, and how far each unit is known outside itself.
    pub fn analyse(&self) -> Analysis {
        let mut exposures = Vec::new();
        let units = self.analyse_each(|e| exposures.push(e));
        Analysis { exposures, units }
    }

    /// The same, handing each subject's exposure to `each` as it is made instead of keeping
    /// them all (a million exposures in full are hundreds of megabytes).
    pub fn analyse_each(&self, mut each: impl FnMut(Exposure)) -> Vec<UnitLinks> {
        let (keys, answers, of) = self.classes(self.each_subject());
        let mut people = Marks::new(self.snap.people.len());
        let mut units = Marks::new(self.snap.units.len());
        let mut by_account = vec![0u64; self.snap.units.len()];
        let mut met = vec![0u64; self.snap.units.len()];
        let mut met_units = Marks::new(self.snap.units.len());
        // People outside a unit who have met its people: counted once per person, at their
        // first subject.
        let mut counted = vec![false; self.snap.people.len()];
        for (s, &c) in self.each_subject().zip(&of) {
            let pi = s.person.and_then(|p| self.person_ix.get(p));
            let own = pi.map(|i| self.person_unit[i as usize]);
            for &u in &answers[c as usize].known {
                if Some(u) != own {
                    by_account[u as usize] += 1;
                }
            }
            let links = match pi {
                Some(i) if !counted[i as usize] => {
                    counted[i as usize] = true;
                    Some(MetLinks {
                        marks: &mut met_units,
                        counts: &mut met,
                    })
                }
                _ => None,
            };
            // The rules' view of each subject's class is made for the subject and dropped: kept
            // for every class (tens of thousands) it was about 10 MB.
            let key = &keys[c as usize];
            let mut who = self.class_who(key);
            each(self.finish(
                &s,
                &mut who,
                &answers[c as usize],
                &mut people,
                &mut units,
                links,
            ));
        }
        self.snap
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| UnitLinks {
                unit_id: u.id,
                people: self.unit_people.row(i).len() as u64,
                closed: self.closed_branch[i],
                outside_by_account: by_account[i],
                outside_met: met[i],
            })
            .collect()
    }

    /// Every subject's exposure: the rules asked once per class, then person by person.
    pub fn everyone(&self) -> Vec<Exposure> {
        self.analyse().exposures
    }
}
