//! Dues: what a member owes each month, and how each payment is split between the member's unit
//! and the bodies above it. All money is in integer cents.

use crate::statutes::StatutesError;
use crate::units::UnitKind;
use serde::{Deserialize, Serialize};

/// One band of declared monthly income and the dues it owes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// The band covers incomes up to and including this many cents; `None` for the top band.
    pub up_to_cents: Option<i64>,
    /// Dues as thousandths of income (10 = 1%)...
    #[serde(default)]
    pub per_mille: i64,
    /// ...or a fixed amount for the band (used when `per_mille` is 0).
    #[serde(default)]
    pub fixed_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// The same monthly amount for everyone.
    Fixed { monthly_cents: i64 },
    /// A share of declared income, by bands.
    IncomeBands { bands: Vec<Band> },
}

/// A body's share of every payment, by the kind of unit it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub kind: String,
    pub percent: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuesRules {
    pub schedule: Schedule,
    /// The reduced monthly rate for the unwaged, students and pensioners.
    pub reduced_monthly_cents: i64,
    /// How each payment is divided among the member's unit and the units above it.
    pub split: Vec<Share>,
}

impl DuesRules {
    pub fn founding() -> DuesRules {
        DuesRules {
            schedule: Schedule::IncomeBands {
                bands: vec![
                    Band {
                        up_to_cents: Some(100_000),
                        per_mille: 0,
                        fixed_cents: 300,
                    },
                    Band {
                        up_to_cents: Some(250_000),
                        per_mille: 10,
                        fixed_cents: 0,
                    },
                    Band {
                        up_to_cents: None,
                        per_mille: 20,
                        fixed_cents: 0,
                    },
                ],
            },
            reduced_monthly_cents: 100,
            split: vec![
                Share {
                    kind: "circle".into(),
                    percent: 40,
                },
                Share {
                    kind: "local".into(),
                    percent: 25,
                },
                Share {
                    kind: "regional".into(),
                    percent: 15,
                },
                Share {
                    kind: "central".into(),
                    percent: 20,
                },
            ],
        }
    }

    pub fn validate(&self, kinds: &[UnitKind]) -> Result<(), StatutesError> {
        let mut total = 0;
        for s in &self.split {
            if !kinds.iter().any(|k| k.code == s.kind) {
                return Err(StatutesError::UnknownKind(s.kind.clone()));
            }
            if s.percent < 0 {
                return Err(StatutesError::NegativeShare(s.kind.clone()));
            }
            total += s.percent;
        }
        if total != 100 {
            return Err(StatutesError::SplitNotWhole(total));
        }
        if self.reduced_monthly_cents < 0 {
            return Err(StatutesError::NegativeRate(self.reduced_monthly_cents));
        }
        match &self.schedule {
            Schedule::Fixed { monthly_cents } if *monthly_cents < 0 => {
                Err(StatutesError::NegativeRate(*monthly_cents))
            }
            Schedule::Fixed { .. } => Ok(()),
            Schedule::IncomeBands { bands } => {
                let mut last = -1;
                for (i, b) in bands.iter().enumerate() {
                    if b.per_mille < 0 || b.fixed_cents < 0 {
                        return Err(StatutesError::NegativeRate(b.per_mille.min(b.fixed_cents)));
                    }
                    match b.up_to_cents {
                        Some(up) if up <= last => {
                            return Err(StatutesError::BandsOutOfOrder(i + 1))
                        }
                        Some(up) => last = up,
                        None if i + 1 != bands.len() => {
                            return Err(StatutesError::BandsOutOfOrder(i + 2))
                        }
                        None => return Ok(()),
                    }
                }
                Err(StatutesError::NoOpenBand)
            }
        }
    }

    /// The monthly dues for a declared monthly income (in cents), or the reduced rate.
    pub fn monthly_due(&self, income_cents: Option<i64>, reduced: bool) -> i64 {
        if reduced {
            return self.reduced_monthly_cents;
        }
        match &self.schedule {
            Schedule::Fixed { monthly_cents } => *monthly_cents,
            Schedule::IncomeBands { bands } => {
                let income = income_cents.unwrap_or(0).max(0);
                let band = bands
                    .iter()
                    .find(|b| b.up_to_cents.is_none_or(|up| income <= up))
                    .or(bands.last());
                match band {
                    Some(b) if b.per_mille > 0 => income * b.per_mille / 1000,
                    Some(b) => b.fixed_cents,
                    None => 0,
                }
            }
        }
    }

    /// Splits a payment among the member's unit and the units above it.
    ///
    /// `chain` lists the units from the member's own unit up to the top: id, kind, and whether
    /// the unit is closed. Each unit receives its kind's share, rounded down to the cent; what
    /// is left (shares of kinds absent from the chain, and the odd cents) stays with the
    /// member's own unit, which collected it. The parts always add up to the payment.
    ///
    /// A closed unit's money does not pass through units that may not know of it. Above the
    /// lowest closed unit of the chain, only bodies of the kinds `closed_seen_by` names may know
    /// of it (the rule the `access` crate applies to offices: a closed unit between an office's unit
    /// and the unit it looks at hides it, except from the bodies the statutes name). The share
    /// of every other unit up there goes to the nearest body that may know of it: the first
    /// unit above the closed one whose kind is named, or, if none is, the closed unit itself.
    pub fn split(
        &self,
        amount_cents: i64,
        chain: &[ChainUnit<'_>],
        closed_seen_by: &[String],
    ) -> Vec<(i64, i64)> {
        let mut parts: Vec<(i64, i64)> = Vec::with_capacity(chain.len());
        let mut given = 0;
        for u in chain {
            let pct = self
                .split
                .iter()
                .filter(|s| s.kind == u.kind)
                .map(|s| s.percent)
                .sum::<i64>();
            let part = amount_cents * pct / 100;
            given += part;
            parts.push((u.id, part));
        }
        if let Some(first) = parts.first_mut() {
            first.1 += amount_cents - given;
        }
        if let Some(lowest) = chain.iter().position(|u| u.closed) {
            let named = |u: &ChainUnit| closed_seen_by.iter().any(|k| k == u.kind);
            let receiver = chain[lowest + 1..]
                .iter()
                .position(named)
                .map_or(lowest, |i| lowest + 1 + i);
            let mut moved = 0;
            for (i, u) in chain.iter().enumerate().skip(lowest + 1) {
                if !named(u) {
                    moved += std::mem::take(&mut parts[i].1);
                }
            }
            parts[receiver].1 += moved;
        }
        parts.retain(|&(_, a)| a != 0);
        parts
    }
}

/// One unit of the chain a payment is split along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainUnit<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub closed: bool,
}

impl<'a> ChainUnit<'a> {
    pub fn open(id: i64, kind: &'a str) -> ChainUnit<'a> {
        ChainUnit {
            id,
            kind,
            closed: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bands_charge_a_share_of_income() {
        let d = DuesRules::founding();
        assert_eq!(d.monthly_due(Some(80_000), false), 300);
        assert_eq!(d.monthly_due(Some(200_000), false), 2_000);
        assert_eq!(d.monthly_due(Some(400_000), false), 8_000);
        assert_eq!(d.monthly_due(Some(400_000), true), 100);
    }

    fn chain() -> [ChainUnit<'static>; 4] {
        [
            ChainUnit::open(4, "circle"),
            ChainUnit::open(3, "local"),
            ChainUnit::open(2, "regional"),
            ChainUnit::open(1, "central"),
        ]
    }

    fn central() -> Vec<String> {
        vec!["central".to_string()]
    }

    #[test]
    fn a_circle_members_payment_goes_up_the_tree() {
        let d = DuesRules::founding();
        let chain = chain();
        assert_eq!(
            d.split(1_001, &chain, &central()),
            vec![(4, 401), (3, 250), (2, 150), (1, 200)]
        );
        // A member of a local committee with no circle: the local keeps the circle's share.
        assert_eq!(
            d.split(1_000, &chain[1..], &central()),
            vec![(3, 650), (2, 150), (1, 200)]
        );
    }

    #[test]
    fn a_closed_units_money_goes_to_the_nearest_body_that_may_know_of_it() {
        let d = DuesRules::founding();
        let mut chain = chain();
        chain[0].closed = true;
        // The local and the regional committee may not know of the closed circle: their shares
        // go to the central committee, which may.
        assert_eq!(d.split(1_001, &chain, &central()), vec![(4, 401), (1, 600)]);
        // Statutes that let regional committees see closed units: the local's share stops
        // there, and the central committee, which may not know of it, gets nothing either.
        assert_eq!(
            d.split(1_000, &chain, &["regional".to_string()]),
            vec![(4, 400), (2, 600)]
        );
        // Statutes that let no body see it: the closed unit keeps it all.
        assert_eq!(d.split(1_000, &chain, &[]), vec![(4, 1_000)]);
        // A closed local committee with an open circle below it: the circle and the local know
        // each other; the regional's share goes up to the central committee.
        let mut chain = self::chain();
        chain[1].closed = true;
        assert_eq!(
            d.split(1_000, &chain, &central()),
            vec![(4, 400), (3, 250), (1, 350)]
        );
        assert_eq!(d.split(1_000, &chain, &[]), vec![(4, 400), (3, 600)]);
    }

    proptest! {
        #[test]
        fn splits_always_add_up(
            amount in 1i64..10_000_000,
            depth in 1usize..=4,
            closed in proptest::collection::vec(any::<bool>(), 4),
            seen in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let d = DuesRules::founding();
            let mut chain = chain();
            for (u, c) in chain.iter_mut().zip(&closed) {
                u.closed = *c;
            }
            let seen_by: Vec<String> = chain
                .iter()
                .zip(&seen)
                .filter(|(_, s)| **s)
                .map(|(u, _)| u.kind.to_string())
                .collect();
            let chain = &chain[4 - depth..];
            let parts = d.split(amount, chain, &seen_by);
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), amount);
            prop_assert!(parts.iter().all(|p| p.1 > 0));
            // Nothing reaches a unit above a closed one unless its kind may see closed units.
            let lowest = chain.iter().position(|u| u.closed);
            for (unit, _) in &parts {
                let i = chain.iter().position(|u| u.id == *unit).unwrap();
                prop_assert!(
                    lowest.is_none_or(|k| i <= k || seen_by.iter().any(|s| s == chain[i].kind)),
                    "{:?} gives money to unit {} above a closed unit", parts, unit
                );
            }
        }
    }

    #[test]
    fn invalid_rules_are_named() {
        let kinds = crate::units::default_kinds();
        let mut d = DuesRules::founding();
        d.split[0].percent = 50;
        assert_eq!(d.validate(&kinds), Err(StatutesError::SplitNotWhole(110)));
        let mut d = DuesRules::founding();
        d.schedule = Schedule::Fixed { monthly_cents: -5 };
        assert_eq!(d.validate(&kinds), Err(StatutesError::NegativeRate(-5)));
    }
}
