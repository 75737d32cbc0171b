//! Bounds on the text people type: every field has a kind here, with the most characters it
//! may hold.
//!
//! A text over its bound is refused, naming the field and the bound ("The party name is
//! 1,000,000 characters; at most 80"), at the edge (forms, CSV rows, the command line) and again
//! by the store before it writes: a megabyte typed into a party name must not become a
//! megabyte on every page that lists the unit's members. Each bound is chosen for what the
//! field holds; the comments say why. Lengths are counted in characters (Unicode scalar
//! values), as people count them.

use crate::quantity::Figure;
use crate::refusal::Refusal;

/// A kind of text and the most characters it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The form field (or CSV column) a refusal is shown beside.
    pub field: &'static str,
    /// What the text is, as a refusal says it: "The party name".
    pub name: &'static str,
    /// At most this many characters.
    pub max: usize,
}

impl Limit {
    /// The text, if it is no longer than the limit; else a refusal naming the field and the
    /// limit.
    pub fn check<'a>(&self, text: &'a str) -> Result<&'a str, Refusal> {
        match self.over(text) {
            None => Ok(text),
            Some(n) => Err(Refusal::on(self.field, "{} is {} characters; at most {}")
                .arg(self.name)
                .arg(Figure(n as i128))
                .arg(Figure(self.max as i128))),
        }
    }

    /// The length of a text that is too long, or `None`.
    pub fn over(&self, text: &str) -> Option<usize> {
        // A character is at least one byte: most texts pass without being counted.
        if text.len() <= self.max {
            return None;
        }
        let n = text.chars().count();
        (n > self.max).then_some(n)
    }

    /// Why a CSV cell is refused (the import names the line and the column), or `None`.
    pub fn cell_reason(&self, text: &str) -> Option<String> {
        self.over(text).map(|n| {
            format!(
                "{} characters; at most {}",
                crate::quantity::grouped(n as i128),
                crate::quantity::grouped(self.max as i128)
            )
        })
    }
}

// People. The identity fields are sealed one by one (see `store::vault`); the bounds also keep
// each ciphertext small.

/// A party name is shown everywhere a person is: a name, not a paragraph.
pub const PARTY_NAME: Limit = Limit {
    field: "pseudonym",
    name: "The party name",
    max: 80,
};
/// A membership card number, as the organisation prints them.
pub const CARD: Limit = Limit {
    field: "card",
    name: "The card number",
    max: 40,
};
/// A legal name in full, with all its given names and particles.
pub const LEGAL_NAME: Limit = Limit {
    field: "legal_name",
    name: "The legal name",
    max: 200,
};
/// The longest address the mail standard allows (RFC 5321: 254).
pub const EMAIL: Limit = Limit {
    field: "email",
    name: "The email address",
    max: 254,
};
/// A phone number with its spaces, dashes and an extension.
pub const PHONE: Limit = Limit {
    field: "phone",
    name: "The phone number",
    max: 40,
};
/// A postal address on several lines.
pub const ADDRESS: Limit = Limit {
    field: "address",
    name: "The address",
    max: 500,
};
/// A workplace: an employer and a site.
pub const WORKPLACE: Limit = Limit {
    field: "workplace",
    name: "The workplace",
    max: 200,
};
/// The secretary's notes on a person: a page of text.
pub const NOTES: Limit = Limit {
    field: "notes",
    name: "The notes",
    max: 4_000,
};
/// Why a status changed, a transfer, a refusal of an application, a payment reversed: a few
/// sentences for the record.
pub const REASON: Limit = Limit {
    field: "reason",
    name: "The reason",
    max: 1_000,
};
/// An applicant's statement: why they join, in a page.
pub const STATEMENT: Limit = Limit {
    field: "statement",
    name: "The statement",
    max: 4_000,
};
/// A task done ("sold 20 papers at the depot gate"): a sentence or two.
pub const TASK: Limit = Limit {
    field: "description",
    name: "The task",
    max: 1_000,
};
/// A password or passphrase: a long passphrase fits, and Argon2 is never fed megabytes.
pub const PASSWORD: Limit = Limit {
    field: "password",
    name: "The password",
    max: 256,
};

// Units and the organisation.

/// The organisation's own name, shown on every page.
pub const ORGANISATION_NAME: Limit = Limit {
    field: "name",
    name: "The organisation's name",
    max: 120,
};
/// A unit's name, shown in the tree, in lists and in every breadcrumb.
pub const UNIT_NAME: Limit = Limit {
    field: "name",
    name: "The unit's name",
    max: 120,
};
/// The place a unit works in, in free text ("Govan, the yards and the estates").
pub const PLACE: Limit = Limit {
    field: "area",
    name: "The place",
    max: 200,
};
/// The organisation's word for a kind of unit ("circle", "circles").
pub const KIND_NAME: Limit = Limit {
    field: "name",
    name: "The name of a kind of unit",
    max: 60,
};
/// A meeting's title, one line in the unit's list of meetings.
pub const MEETING_TITLE: Limit = Limit {
    field: "title",
    name: "The meeting's title",
    max: 200,
};
/// The body that adopted the statutes ("the Second Congress").
pub const ADOPTED_BY: Limit = Limit {
    field: "by",
    name: "The body that adopted the statutes",
    max: 200,
};
/// A file's name as uploaded, kept with the import it came from.
pub const FILE_NAME: Limit = Limit {
    field: "file",
    name: "The file's name",
    max: 255,
};
/// A bank's reference for one line of a statement.
pub const BANK_REFERENCE: Limit = Limit {
    field: "reference",
    name: "The bank's reference",
    max: 100,
};

// The paper.

/// A paper's name, on its masthead and in its feed.
pub const PUBLICATION_NAME: Limit = Limit {
    field: "name",
    name: "The paper's name",
    max: 120,
};
/// An edition's headline: one line on the front page.
pub const HEADLINE: Limit = Limit {
    field: "headline",
    name: "The headline",
    max: 200,
};
/// An article's title.
pub const ARTICLE_TITLE: Limit = Limit {
    field: "title",
    name: "The title",
    max: 200,
};
/// An article's text in Markdown: a long feature of 10,000 words is some 60,000 characters; a
/// serialised pamphlet chapter fits too.
pub const ARTICLE_BODY: Limit = Limit {
    field: "body",
    name: "The article",
    max: 200_000,
};

// The congress.

/// A congress's name ("Second Congress").
pub const CONGRESS_NAME: Limit = Limit {
    field: "name",
    name: "The congress's name",
    max: 120,
};
/// The states of a congress's motion workflow, comma-separated.
pub const MOTION_STATES: Limit = Limit {
    field: "states",
    name: "The motion workflow",
    max: 400,
};
/// An item of the agenda.
pub const AGENDA_TITLE: Limit = Limit {
    field: "title",
    name: "The agenda item",
    max: 200,
};
/// The question a vote decides, as the projector shows it.
pub const VOTE_TITLE: Limit = Limit {
    field: "title",
    name: "The question",
    max: 500,
};
/// The body an election fills ("Central Committee").
pub const ELECTION_TITLE: Limit = Limit {
    field: "title",
    name: "The body elected",
    max: 200,
};
/// A motion's title.
pub const MOTION_TITLE: Limit = Limit {
    field: "title",
    name: "The motion's title",
    max: 200,
};
/// A motion's text: draft statutes or a programme run to some 30,000 characters.
pub const MOTION_TEXT: Limit = Limit {
    field: "body",
    name: "The motion",
    max: 100_000,
};
/// An amendment's new lines: a redrafted section.
pub const AMENDMENT_TEXT: Limit = Limit {
    field: "text",
    name: "The amendment's text",
    max: 20_000,
};
/// A speaker's tag for the quota (`w`, `first-time`): a short word.
pub const TAG: Limit = Limit {
    field: "tag",
    name: "A tag",
    max: 40,
};

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Limit; 34] = [
        PARTY_NAME,
        CARD,
        LEGAL_NAME,
        EMAIL,
        PHONE,
        ADDRESS,
        WORKPLACE,
        NOTES,
        REASON,
        STATEMENT,
        TASK,
        PASSWORD,
        ORGANISATION_NAME,
        UNIT_NAME,
        PLACE,
        KIND_NAME,
        MEETING_TITLE,
        ADOPTED_BY,
        FILE_NAME,
        BANK_REFERENCE,
        PUBLICATION_NAME,
        HEADLINE,
        ARTICLE_TITLE,
        ARTICLE_BODY,
        CONGRESS_NAME,
        MOTION_STATES,
        AGENDA_TITLE,
        VOTE_TITLE,
        ELECTION_TITLE,
        MOTION_TITLE,
        MOTION_TEXT,
        AMENDMENT_TEXT,
        TAG,
        // The report form keeps its own bound; it is listed here to be checked alike.
        Limit {
            field: "text",
            name: "The report",
            max: crate::paper::reports::MAX_TEXT,
        },
    ];

    #[test]
    fn a_megabyte_party_name_is_refused_naming_the_field_and_the_limit() {
        let r = PARTY_NAME.check(&"x".repeat(1_000_000)).unwrap_err();
        assert_eq!(
            r.to_string(),
            "The party name is 1,000,000 characters; at most 80"
        );
        assert_eq!(r.field(), Some("pseudonym"));
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        // 80 Cyrillic letters are 160 bytes: still a party name of 80 characters.
        let name = "Ж".repeat(80);
        assert_eq!(PARTY_NAME.check(&name).unwrap(), name);
        assert!(PARTY_NAME.check(&"Ж".repeat(81)).is_err());
        assert_eq!(
            PARTY_NAME.cell_reason(&"Ж".repeat(81)).as_deref(),
            Some("81 characters; at most 80")
        );
    }

    #[test]
    fn every_limit_takes_its_length_and_refuses_one_more() {
        for l in ALL {
            assert!(l.max > 0, "{}", l.name);
            assert!(l.check(&"a".repeat(l.max)).is_ok(), "{}", l.name);
            assert!(l.check("").is_ok());
            let r = l.check(&"a".repeat(l.max + 1)).unwrap_err();
            assert_eq!(r.field(), Some(l.field));
            let shown = r.to_string();
            assert!(shown.starts_with(l.name), "{shown}");
            assert!(
                shown.ends_with(&format!(
                    "; at most {}",
                    crate::quantity::grouped(l.max as i128)
                )),
                "{shown}"
            );
        }
    }
}
