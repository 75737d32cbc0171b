//! Calendar days and months as the organisation counts them.
//!
//! Dates are stored as ISO text (`YYYY-MM-DD`, `YYYY-MM`) so that both backends compare and index
//! them the same way, and so that a dump of the database reads as a person would write it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use time::{Date, Month as TMonth};

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(Date);

/// A dues period: one calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a date of the form YYYY-MM-DD")]
pub struct BadDay(pub String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a month of the form YYYY-MM")]
pub struct BadMonth(pub String);

// What was typed, and the form it should have.
impl crate::refusal::RuleError for BadDay {}
impl crate::refusal::RuleError for BadMonth {}

/// Where "today" comes from: the system's calendar, or a day a test or a rehearsal sets.
///
/// The store holds one and every page and rule asks it, so that a test can live through the
/// thirty days after which a report's sender is cleared, or the month in which dues fall due,
/// without waiting for them. Clones share the one clock: moving it moves every holder's.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI32>>);

impl Clock {
    /// The system's calendar, in UTC.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stays on `day` until it is moved.
    pub fn fixed(day: Day) -> Clock {
        Clock(Some(Arc::new(AtomicI32::new(day.0.to_julian_day()))))
    }

    pub fn today(&self) -> Day {
        match &self.0 {
            None => Day::today(),
            Some(d) => Day(Date::from_julian_day(d.load(Ordering::Relaxed))
                .expect("a fixed clock holds a day it was given")),
        }
    }

    /// Moves a fixed clock to `day`. The system's calendar cannot be moved: `false`.
    pub fn set(&self, day: Day) -> bool {
        match &self.0 {
            None => false,
            Some(d) => {
                d.store(day.0.to_julian_day(), Ordering::Relaxed);
                true
            }
        }
    }
}

impl Day {
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Day> {
        let m = TMonth::try_from(month).ok()?;
        Date::from_calendar_date(year, m, day).ok().map(Day)
    }

    /// Today in UTC. The organisation's dates carry no time zone: a meeting is held on a day.
    /// Code that a test may want to move through time asks a [`Clock`] instead.
    pub fn today() -> Day {
        Day(time::OffsetDateTime::now_utc().date())
    }

    pub fn parse(s: &str) -> Result<Day, BadDay> {
        let b = s.as_bytes();
        let bad = || BadDay(s.to_string());
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let y: i32 = s[0..4].parse().map_err(|_| bad())?;
        let m: u8 = s[5..7].parse().map_err(|_| bad())?;
        let d: u8 = s[8..10].parse().map_err(|_| bad())?;
        Day::from_ymd(y, m, d).ok_or_else(bad)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> Month {
        Month {
            year: self.0.year(),
            month: self.0.month() as u8,
        }
    }

    pub fn add_days(self, n: i64) -> Day {
        Day(self.0 + time::Duration::days(n))
    }

    /// Days from `earlier` to `self` (negative when `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        (self.0 - earlier.0).whole_days()
    }

    pub fn day_of_month(self) -> u8 {
        self.0.day()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month() as u8,
            self.0.day()
        )
    }
}

impl TryFrom<String> for Day {
    type Error = BadDay;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Day::parse(&s)
    }
}

impl From<Day> for String {
    fn from(d: Day) -> String {
        d.to_string()
    }
}

impl Month {
    pub fn new(year: i32, month: u8) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    pub fn parse(s: &str) -> Result<Month, BadMonth> {
        let bad = || BadMonth(s.to_string());
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(bad());
        }
        let y: i32 = s[0..4].parse().map_err(|_| bad())?;
        let m: u8 = s[5..7].parse().map_err(|_| bad())?;
        Month::new(y, m).ok_or_else(bad)
    }

    fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    fn from_index(i: i64) -> Month {
        Month {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u8,
        }
    }

    /// The month `months` later (earlier when negative). A method rather than `ops::Add`, because
    /// it adds a count of months, not another month.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, months: i64) -> Month {
        Month::from_index(self.index() + months)
    }

    /// Whole months from `earlier` to `self`.
    pub fn since(self, earlier: Month) -> i64 {
        self.index() - earlier.index()
    }

    pub fn first_day(self) -> Day {
        Day::from_ymd(self.year, self.month, 1).expect("a month's first day exists")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_reject_nonsense() {
        assert_eq!(Day::parse("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(Day::parse("2026-02-30").is_err());
        assert!(Day::parse("26-2-3").is_err());
        assert!(Day::parse("2026-13-01").is_err());
    }

    #[test]
    fn months_count_across_years() {
        let a = Month::parse("2025-11").unwrap();
        let b = Month::parse("2026-02").unwrap();
        assert_eq!(b.since(a), 3);
        assert_eq!(a.add(3), b);
        assert_eq!(b.add(-14).to_string(), "2024-12");
    }
}
