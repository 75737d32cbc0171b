//! Words for people, made at the edge: the store and the rules hand over typed data, and the
//! pages (and the PDFs they ask for) put it into sentences here. Today in English; the
//! languages issue puts each sentence into the reader's language in this one place.

pub mod count;
pub mod standing;

use ::count::motion::Decision;
use core_rules::congress::record::{Happening, Kind, Presence};
use core_rules::congress::text::Edit;
use store::congress::{Congress, Minute};

/// How a participant takes part.
pub fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Delegate => "delegate",
        Kind::Substitute => "substitute",
        Kind::Consultative => "consultative voice",
        Kind::Guest => "guest",
    }
}

/// What an amendment does: "replace lines 3–4", "insert after line 2", "delete line 5".
pub fn edit(e: &Edit) -> String {
    let range = |f: usize, t: usize| {
        if f == t {
            format!("line {f}")
        } else {
            format!("lines {f}–{t}")
        }
    };
    match e {
        Edit::Replace { from, to, .. } => format!("replace {}", range(*from, *to)),
        Edit::InsertAfter { line: 0, .. } => "insert before line 1".to_string(),
        Edit::InsertAfter { line, .. } => format!("insert after line {line}"),
        Edit::Delete { from, to } => format!("delete {}", range(*from, *to)),
    }
}

/// The minutes, one sentence per entry of the congress's record.
pub fn minutes(c: &Congress, entries: &[Minute]) -> Vec<String> {
    entries.iter().map(|m| minute(c, m)).collect()
}

fn minute(c: &Congress, m: &Minute) -> String {
    let who = m.who.as_deref().unwrap_or("—");
    let about = m.about.as_deref().unwrap_or_default();
    let hall = |p: &Presence| format!("{} of {} mandates present", p.present, p.entitled);
    match &m.happening {
        Happening::Convened { mandates } => format!(
            "{} convened for {}, membership counted on {}: {mandates} mandates apportioned.",
            c.name, c.held_on, c.membership_on
        ),
        Happening::Registered { kind } => format!("{who} registered as {}.", self::kind(*kind)),
        Happening::Credential { accepted } => format!(
            "The credentials committee {} the mandate of {who}.",
            if *accepted { "accepted" } else { "rejected" }
        ),
        Happening::CheckIn { presence, .. } => format!("{who} checked in; {}.", hall(presence)),
        Happening::CheckOut(p) => format!("{who} left the hall; {}.", hall(p)),
        Happening::Walkout {
            delegates,
            presence,
        } => format!(
            "{delegates} delegates walked out together; {}.",
            hall(presence)
        ),
        Happening::AgendaItem => format!("Agenda item: {about}."),
        Happening::Floor {
            point_of_order: false,
        } => format!("{who} asked for the floor on “{about}”."),
        Happening::Floor {
            point_of_order: true,
        } => format!("{who} raised a point of order on “{about}”."),
        Happening::Spoke => format!("{who} spoke on “{about}”."),
        Happening::Motion => format!("Motion “{about}” submitted by {who}."),
        Happening::MotionState { state } => format!("Motion “{about}” is now {state}."),
        Happening::Amendment => format!(
            "{who} moved amendment {}: {}.",
            m.subject_id.unwrap_or(0),
            m.edit.as_ref().map(edit).unwrap_or_default()
        ),
        Happening::VoteOpened { secret } => format!(
            "Vote opened ({}): {about}.",
            if *secret { "secret ballot" } else { "roll call" }
        ),
        Happening::VoteClosed(t) => format!(
            "Vote closed: {about}. Yes {}, no {}, abstain {}; {}. {}.",
            t.yes,
            t.no,
            t.abstain,
            hall(&t.presence),
            match t.decision {
                Decision::Adopted => "Adopted",
                Decision::Rejected => "Rejected",
                Decision::NoQuorum => "No quorum: no decision",
            }
        ),
        Happening::StatutesAmended { version } => format!(
            "The statutes are amended as adopted in motion “{about}” (version {version}), in force from the congress's day."
        ),
        Happening::StatutesUnread { reason } => {
            format!("The statutes are not changed by motion “{about}”: {reason}.")
        }
        Happening::ElectionCalled => format!("Election called: {about}."),
        Happening::BallotOpened => format!("Ballot opened: {about}."),
        Happening::BallotClosed { .. } => {
            format!("Ballot closed: {about}. Elected: {}.", m.elected.join(", "))
        }
        Happening::Unknown { kind } => format!("{kind}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amendment_says_what_it_does_to_which_lines() {
        let t = || vec!["new".to_string()];
        for (e, words) in [
            (
                Edit::Replace {
                    from: 3,
                    to: 4,
                    text: t(),
                },
                "replace lines 3–4",
            ),
            (
                Edit::Replace {
                    from: 3,
                    to: 3,
                    text: t(),
                },
                "replace line 3",
            ),
            (
                Edit::InsertAfter { line: 0, text: t() },
                "insert before line 1",
            ),
            (
                Edit::InsertAfter { line: 2, text: t() },
                "insert after line 2",
            ),
            (Edit::Delete { from: 5, to: 5 }, "delete line 5"),
        ] {
            assert_eq!(edit(&e), words);
        }
    }
}
