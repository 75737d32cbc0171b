//! Words for people, made at the edge: the store and the rules hand over typed data, and the
//! pages (and the PDFs they ask for) put it into sentences here. Today in English; the
//! languages issue puts each sentence into the reader's language in this one place.

use core_rules::congress::record::{Happening, Presence};
use count::motion::Decision;
use store::congress::{Congress, Minute};

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
        Happening::Registered { kind } => format!("{who} registered as {}.", kind.words()),
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
            m.edit.as_ref().map(|e| e.describe()).unwrap_or_default()
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
