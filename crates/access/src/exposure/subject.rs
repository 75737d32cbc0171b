//! One subject's exposure: their class's answer, and the parts that are the person's own (their
//! own page, the meetings they attended, the people they met, the congresses they take part in,
//! the reports assigned to them), added person by person.

use super::analysis::MetLinks;
use super::kinds::{IDENTITIES, MEETINGS, PSEUDONYMS};
use super::{ClassAnswer, Index, Of, KINDS, KIND_COUNT};
use crate::{allowed, Action, Own, Place, Who};
use core_rules::exposure::snapshot::PersonRow;
use core_rules::exposure::Marks;
use core_rules::people::Person;
use core_rules::Day;
use serde::Serialize;

/// Someone whose account (or the account they would have) is analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub account: Option<i64>,
    pub person: Option<i64>,
    /// False: no live account; analysed as if invited, with no offices.
    pub has_account: bool,
}

/// What taking one account exposes, in counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub subject: Subject,
    /// Per kind (see [`KINDS`]), with the per-person parts added.
    /// Kept inline, not as a vector of pairs: an organisation-wide analysis holds one of these
    /// per person (a million), and a heap vector each cost over 300 MB more at that size.
    /// Serialised as `[name, count]` pairs, named by `KINDS`.
    #[serde(serialize_with = "named_counts")]
    pub counts: [u64; KIND_COUNT],
    /// People met in person (attended a meeting together).
    pub met: u64,
    /// People named by the documents shown (a report's sender, a congress's participants) and
    /// neither known from a roster shown nor met.
    pub named_in_documents: u64,
    /// Distinct people exposed in any way, the account holder included.
    pub people: u64,
    /// Distinct units those people belong to.
    pub units_spanned: u64,
}

fn named_counts<S: serde::Serializer>(counts: &[u64; KIND_COUNT], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(KIND_COUNT))?;
    for (k, n) in KINDS.iter().zip(counts) {
        seq.serialize_element(&(k.name, n))?;
    }
    seq.end()
}

impl Exposure {
    pub fn count(&self, kind: &str) -> u64 {
        KINDS
            .iter()
            .position(|k| k.name == kind)
            .map_or(0, |i| self.counts[i])
    }
}

/// A person record as the rules need it (they look at the id and the unit).
fn person_for_rules(p: &PersonRow) -> Person {
    Person {
        id: p.id,
        card: None,
        pseudonym: String::new(),
        unit_id: p.unit_id,
        status: p.status,
        since: p
            .admitted_on
            .unwrap_or(Day::from_ymd(2000, 1, 1).expect("a valid date")),
        admitted_on: p.admitted_on,
        programme_accepted: false,
        monthly_income_cents: None,
        reduced_rate: false,
    }
}

/// An exposure being added up: the class's answer first, then the person's own parts.
struct Sum<'c> {
    class: &'c ClassAnswer,
    counts: [u64; KIND_COUNT],
    met: u64,
    named_in_documents: u64,
    /// Distinct people exposed.
    total: u64,
    /// Distinct units they belong to.
    spanned: u64,
}

impl Sum<'_> {
    /// Whether the class's answer already shows the people of unit `u`.
    fn in_known(&self, u: u32) -> bool {
        self.class.known.binary_search(&u).is_ok()
    }

    /// Someone of unit `u` is known by party name: counted unless the class names their unit.
    fn by_party_name(&mut self, u: u32) {
        if self.class.named.binary_search(&u).is_err() {
            self.counts[PSEUDONYMS] += 1;
        }
    }

    /// Someone of unit `u` is exposed: counted, with their unit, unless the class's answer
    /// already holds them. Whether they were counted.
    fn exposed(&mut self, u: u32, units: &mut Marks) -> bool {
        if self.in_known(u) {
            return false;
        }
        self.total += 1;
        self.spanned += units.insert(u) as u64;
        true
    }
}

impl Index {
    /// The per-person parts added to a class's answer.
    pub(super) fn finish(
        &self,
        s: &Subject,
        who: &mut Who,
        class: &ClassAnswer,
        people: &mut Marks,
        units: &mut Marks,
        links: Option<MetLinks>,
    ) -> Exposure {
        let mut sum = Sum {
            class,
            counts: class.counts,
            met: 0,
            named_in_documents: 0,
            total: class.known_people,
            spanned: class.known.len() as u64,
        };
        units.clear();
        for &u in &class.known {
            units.insert(u);
        }
        // Congresses whose documents the person sees because they take part in them.
        let taking_part = match s.person.and_then(|p| self.person_ix.get(p)) {
            Some(pi) => self.own_parts(pi, who, &mut sum, people, units, links),
            None => {
                people.clear();
                Vec::new()
            }
        };
        self.named_in_documents(s, who, &taking_part, &mut sum, people, units);
        Exposure {
            subject: s.clone(),
            counts: sum.counts,
            met: sum.met,
            named_in_documents: sum.named_in_documents,
            people: sum.total,
            units_spanned: sum.spanned,
        }
    }

    /// What is the person's own (the person at `pi`): their own page and identity, the meetings
    /// they attended, the people they met (into `people`), and the documents of the congresses
    /// they take part in, which are returned.
    fn own_parts(
        &self,
        pi: u32,
        who: &mut Who,
        sum: &mut Sum,
        people: &mut Marks,
        units: &mut Marks,
        mut links: Option<MetLinks>,
    ) -> Vec<u32> {
        let class = sum.class;
        let row = &self.snap.people[pi as usize];
        who.own = Some(Own {
            person_id: row.id,
            unit_id: row.unit_id,
            status: row.status,
        });
        let me = person_for_rules(row);
        let own_unit = self.person_unit[pi as usize];
        let place = Place {
            chain: &self.chains[own_unit as usize],
        };
        let named_here = class.named.binary_search(&own_unit).is_ok();
        let identified_here = class.identified.binary_search(&own_unit).is_ok();
        // Their own page and identity: the adversary learns whose account it is.
        if !named_here && allowed(who, Action::ViewPerson(&me, place)) {
            sum.counts[PSEUDONYMS] += 1;
        }
        if !identified_here && allowed(who, Action::ViewIdentity(&me, place)) {
            sum.counts[IDENTITIES] += 1;
        }
        sum.exposed(own_unit, units);
        // Meetings attended outside the units whose meetings the account shows.
        for &m in self.attendance.meetings_of(pi) {
            if class
                .named
                .binary_search(&self.meeting_unit[m as usize])
                .is_err()
            {
                sum.counts[MEETINGS] += 1;
            }
        }
        // People met: known by face, whatever the software shows.
        let person_unit = &self.person_unit;
        if let Some(l) = links.as_mut() {
            l.marks.clear();
        }
        self.attendance.for_each_met(pi, people, |q| {
            sum.met += 1;
            let u = person_unit[q as usize];
            if let Some(l) = links.as_mut() {
                if u != own_unit && l.marks.insert(u) {
                    l.counts[u as usize] += 1;
                }
            }
            sum.by_party_name(u);
            sum.exposed(u, units);
        });
        let taking_part = self.congresses_taken_part(pi, who, sum);
        who.own = who.own.map(|o| Own {
            person_id: i64::MIN,
            ..o
        });
        taking_part
    }

    /// The congresses the person at `pi` takes part in whose documents the class does not see
    /// anyway, with those documents counted: asked as a participant.
    fn congresses_taken_part(&self, pi: u32, who: &Who, sum: &mut Sum) -> Vec<u32> {
        let mut taking_part = Vec::new();
        let from = self.person_congresses.partition_point(|&(p, _)| p < pi);
        let congresses = self.person_congresses[from..]
            .iter()
            .take_while(|&&(p, _)| p == pi)
            .map(|&(_, c)| c);
        for c in congresses {
            if sum.class.congresses.binary_search(&c).is_ok() {
                continue;
            }
            let mut any = false;
            for (k, kind) in KINDS.iter().enumerate() {
                if let Of::Congresses { ask, per_congress } = kind.of {
                    if allowed(who, ask(true)) {
                        any = true;
                        sum.counts[k] += per_congress(self, c as usize);
                    }
                }
            }
            if any {
                taking_part.push(c);
            }
        }
        taking_part
    }

    /// People the documents name, by party name: the senders of the reports assigned to the
    /// account, where the rules show them, the participants of the congresses shown (the class's
    /// and `taking_part`), and the people asked into the units whose transfers the account
    /// answers. `people` holds the holder and those they met.
    fn named_in_documents(
        &self,
        s: &Subject,
        who: &Who,
        taking_part: &[u32],
        sum: &mut Sum,
        people: &mut Marks,
        units: &mut Marks,
    ) {
        let class = sum.class;
        let assigned = s
            .account
            .and_then(|a| self.account_senders.get(&a))
            .map_or(&[][..], |v| v.as_slice());
        // Asked once per unit: the rows are sorted by it.
        let mut asked: Option<(u32, bool)> = None;
        let senders = assigned
            .iter()
            .filter(|&&(u, _)| {
                if asked.is_none_or(|(at, _)| at != u) {
                    let place = Place {
                        chain: &self.chains[u as usize],
                    };
                    let shown = allowed(
                        who,
                        Action::SeeSender {
                            place,
                            assigned: true,
                        },
                    );
                    asked = Some((u, shown));
                }
                asked.is_some_and(|(_, shown)| shown)
            })
            .map(|&(_, q)| q);
        let delegates = class
            .congresses
            .iter()
            .chain(taking_part)
            .flat_map(|&c| self.congress_people.row(c as usize).iter().copied());
        let movers = class
            .deciding
            .iter()
            .flat_map(|&u| self.unit_movers.row(u as usize).iter().copied());
        for q in senders.chain(delegates).chain(movers) {
            if !people.insert(q) {
                continue;
            }
            let u = self.person_unit[q as usize];
            sum.by_party_name(u);
            if sum.exposed(u, units) {
                sum.named_in_documents += 1;
            }
        }
    }

    /// One subject's exposure, asking the rules about every unit; with the class answer, for
    /// pages that list the units.
    pub fn exposure_of(&self, s: &Subject) -> (Exposure, ClassAnswer) {
        let key = self.class_key(s, self.is_admin(s));
        let mut who = self.class_who(&key);
        let class = self.answer(&who, 0..self.snap.units.len());
        let mut people = Marks::new(self.snap.people.len());
        let mut units = Marks::new(self.snap.units.len());
        let e = self.finish(s, &mut who, &class, &mut people, &mut units, None);
        (e, class)
    }
}
