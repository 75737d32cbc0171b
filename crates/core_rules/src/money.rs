//! Money: amounts in integer cents, each kind with its bounds.
//!
//! An amount someone types (a payment of dues, a cover price, the money an agent remits, a
//! declared income) is read by its kind's `parse`, which refuses anything outside the kind's
//! bounds with the bound named ("The payment is 92,233,720,368,547,758.07; at most
//! 1,000,000.00"); the store checks again with `check` before it writes.
//!
//! # Why no sum can overflow
//!
//! Sums are made in `i64` cents (SQL `BIGINT`; SQLite raises "integer overflow" and PostgreSQL
//! "bigint out of range" past 9,223,372,036,854,775,807). With the bounds below:
//!
//! - **Dues.** A payment is at most 10^8 cents, and a share of it no more. The largest sum a
//!   page makes is the dues of the top unit (it takes a share of every payment): to reach
//!   9.2 × 10^18 cents it would need more than 92 billion payments at the largest amount. A
//!   million members paying every month for a century make 1.2 billion (1.2 × 10^17 cents at
//!   the largest amount: 76 times below the limit).
//! - **The paper.** A return's copies are at most 10^7 and the cover price at most 10^5 cents,
//!   so one return is due at most 10^12 cents and remits at most `REMITTED` (10^12). A unit's
//!   arrears sum its returns over a publication's editions, at most 10^6 of them
//!   (`quantity::EDITION_NUMBER`): at most 10^18 cents.
//!
//! The property tests below check these sums over many rows.

use crate::quantity::grouped;
use crate::refusal::{Refusal, Shown, Typed};

/// An amount in cents, shown with its thousands separated: `1,000,000.00`.
#[derive(Clone, Copy, Debug)]
pub struct Amount(pub i128);

impl Shown for Amount {
    fn shown(&self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let c = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", grouped((c / 100) as i128), c % 100)
    }
}

/// A kind of amount of money and its bounds, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoneyBound {
    /// The form field a refusal is shown beside.
    pub field: &'static str,
    /// What the amount is, as a refusal says it: "The payment".
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
}

/// One payment of dues: more than nothing, and at most 1,000,000.00. Dues are a few percent of
/// a month's income; a payment a thousand times a year's dues is a typing error, and a real
/// one (a legacy, a donation) is not dues.
pub const PAYMENT: MoneyBound = MoneyBound {
    field: "amount",
    name: "The payment",
    min: 1,
    max: 100_000_000,
};

/// A declared monthly income, for dues by income band: up to 10,000,000.00 a month.
pub const INCOME: MoneyBound = MoneyBound {
    field: "monthly_income",
    name: "The monthly income",
    min: 0,
    max: 1_000_000_000,
};

/// An edition's cover price: up to 1,000.00 (a paper sells for coins).
pub const PRICE: MoneyBound = MoneyBound {
    field: "price",
    name: "The cover price",
    min: 0,
    max: 100_000,
};

/// The money an agent remits for one bundle: at most the largest bundle's copies at the highest
/// cover price (10^7 × 1,000.00), so that an agent can always pay what is due.
pub const REMITTED: MoneyBound = MoneyBound {
    field: "remitted",
    name: "The money remitted",
    min: 0,
    max: crate::quantity::RECEIVED.max as i64 * PRICE.max,
};

/// Why typed money could not be read at all.
enum Unreadable {
    NotMoney,
    TooLarge,
}

/// `12`, `12.5`, `12.50`, `-3.00` in cents.
fn read_cents(s: &str) -> Result<i128, Unreadable> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Unreadable::NotMoney);
    }
    if whole.trim_start_matches('0').len() > 30 {
        return Err(Unreadable::TooLarge);
    }
    let whole: i128 = whole.parse().map_err(|_| Unreadable::NotMoney)?;
    let frac: i128 = format!("{frac:0<2}").parse().unwrap_or(0);
    let cents = whole * 100 + frac;
    Ok(if neg { -cents } else { cents })
}

impl MoneyBound {
    /// Reads an amount written as `12`, `12.5` or `12.50` (a point, at most two decimals) and
    /// checks it against the bounds.
    pub fn parse(&self, typed: &str) -> Result<i64, Refusal> {
        let t = typed.trim();
        match read_cents(t) {
            Ok(c) => self.check(c).map(|c| c as i64),
            Err(Unreadable::NotMoney) => Err(Refusal::on(
                self.field,
                "{}: {} is not an amount of money; write it like 12.50 (at most 2 decimals)",
            )
            .arg(self.name)
            .arg(Typed(t))),
            Err(Unreadable::TooLarge) => Err(Refusal::on(self.field, "{}: {} is more than {}")
                .arg(self.name)
                .arg(Typed(t))
                .arg(Amount(self.max as i128))),
        }
    }

    /// The amount, if it lies within the bounds; else a refusal that names them.
    pub fn check<N: Into<i128> + Copy>(&self, cents: N) -> Result<N, Refusal> {
        let c: i128 = cents.into();
        if c > self.max as i128 {
            return Err(Refusal::on(self.field, "{} is {}; at most {}")
                .arg(self.name)
                .arg(Amount(c))
                .arg(Amount(self.max as i128)));
        }
        if c < self.min as i128 {
            let least = if self.min == 1 {
                "{} is {}; it must be more than 0.00"
            } else {
                "{} is {}; at least {}"
            };
            return Err(Refusal::on(self.field, least)
                .arg(self.name)
                .arg(Amount(c))
                .arg(Amount(self.min as i128)));
        }
        Ok(cents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_shown_grouped() {
        assert_eq!(Amount(100_000_000).shown(), "1,000,000.00");
        assert_eq!(Amount(5).shown(), "0.05");
        assert_eq!(Amount(-250).shown(), "-2.50");
        assert_eq!(
            Amount(i64::MAX as i128).shown(),
            "92,233,720,368,547,758.07"
        );
    }

    #[test]
    fn the_attack_payment_is_refused_naming_the_bound() {
        let r = PAYMENT.parse("92233720368547758.07").unwrap_err();
        assert_eq!(
            r.to_string(),
            "The payment is 92,233,720,368,547,758.07; at most 1,000,000.00"
        );
        assert_eq!(r.field(), Some("amount"));
        assert_eq!(PAYMENT.parse("1000000").unwrap(), 100_000_000);
        assert_eq!(PAYMENT.parse(" 12.5 ").unwrap(), 1250);
        assert!(PAYMENT.parse("1000000.01").is_err());
    }

    #[test]
    fn nothing_negative_or_unreadable_is_a_payment() {
        assert_eq!(
            PAYMENT.parse("0").unwrap_err().to_string(),
            "The payment is 0.00; it must be more than 0.00"
        );
        assert!(PAYMENT.parse("-3").is_err());
        assert_eq!(
            PAYMENT.parse("12,50").unwrap_err().to_string(),
            "The payment: \"12,50\" is not an amount of money; write it like 12.50 (at most 2 decimals)"
        );
        assert!(PAYMENT.parse("1.234").is_err());
        assert!(PAYMENT.parse("").is_err());
        let r = PAYMENT.parse(&"9".repeat(200)).unwrap_err().to_string();
        assert!(r.ends_with("is more than 1,000,000.00"), "{r}");
    }

    #[test]
    fn every_bound_takes_its_ends_and_refuses_past_them() {
        for b in [PAYMENT, INCOME, PRICE, REMITTED] {
            assert!(b.min <= b.max);
            assert_eq!(b.check(b.max).unwrap(), b.max);
            assert_eq!(b.check(b.min).unwrap(), b.min);
            let over = b.check(b.max + 1).unwrap_err();
            assert_eq!(over.field(), Some(b.field));
            assert!(over.to_string().starts_with(b.name));
            assert!(b.check(b.min - 1).is_err());
            assert!(b.check(i64::MAX).is_err());
            assert!(b.check(i64::MIN).is_err());
            assert_eq!(
                b.parse(&format!("{}", b.max / 100)).is_ok(),
                b.max % 100 == 0
            );
        }
    }

    #[test]
    fn a_century_of_payments_at_the_largest_amount_fits_with_room_to_spare() {
        // The comment at the top: 1.2 billion payments at the bound, 76 times below the limit.
        let worst = PAYMENT.max as i128 * 1_200_000_000;
        assert!(worst * 76 < i64::MAX as i128);
        // A unit's paper accounts: a million editions at the largest return.
        let due = crate::quantity::SOLD.max as i128 * PRICE.max as i128 * 1_000_000;
        assert!(due < i64::MAX as i128 && REMITTED.max as i128 * 1_000_000 < i64::MAX as i128);
    }

    /// Sums `times` copies of each amount in `i64`, as the database does, refusing to wrap.
    fn sum_i64(rows: &[(i64, u32)]) -> Option<i64> {
        rows.iter().try_fold(0i64, |acc, &(a, n)| {
            a.checked_mul(n as i64).and_then(|x| acc.checked_add(x))
        })
    }

    proptest! {
        /// Up to 1.2 billion payments (a million members, monthly, for a century), each
        /// anywhere within the bounds, sum without overflow: the top unit's dues over all its
        /// history fit in a BIGINT.
        #[test]
        fn a_century_of_payments_in_bounds_sums_without_overflow(
            rows in prop::collection::vec((PAYMENT.min..=PAYMENT.max, 1u32..=1_200_000), 1..1_000)
        ) {
            let exact: i128 = rows.iter().map(|&(a, n)| a as i128 * n as i128).sum();
            prop_assert_eq!(sum_i64(&rows).map(|s| s as i128), Some(exact));
        }

        /// A unit's paper arrears over a million editions, every return at the largest copies
        /// and price, fit as well.
        #[test]
        fn a_units_paper_accounts_in_bounds_sum_without_overflow(
            rows in prop::collection::vec((0..=crate::quantity::SOLD.max as i64, PRICE.min..=PRICE.max, 1u32..=1_000), 1..1_000)
        ) {
            let due: Vec<(i64, u32)> = rows.iter().map(|&(sold, price, n)| (sold * price, n)).collect();
            let exact: i128 = due.iter().map(|&(a, n)| a as i128 * n as i128).sum();
            prop_assert_eq!(sum_i64(&due).map(|s| s as i128), Some(exact));
            let remitted: Vec<(i64, u32)> = rows.iter().map(|&(_, _, n)| (REMITTED.max, n)).collect();
            prop_assert!(sum_i64(&remitted).is_some());
        }
    }
}
