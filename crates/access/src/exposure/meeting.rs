//! The risk of a planned meeting of a unit.

use super::{Index, Subject};
use core_rules::exposure::Marks;
use core_rules::people::Status;
use core_rules::Day;

impl Index {
    /// The risk of a meeting of a unit: its members attend (and, if asked, its supporters and
    /// applicants), with `extra_newcomers` more people who are not yet members.
    pub fn meeting_risk(
        &self,
        unit: i64,
        everyone: bool,
        extra_newcomers: usize,
        today: Day,
        assumptions: &core_rules::exposure::meeting_risk::Assumptions,
    ) -> Option<core_rules::exposure::meeting_risk::Risk> {
        use core_rules::exposure::meeting_risk::{assess, Attendee};
        let u = *self.unit_ix.get(&unit)?;
        let present: Vec<u32> = self
            .unit_people
            .row(u)
            .iter()
            .copied()
            .filter(|&p| {
                let st = self.snap.people[p as usize].status;
                st == Status::Member
                    || (everyone && matches!(st, Status::Supporter | Status::Applicant))
            })
            .collect();
        let mut attendees: Vec<Attendee> = present
            .iter()
            .map(|&p| {
                let row = &self.snap.people[p as usize];
                Attendee {
                    member_days: (row.status == Status::Member)
                        .then(|| row.admitted_on.map(|d| today.days_since(d)))
                        .flatten(),
                }
            })
            .collect();
        attendees.extend(std::iter::repeat_n(
            Attendee { member_days: None },
            extra_newcomers,
        ));
        // What those attending know beyond the meeting: their accounts' (or would-be
        // accounts') views and the people they have met.
        let subjects: Vec<Subject> = present
            .iter()
            .filter_map(|&p| self.main_subject(self.snap.people[p as usize].id))
            .collect();
        let (_, answers, of) = self.classes(&subjects);
        let mut known = Marks::new(self.snap.people.len());
        let mut scratch = Marks::new(self.snap.people.len());
        known.clear();
        for &p in &present {
            known.insert(p);
        }
        let mut beyond = 0u64;
        for (s, &c) in subjects.iter().zip(&of) {
            for &ku in &answers[c as usize].known {
                for &q in self.unit_people.row(ku as usize) {
                    beyond += known.insert(q) as u64;
                }
            }
            if let Some(pi) = s.person.and_then(|p| self.person_ix.get(p)) {
                self.attendance.for_each_met(pi, &mut scratch, |q| {
                    beyond += known.insert(q) as u64;
                });
            }
        }
        Some(assess(&attendees, beyond, assumptions))
    }
}
