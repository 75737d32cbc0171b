//! Apportionment of delegates among units: D'Hondt, Sainte-Laguë and Hare largest
//! remainder, each with an optional minimum per unit.
//!
//! A minimum is a floor, not a bonus: each unit receives the larger of its minimum and
//! what the method gives it, the method being re-run over the other units with the seats
//! left. For the divisor methods this is the same as starting every unit at its minimum
//! and awarding the rest one seat at a time to the highest quotient `v / d(s)`, which is
//! how it is computed here. Quotients are compared exactly, as integer cross-products.
//! Ties for the last seat are decided by lot (recorded with the seed).

use crate::error::CountError;
use crate::lot::{Lot, LotDraw, Purpose};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    DHondt,
    SainteLague,
    HareLargestRemainder,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "dhondt" | "d-hondt" | "jefferson" => Some(Method::DHondt),
            "sainte-lague" | "webster" => Some(Method::SainteLague),
            "hare" | "hare-lr" | "largest-remainder" => Some(Method::HareLargestRemainder),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub name: String,
    /// Members, votes or population: what the seats are proportional to.
    pub votes: u64,
    #[serde(default)]
    pub min: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Apportionment {
    pub method: Method,
    pub seats: Vec<u64>,
    /// For divisor methods, the unit receiving each seat after the minimums, in order.
    pub order: Vec<usize>,
    pub seed: u64,
    pub lots: Vec<LotDraw>,
}

/// Divisor for the (s+1)-th seat, as a fraction num/den: D'Hondt s+1; Sainte-Laguë s+1/2 (= (2s+1)/2).
fn divisor(method: Method, s: u64) -> (u128, u128) {
    match method {
        Method::DHondt => (s as u128 + 1, 1),
        Method::SainteLague => (2 * s as u128 + 1, 2),
        Method::HareLargestRemainder => unreachable!("not a divisor method"),
    }
}

pub fn apportion(
    units: &[Unit],
    seats: u64,
    method: Method,
    seed: u64,
) -> Result<Apportionment, CountError> {
    if units.is_empty() {
        return Err(CountError::Invalid("no units to apportion among".into()));
    }
    let mins: u64 = units.iter().map(|u| u.min).sum();
    if mins > seats {
        return Err(CountError::Invalid(format!(
            "the minimums ({mins}) exceed the seats ({seats})"
        )));
    }
    let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    let mut lot = Lot::new(seed);
    let mut alloc: Vec<u64> = units.iter().map(|u| u.min).collect();
    let mut order = Vec::new();
    match method {
        Method::DHondt | Method::SainteLague => {
            for _ in mins..seats {
                // Highest quotient v / d(s): compare v_a·den_a/num_a by cross-multiplying.
                let mut best: Vec<usize> = Vec::new();
                for i in 0..units.len() {
                    let (num_i, den_i) = divisor(method, alloc[i]);
                    let qi = (units[i].votes as u128 * den_i, num_i);
                    match best.first() {
                        None => best.push(i),
                        Some(&b) => {
                            let (num_b, den_b) = divisor(method, alloc[b]);
                            let qb = (units[b].votes as u128 * den_b, num_b);
                            let lhs = qi.0 * qb.1;
                            let rhs = qb.0 * qi.1;
                            if lhs > rhs {
                                best = vec![i];
                            } else if lhs == rhs {
                                best.push(i);
                            }
                        }
                    }
                }
                let pick = if best.len() == 1 {
                    best[0]
                } else {
                    lot.choose(
                        &best,
                        &names,
                        Purpose::Seat(order.len() + mins as usize + 1),
                    )
                };
                alloc[pick] += 1;
                order.push(pick);
            }
        }
        Method::HareLargestRemainder => {
            // Floors re-run until no unit's share falls below its minimum.
            let mut fixed = vec![false; units.len()];
            loop {
                let free: Vec<usize> = (0..units.len()).filter(|&i| !fixed[i]).collect();
                let seats_free = seats
                    - (0..units.len())
                        .filter(|&i| fixed[i])
                        .map(|i| units[i].min)
                        .sum::<u64>();
                let share = hare(units, &free, seats_free, &mut lot, &names);
                let below: Vec<usize> = free
                    .iter()
                    .copied()
                    .filter(|&i| share[i] < units[i].min)
                    .collect();
                if below.is_empty() {
                    for &i in &free {
                        alloc[i] = share[i];
                    }
                    for i in 0..units.len() {
                        if fixed[i] {
                            alloc[i] = units[i].min;
                        }
                    }
                    break;
                }
                for i in below {
                    fixed[i] = true;
                }
            }
        }
    }
    Ok(Apportionment {
        method,
        seats: alloc,
        order,
        seed,
        lots: lot.draws,
    })
}

/// Hare largest remainder over `free` units for `seats` seats.
fn hare(units: &[Unit], free: &[usize], seats: u64, lot: &mut Lot, names: &[String]) -> Vec<u64> {
    let mut out = vec![0u64; units.len()];
    let total: u128 = free.iter().map(|&i| units[i].votes as u128).sum();
    if total == 0 || seats == 0 {
        return out;
    }
    // Quota total/seats: unit i's share is v·seats/total; floor plus remainder (over total).
    let mut rem: Vec<(usize, u128)> = Vec::new();
    let mut given = 0u64;
    for &i in free {
        let p = units[i].votes as u128 * seats as u128;
        out[i] = (p / total) as u64;
        given += out[i];
        rem.push((i, p % total));
    }
    let mut left = seats - given;
    rem.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut k = 0;
    while left > 0 && k < rem.len() {
        let r = rem[k].1;
        let group: Vec<usize> = rem[k..]
            .iter()
            .take_while(|x| x.1 == r)
            .map(|x| x.0)
            .collect();
        k += group.len();
        if (group.len() as u64) <= left {
            for &i in &group {
                out[i] += 1;
            }
            left -= group.len() as u64;
        } else {
            let mut pool = group;
            while left > 0 {
                let c = lot.choose(&pool, names, Purpose::LargestRemainder);
                pool.retain(|&x| x != c);
                out[c] += 1;
                left -= 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(v: &[(u64, u64)]) -> Vec<Unit> {
        v.iter()
            .enumerate()
            .map(|(i, &(votes, min))| Unit {
                name: format!("U{}", i + 1),
                votes,
                min,
            })
            .collect()
    }

    #[test]
    fn textbook_examples() {
        // Wikipedia's D'Hondt example: 100k, 80k, 30k, 20k for 8 seats → 4, 3, 1, 0.
        let u = units(&[(100_000, 0), (80_000, 0), (30_000, 0), (20_000, 0)]);
        assert_eq!(
            apportion(&u, 8, Method::DHondt, 0).unwrap().seats,
            vec![4, 3, 1, 0]
        );
        // Sainte-Laguë on the same: 3, 3, 1, 1.
        assert_eq!(
            apportion(&u, 8, Method::SainteLague, 0).unwrap().seats,
            vec![3, 3, 1, 1]
        );
        // Hare: quotas 3.48, 2.78, 1.04, 0.70 → 3, 3, 1, 1.
        assert_eq!(
            apportion(&u, 8, Method::HareLargestRemainder, 0)
                .unwrap()
                .seats,
            vec![3, 3, 1, 1]
        );
    }

    #[test]
    fn minimum_is_a_floor() {
        let u = units(&[(100_000, 0), (80_000, 0), (30_000, 0), (20_000, 2)]);
        for m in [
            Method::DHondt,
            Method::SainteLague,
            Method::HareLargestRemainder,
        ] {
            let a = apportion(&u, 8, m, 0).unwrap();
            assert_eq!(a.seats.iter().sum::<u64>(), 8);
            assert!(a.seats[3] >= 2, "{m:?}");
        }
        assert!(apportion(&units(&[(1, 5)]), 3, Method::DHondt, 0).is_err());
    }

    #[test]
    fn ties_by_lot_are_recorded() {
        let u = units(&[(10, 0), (10, 0)]);
        let a = apportion(&u, 1, Method::DHondt, 9).unwrap();
        assert_eq!(a.lots.len(), 1);
        assert_eq!(a.seats.iter().sum::<u64>(), 1);
    }
}
