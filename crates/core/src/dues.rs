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
    /// `chain` lists the unit ids and kinds from the member's own unit up to the top. Each unit
    /// receives its kind's share, rounded down to the cent; what is left (shares of kinds absent
    /// from the chain, and the odd cents) stays with the member's own unit, which collected it.
    /// The parts always add up to the payment.
    pub fn split(&self, amount_cents: i64, chain: &[(i64, &str)]) -> Vec<(i64, i64)> {
        let mut parts: Vec<(i64, i64)> = Vec::with_capacity(chain.len());
        let mut given = 0;
        for &(unit, kind) in chain {
            let pct = self
                .split
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.percent)
                .sum::<i64>();
            let part = amount_cents * pct / 100;
            given += part;
            parts.push((unit, part));
        }
        if let Some(first) = parts.first_mut() {
            first.1 += amount_cents - given;
        }
        parts.retain(|&(_, a)| a != 0);
        parts
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

    #[test]
    fn a_circle_members_payment_goes_up_the_tree() {
        let d = DuesRules::founding();
        let chain = [(4, "circle"), (3, "local"), (2, "regional"), (1, "central")];
        assert_eq!(
            d.split(1_001, &chain),
            vec![(4, 401), (3, 250), (2, 150), (1, 200)]
        );
        // A member of a local committee with no circle: the local keeps the circle's share.
        assert_eq!(
            d.split(1_000, &chain[1..]),
            vec![(3, 650), (2, 150), (1, 200)]
        );
    }

    proptest! {
        #[test]
        fn splits_always_add_up(amount in 1i64..10_000_000, depth in 1usize..=4) {
            let d = DuesRules::founding();
            let chain = [(4, "circle"), (3, "local"), (2, "regional"), (1, "central")];
            let parts = d.split(amount, &chain[4 - depth..]);
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), amount);
            prop_assert!(parts.iter().all(|p| p.1 > 0));
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
