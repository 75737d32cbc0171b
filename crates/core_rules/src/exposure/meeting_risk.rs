//! The risk of a planned meeting, in a figure and in plain words.
//!
//! The reasoning, as the page explains it:
//!
//! - Anyone present could be an informer. Newcomers are the likeliest: someone not yet a member,
//!   or a member for less than three months, counts with the full newcomer chance; a member of
//!   three months to a year with a quarter of it; an older member with a twentieth.
//! - The chance that at least one informer is present is one minus the chance that nobody is:
//!   `1 − Π (1 − qᵢ)` over those attending.
//! - If one is, everyone present is seen (the meeting's size); and anyone arrested afterwards may
//!   talk, handing over the people they know beyond the meeting (counted once each, however many
//!   attendees know them), with the chance of talking.
//! - The risk figure is the number of people expected to be exposed:
//!   `chance of an informer × (size + chance of talking × people known beyond the meeting)`.
//!
//! Advice follows from the parts: a large meeting is split into smaller ones (the figure of each
//! is reported); newcomers meet apart from the established members; attendees who know many
//! people beyond the meeting should not all be in one room.

use serde::{Deserialize, Serialize};

/// Someone expected at the meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// Days since admission as a member; `None` for someone not (yet) a member.
    pub member_days: Option<i64>,
}

/// The assumptions, each with a default the page states.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assumptions {
    /// The chance that a newcomer is an informer.
    pub newcomer: f64,
    /// The chance that an arrested person talks.
    pub talk: f64,
    /// The largest meeting that the advice lets stand.
    pub largest: usize,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            newcomer: 0.02,
            talk: 0.3,
            largest: 12,
        }
    }
}

/// A newcomer: not a member, or a member for less than this many days.
pub const NEWCOMER_DAYS: i64 = 90;

/// The chance that this attendee is an informer.
pub fn informer_chance(a: &Attendee, s: &Assumptions) -> f64 {
    match a.member_days {
        None => s.newcomer,
        Some(d) if d < NEWCOMER_DAYS => s.newcomer,
        Some(d) if d < 365 => s.newcomer / 4.0,
        Some(_) => s.newcomer / 20.0,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Risk {
    pub size: usize,
    pub newcomers: usize,
    pub newcomer_share: f64,
    /// The chance that at least one informer is present.
    pub informer: f64,
    /// People the attendees know beyond the meeting (as given).
    pub known_beyond: u64,
    /// Expected people exposed: the risk figure.
    pub expected_exposed: f64,
    /// "low", "medium" or "high".
    pub level: &'static str,
    pub advice: Vec<String>,
    /// If the meeting were split into `parts.0` meetings, each one's expected exposure.
    pub split: Option<(usize, f64)>,
}

fn chance_of_informer(attendees: &[Attendee], s: &Assumptions) -> f64 {
    1.0 - attendees
        .iter()
        .map(|a| 1.0 - informer_chance(a, s))
        .product::<f64>()
}

/// Assesses a meeting of `attendees` whose people know `known_beyond` others beyond it.
pub fn assess(attendees: &[Attendee], known_beyond: u64, s: &Assumptions) -> Risk {
    let size = attendees.len();
    let is_new = |a: &Attendee| a.member_days.is_none_or(|d| d < NEWCOMER_DAYS);
    let newcomers = attendees.iter().filter(|a| is_new(a)).count();
    let informer = chance_of_informer(attendees, s);
    let damage = |n: usize, beyond: f64| n as f64 + s.talk * beyond;
    let expected_exposed = informer * damage(size, known_beyond as f64);
    let level = if expected_exposed < 1.0 {
        "low"
    } else if expected_exposed < 5.0 {
        "medium"
    } else {
        "high"
    };
    let mut advice = Vec::new();
    let mut split = None;
    if size > s.largest {
        let parts = size.div_ceil(s.largest);
        // Each part: its share of the people, and its share of those known beyond.
        let per = size.div_ceil(parts);
        let share = &attendees[..per.min(size)];
        let each = chance_of_informer(share, s)
            * damage(per, known_beyond as f64 * per as f64 / size as f64);
        split = Some((parts, each));
        advice.push(format!(
            "Split it: {size} people is more than {} in one room. As {parts} meetings of about \
             {per}, each would expose about {each:.1} people instead of {expected_exposed:.1}.",
            s.largest
        ));
    }
    if newcomers > 0 && newcomers < size {
        advice.push(format!(
            "Meet the {newcomers} newcomer{} apart (an open meeting or a talk) until they have \
             been members for {NEWCOMER_DAYS} days: they carry most of the chance of an informer.",
            if newcomers == 1 { "" } else { "s" }
        ));
    }
    if known_beyond as usize > 10 * size.max(1) {
        advice.push(format!(
            "Those attending know {known_beyond} people beyond this meeting: officers who sit \
             where units join should not all be in the same room."
        ));
    }
    if advice.is_empty() {
        advice.push(
            "Nothing to change: small, established, and knowing little beyond itself.".into(),
        );
    }
    Risk {
        size,
        newcomers,
        newcomer_share: if size == 0 {
            0.0
        } else {
            newcomers as f64 / size as f64
        },
        informer,
        known_beyond,
        expected_exposed,
        level,
        advice,
        split,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(n: usize) -> Vec<Attendee> {
        vec![
            Attendee {
                member_days: Some(1000)
            };
            n
        ]
    }

    #[test]
    fn the_figure_is_computed_as_the_page_says() {
        let s = Assumptions::default();
        // Two newcomers and two old members, knowing 10 people beyond.
        let mut a = old(2);
        a.push(Attendee { member_days: None });
        a.push(Attendee {
            member_days: Some(30),
        });
        let r = assess(&a, 10, &s);
        let q_new = 0.02;
        let q_old = 0.02 / 20.0;
        let informer = 1.0 - (1.0 - q_new) * (1.0 - q_new) * (1.0 - q_old) * (1.0 - q_old);
        assert!((r.informer - informer).abs() < 1e-12);
        assert!((r.expected_exposed - informer * (4.0 + 0.3 * 10.0)).abs() < 1e-12);
        assert_eq!((r.size, r.newcomers), (4, 2));
        assert_eq!(r.newcomer_share, 0.5);
        assert!(r.advice.iter().any(|a| a.contains("2 newcomers apart")));
        assert_eq!(r.split, None);
    }

    #[test]
    fn a_big_meeting_of_newcomers_is_high_risk_and_splitting_it_helps() {
        let s = Assumptions::default();
        let a = vec![Attendee { member_days: None }; 60];
        let r = assess(&a, 0, &s);
        assert_eq!(r.level, "high");
        let (parts, each) = r.split.unwrap();
        assert_eq!(parts, 5);
        assert!(each < r.expected_exposed / 4.0);
        // A small meeting of old members is low risk, with nothing to change.
        let r = assess(&old(6), 6, &s);
        assert_eq!(r.level, "low");
        assert!(r.advice[0].starts_with("Nothing to change"));
    }

    #[test]
    fn membership_age_lowers_the_chance() {
        let s = Assumptions::default();
        let c = |d| informer_chance(&Attendee { member_days: d }, &s);
        assert!(
            c(None) == c(Some(10)) && c(Some(10)) > c(Some(200)) && c(Some(200)) > c(Some(800))
        );
    }
}
