//! Bounds on the whole numbers people type: copies of the paper, mandates, seats, quorums,
//! minutes per speech.
//!
//! Every number a form, a file or the command line carries has a kind here, with the smallest
//! and largest value the organisation can mean by it. A value outside them is refused, naming
//! the kind and the bound ("The standing order is 9,223,372,036,854,775,807 copies; at most
//! 1,000,000 copies"), before anything is written, and the store checks again before it
//! writes. The bounds are far above anything real and far below what overflows a sum: each
//! comment says why the number was chosen, and `money` and the tests show the sums that fit.

use crate::refusal::{Refusal, Shown, Typed};

/// A whole number written with thousands separated: `1,000,000`.
#[derive(Clone, Copy, Debug)]
pub struct Figure(pub i128);

impl Shown for Figure {
    fn shown(&self) -> String {
        grouped(self.0)
    }
}

/// `n` with a comma every three digits.
pub(crate) fn grouped(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A kind of whole number and its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The form field a refusal is shown beside.
    pub field: &'static str,
    /// What the number is, as a refusal says it: "The standing order".
    pub name: &'static str,
    /// What it counts, after the figure (with its leading space): " copies".
    pub unit: &'static str,
    pub min: u64,
    pub max: u64,
}

impl Bound {
    /// Reads what was typed (a whole number, nothing else) and checks it against the bounds.
    pub fn parse(&self, typed: &str) -> Result<u64, Refusal> {
        let t = typed.trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Refusal::on(self.field, "{}: {} is not a whole number")
                .arg(self.name)
                .arg(Typed(t)));
        }
        // More digits than any bound has: too large (or too small), whatever they say.
        let n: i128 = if digits.trim_start_matches('0').len() > 30 {
            if negative {
                i128::MIN
            } else {
                i128::MAX
            }
        } else {
            let v: i128 = digits.parse().unwrap_or(0);
            if negative {
                -v
            } else {
                v
            }
        };
        self.check(n).map(|n| n as u64)
    }

    /// The number, if it lies within the bounds; else a refusal that names them.
    pub fn check<N: Into<i128> + Copy>(&self, n: N) -> Result<N, Refusal> {
        let v: i128 = n.into();
        if v > self.max as i128 {
            return Err(Refusal::on(self.field, "{} is {}{}; at most {}{}")
                .arg(self.name)
                .arg(Counted(v))
                .arg(self.unit)
                .arg(Figure(self.max as i128))
                .arg(self.unit));
        }
        if v < self.min as i128 {
            return Err(Refusal::on(self.field, "{} is {}{}; at least {}{}")
                .arg(self.name)
                .arg(Counted(v))
                .arg(self.unit)
                .arg(Figure(self.min as i128))
                .arg(self.unit));
        }
        Ok(n)
    }
}

/// A figure as typed, or "more than can be counted" for the absurd ones `parse` met.
#[derive(Clone, Copy, Debug)]
struct Counted(i128);

impl Shown for Counted {
    fn shown(&self) -> String {
        match self.0 {
            i128::MAX => "more than can be counted".to_string(),
            i128::MIN => "less than can be counted".to_string(),
            n => grouped(n),
        }
    }
}

// The paper.

/// The most copies any one count of the paper holds: a unit's standing order, and each figure
/// of an agent's return. Iskra of 1912 printed some 40,000 copies a day for a whole country;
/// a million copies in one unit's bundle is far beyond any real order, and far below what
/// overflows a sum (see `money::REMITTED` and the plan's checked sums).
pub const MAX_COPIES: u64 = 1_000_000;

/// A unit's standing order, copies of each edition (0 ends it).
pub const ORDER: Bound = Bound {
    field: "copies",
    name: "The standing order",
    unit: " copies",
    min: 0,
    max: MAX_COPIES,
};

/// One subscriber's copies of each edition: a reader takes one, a workplace a few dozen; a
/// thousand is a standing order and belongs there.
pub const SUBSCRIPTION: Bound = Bound {
    field: "copies",
    name: "A subscription",
    unit: " copies",
    min: 1,
    max: 1_000,
};

/// The figures of an agent's return: each no more than a bundle can hold. A bundle is the
/// unit's order and its subscribers' copies, so it can pass `MAX_COPIES` a little; the return
/// is checked against the bundle itself as well.
pub const RECEIVED: Bound = Bound {
    field: "received",
    name: "The count of copies received",
    unit: "",
    min: 0,
    max: 10 * MAX_COPIES,
};
pub const SOLD: Bound = Bound {
    field: "sold",
    name: "The count of copies sold",
    ..RECEIVED
};
pub const FREE: Bound = Bound {
    field: "free",
    name: "The count of copies given free",
    ..RECEIVED
};
pub const RETURNED: Bound = Bound {
    field: "returned",
    name: "The count of copies returned",
    ..RECEIVED
};

/// The reserve printed on top of the orders, as a percentage (a reserve larger than ten times
/// the orders is a mistake, not a policy).
pub const RESERVE: Bound = Bound {
    field: "reserve",
    name: "The reserve",
    unit: "%",
    min: 0,
    max: 1_000,
};

/// An edition's number: a daily paper reaches 1,000,000 in some 2,700 years.
pub const EDITION_NUMBER: Bound = Bound {
    field: "number",
    name: "The edition number",
    unit: "",
    min: 1,
    max: 1_000_000,
};

// The congress.

/// Mandates a delegate holds: a unit's share of a congress. A congress of a million members
/// at one mandate per member would still be under this bound per delegate.
pub const MANDATES: Bound = Bound {
    field: "mandates",
    name: "The mandates",
    unit: " mandates",
    min: 0,
    max: 1_000_000,
};

/// Seats an election fills (a central committee, an editorial board, a unit's delegates).
pub const SEATS: Bound = Bound {
    field: "seats",
    name: "The seats to fill",
    unit: " seats",
    min: 1,
    max: 1_000,
};

/// Each term of the quorum's fraction (1/2, 2/3): small numbers; 1,000 allows any
/// fraction anyone writes.
pub const QUORUM_NUM: Bound = Bound {
    field: "quorum_num",
    name: "The quorum's numerator",
    unit: "",
    min: 1,
    max: 1_000,
};
pub const QUORUM_DEN: Bound = Bound {
    field: "quorum_den",
    name: "The quorum's denominator",
    ..QUORUM_NUM
};

/// Delegates who must support a motion before it is admitted: at most a congress's size.
pub const SUPPORTERS: Bound = Bound {
    field: "supporters",
    name: "The supporters a motion needs",
    unit: "",
    min: 0,
    max: 100_000,
};

/// A speech's time limit: two hours is longer than any congress lets anyone speak.
pub const SPEECH_MINUTES: Bound = Bound {
    field: "minutes",
    name: "The time limit per speech",
    unit: " minutes",
    min: 1,
    max: 120,
};

/// The figure of an apportionment rule: members per delegate, or the delegates in all. Zero
/// is refused by the rule itself, in its own words ("one delegate per 0 members is not a
/// rule"), so the bound starts there.
pub const APPORTION_NUMBER: Bound = Bound {
    field: "number",
    name: "The rule's number",
    unit: "",
    min: 0,
    max: 1_000_000,
};

/// The delegates every unit gets at least.
pub const APPORTION_MIN: Bound = Bound {
    field: "min",
    name: "The minimum per unit",
    unit: " delegates",
    min: 0,
    max: 1_000,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(-1_234_567), "-1,234,567");
        assert_eq!(grouped(i64::MAX as i128), "9,223,372,036,854,775,807");
    }

    #[test]
    fn the_largest_order_is_refused_naming_the_bound() {
        let r = ORDER.parse("9223372036854775807").unwrap_err();
        assert_eq!(
            r.to_string(),
            "The standing order is 9,223,372,036,854,775,807 copies; at most 1,000,000 copies"
        );
        assert_eq!(r.field(), Some("copies"));
        assert_eq!(ORDER.parse(" 1000000 ").unwrap(), 1_000_000);
        assert_eq!(ORDER.parse("0").unwrap(), 0);
        assert!(ORDER.parse("1000001").is_err());
    }

    #[test]
    fn absurd_and_negative_and_non_numbers_are_refused() {
        let r = ORDER.parse(&"9".repeat(100)).unwrap_err().to_string();
        assert!(r.contains("more than can be counted"), "{r}");
        assert!(r.contains("at most 1,000,000 copies"), "{r}");
        let r = ORDER.parse("-5").unwrap_err().to_string();
        assert_eq!(r, "The standing order is -5 copies; at least 0 copies");
        let r = ORDER.parse("ten").unwrap_err().to_string();
        assert_eq!(r, "The standing order: \"ten\" is not a whole number");
        assert!(ORDER.parse("").is_err());
        assert!(ORDER.parse("1.5").is_err());
    }

    #[test]
    fn every_bound_takes_its_ends_and_refuses_past_them() {
        for b in [
            ORDER,
            SUBSCRIPTION,
            RECEIVED,
            SOLD,
            FREE,
            RETURNED,
            RESERVE,
            EDITION_NUMBER,
            MANDATES,
            SEATS,
            QUORUM_NUM,
            QUORUM_DEN,
            SUPPORTERS,
            SPEECH_MINUTES,
            APPORTION_NUMBER,
            APPORTION_MIN,
        ] {
            assert!(b.min <= b.max, "{}", b.name);
            assert_eq!(b.check(b.max).unwrap(), b.max);
            assert_eq!(b.check(b.min).unwrap(), b.min);
            let over = b.check(b.max + 1).unwrap_err();
            assert_eq!(over.field(), Some(b.field));
            assert!(over.to_string().starts_with(b.name), "{over}");
            assert!(over.to_string().contains(&grouped(b.max as i128)), "{over}");
            if b.min > 0 {
                assert!(b.check(b.min - 1).is_err());
            }
            assert!(b.check(-1i64).is_err());
            assert!(b.check(i64::MAX).is_err());
        }
    }
}
