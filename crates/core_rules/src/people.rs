//! People and their standing in the organisation.

use crate::Day;
use serde::{Deserialize, Serialize};

/// A person as their unit knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub card: Option<String>,
    pub pseudonym: String,
    pub unit_id: i64,
    pub status: Status,
    pub since: Day,
    pub admitted_on: Option<Day>,
    pub programme_accepted: bool,
    pub monthly_income_cents: Option<i64>,
    pub reduced_rate: bool,
}

/// Where a person stands. Every change of status is kept in the person's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The periphery: reads the paper, comes to open events, has a voice but no vote.
    Supporter,
    /// Has asked a unit to admit them.
    Applicant,
    /// Admitted by a unit.
    Member,
    /// Was a member; stopped paying or taking part.
    Lapsed,
    /// Left of their own accord.
    Left,
    /// Expelled by a decision of a body empowered to do so.
    Expelled,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Supporter,
        Status::Applicant,
        Status::Member,
        Status::Lapsed,
        Status::Left,
        Status::Expelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supporter => "supporter",
            Status::Applicant => "applicant",
            Status::Member => "member",
            Status::Lapsed => "lapsed",
            Status::Left => "left",
            Status::Expelled => "expelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether someone of this status has left the organisation (of their own accord or by
    /// expulsion), and with it every body they belonged to.
    pub fn has_left(self) -> bool {
        matches!(self, Status::Left | Status::Expelled)
    }
}

/// The identifying details of a person, kept apart from the pseudonym by which they are known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub legal_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub workplace: String,
    pub notes: String,
}

impl Identity {
    /// Every field within its bound (see `crate::text`), or the first one that is not.
    pub fn check_bounds(&self) -> Result<(), crate::Refusal> {
        use crate::text;
        text::LEGAL_NAME.check(&self.legal_name)?;
        text::EMAIL.check(&self.email)?;
        text::PHONE.check(&self.phone)?;
        text::ADDRESS.check(&self.address)?;
        text::WORKPLACE.check(&self.workplace)?;
        text::NOTES.check(&self.notes)?;
        Ok(())
    }
}

/// Normalises an email address for matching duplicates: trimmed and lower-cased.
pub fn email_key(email: &str) -> Option<String> {
    let e = email.trim().to_lowercase();
    (!e.is_empty()).then_some(e)
}

/// Normalises a phone number for matching duplicates: digits only, a leading `+` kept, and a
/// leading `00` read as `+`. Too short to be a number is no key at all.
pub fn phone_key(phone: &str) -> Option<String> {
    let t = phone.trim();
    let mut digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let plus = t.starts_with('+') || digits.starts_with("00");
    if digits.starts_with("00") {
        digits.drain(..2);
    }
    if digits.len() < 6 {
        return None;
    }
    Some(if plus { format!("+{digits}") } else { digits })
}

/// Checks an email address just enough to catch a column mix-up.
pub fn plausible_email(email: &str) -> bool {
    let e = email.trim();
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_keys_match_the_same_number_written_differently() {
        assert_eq!(
            phone_key("+44 141 555 0101"),
            phone_key("0044-141-555-0101")
        );
        assert_eq!(phone_key("(0141) 555 0101").as_deref(), Some("01415550101"));
        assert_eq!(phone_key("12"), None);
    }

    #[test]
    fn email_keys_ignore_case_and_space() {
        assert_eq!(
            email_key(" Vera@Example.org "),
            email_key("vera@example.org")
        );
        assert!(plausible_email("a@b.org"));
        assert!(!plausible_email("not an email"));
    }
}
