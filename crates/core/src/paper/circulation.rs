//! Circulation by sale or return: standing orders, the print run, bundles routed down the unit
//! tree, each agent's return, and the reconciliation of copies and cash.
//!
//! - A unit's **bundle** is its standing order plus the copies of the subscribers it delivers to.
//! - The **print run** is all bundles plus a reserve kept at the centre.
//! - Bundles are **routed** down the tree: the leg into a unit carries its own bundle and those of
//!   every unit below it, so a regional committee receives its local committees' bundles and
//!   passes them on.
//! - Each **agent's return** says how many copies arrived, were sold, given free and returned,
//!   and the money remitted. A return larger than the bundle, or money for an edition the unit
//!   never received, is refused.
//! - The **reconciliation** shows, per unit and for the edition, where every copy went and
//!   whether the cash balances: `sent = lost + sold + free + returned + unaccounted` and
//!   `balance = remitted - sold × price` (below zero: arrears). Figures go up the tree as totals.
//!
//! Copies are counted in `u64`, money in `i64` cents.

use std::collections::{BTreeMap, HashMap};

/// Why a plan or a return was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CirculationError {
    #[error("unit {0} is not in the organisation's tree")]
    UnknownUnit(i64),
    #[error("the unit tree has a loop through unit {0}")]
    Loop(i64),
    #[error(
        "unit {unit} reports {received} copies received, more than the {bundle} in its bundle"
    )]
    ReceivedMoreThanBundle {
        unit: i64,
        received: u64,
        bundle: u64,
    },
    #[error(
        "unit {unit} accounts for {accounted} copies (sold, free and returned), more than the {received} it received"
    )]
    ReturnLargerThanBundle {
        unit: i64,
        accounted: u64,
        received: u64,
    },
    #[error("unit {unit} remits money for an edition it never received")]
    MoneyWithoutCopies { unit: i64 },
    #[error("money remitted cannot be negative")]
    NegativeMoney,
    /// Only orders recorded before their bounds existed can come to this (see
    /// `crate::quantity::ORDER`): refused, where a sum would have wrapped or panicked.
    #[error("the orders come to more copies than can be counted; correct the largest order")]
    TooManyCopies,
    /// Likewise for returns and prices recorded before their bounds (see `crate::money`).
    #[error("the returns come to more money than can be counted; correct the largest return")]
    TooMuchMoney,
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for CirculationError {}

/// The standing orders for one edition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Orders {
    /// Copies per edition ordered by each unit.
    pub units: BTreeMap<i64, u64>,
    /// Subscribers' copies, by the unit whose agent delivers them (counted, not named).
    pub subscribers: BTreeMap<i64, u64>,
    /// Copies kept back at the centre.
    pub reserve: u64,
}

/// The reserve for a number of ordered copies at a percentage, rounded up.
pub fn reserve_for(ordered: u64, percent: u64) -> Result<u64, CirculationError> {
    ordered
        .checked_mul(percent)
        .map(|c| c.div_ceil(100))
        .ok_or(CirculationError::TooManyCopies)
}

/// The copies ordered in all: every unit's order and every subscriber's copies.
pub fn ordered(orders: &Orders) -> Result<u64, CirculationError> {
    orders
        .units
        .values()
        .chain(orders.subscribers.values())
        .try_fold(0u64, |sum, &n| sum.checked_add(n))
        .ok_or(CirculationError::TooManyCopies)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub unit: i64,
    pub ordered: u64,
    pub subscribers: u64,
    /// `ordered + subscribers`.
    pub copies: u64,
}

/// One leg of the route: `copies` go from `from` (none: the printer) to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leg {
    pub from: Option<i64>,
    pub to: i64,
    pub copies: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub print_run: u64,
    pub reserve: u64,
    /// One per unit with copies, in unit id order.
    pub bundles: Vec<Bundle>,
    /// Parents before children.
    pub legs: Vec<Leg>,
}

/// The unit tree as `(id, parent)` pairs; built once and reused for planning and roll-ups.
#[derive(Clone, Debug)]
pub struct Tree {
    parent: HashMap<i64, Option<i64>>,
    /// Units in an order where every parent comes before its children.
    order: Vec<i64>,
}

impl Tree {
    pub fn new(units: &[(i64, Option<i64>)]) -> Result<Tree, CirculationError> {
        let parent: HashMap<i64, Option<i64>> = units.iter().copied().collect();
        let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        for &(id, p) in units {
            let p = match p {
                Some(p) if parent.contains_key(&p) => Some(p),
                Some(p) => return Err(CirculationError::UnknownUnit(p)),
                None => None,
            };
            children.entry(p).or_default().push(id);
        }
        for c in children.values_mut() {
            c.sort_unstable();
        }
        let mut order = Vec::with_capacity(units.len());
        let mut stack: Vec<i64> = children.get(&None).cloned().unwrap_or_default();
        stack.reverse();
        while let Some(u) = stack.pop() {
            order.push(u);
            if let Some(cs) = children.get(&Some(u)) {
                stack.extend(cs.iter().rev());
            }
        }
        if order.len() != parent.len() {
            // Some units were never reached from a root: they hang in a loop.
            let reached: std::collections::HashSet<i64> = order.iter().copied().collect();
            let stuck = parent
                .keys()
                .filter(|u| !reached.contains(u))
                .min()
                .copied();
            return Err(CirculationError::Loop(stuck.unwrap_or_default()));
        }
        Ok(Tree { parent, order })
    }

    pub fn parent(&self, unit: i64) -> Option<i64> {
        self.parent.get(&unit).copied().flatten()
    }

    pub fn contains(&self, unit: i64) -> bool {
        self.parent.contains_key(&unit)
    }

    /// Sums a per-unit figure up the tree: each unit gets its own value plus its subtree's.
    pub fn roll_up<T: Clone + Default + std::ops::AddAssign>(
        &self,
        own: &HashMap<i64, T>,
    ) -> HashMap<i64, T> {
        let mut total: HashMap<i64, T> = HashMap::with_capacity(self.order.len());
        for &u in self.order.iter().rev() {
            let mut t = total.remove(&u).unwrap_or_default();
            if let Some(v) = own.get(&u) {
                t += v.clone();
            }
            if let Some(p) = self.parent(u) {
                *total.entry(p).or_default() += t.clone();
            }
            total.insert(u, t);
        }
        total
    }
}

/// Plans an edition: bundles, print run and the route down the tree.
///
/// The print run is summed with checked arithmetic first: once it fits, every bundle and leg
/// (a part of it) fits too.
pub fn plan(tree: &Tree, orders: &Orders) -> Result<Plan, CirculationError> {
    let print_run = ordered(orders)?
        .checked_add(orders.reserve)
        .ok_or(CirculationError::TooManyCopies)?;
    let mut bundles: BTreeMap<i64, Bundle> = BTreeMap::new();
    for (&u, &n) in &orders.units {
        if !tree.contains(u) {
            return Err(CirculationError::UnknownUnit(u));
        }
        let b = bundles.entry(u).or_insert(Bundle {
            unit: u,
            ordered: 0,
            subscribers: 0,
            copies: 0,
        });
        b.ordered += n;
        b.copies += n;
    }
    for (&u, &n) in &orders.subscribers {
        if !tree.contains(u) {
            return Err(CirculationError::UnknownUnit(u));
        }
        let b = bundles.entry(u).or_insert(Bundle {
            unit: u,
            ordered: 0,
            subscribers: 0,
            copies: 0,
        });
        b.subscribers += n;
        b.copies += n;
    }
    bundles.retain(|_, b| b.copies > 0);
    let own: HashMap<i64, u64> = bundles.values().map(|b| (b.unit, b.copies)).collect();
    let through = tree.roll_up(&own);
    let mut legs = Vec::new();
    for &u in &tree.order {
        let copies = through.get(&u).copied().unwrap_or(0);
        if copies > 0 {
            legs.push(Leg {
                from: tree.parent(u),
                to: u,
                copies,
            });
        }
    }
    Ok(Plan {
        print_run,
        reserve: orders.reserve,
        bundles: bundles.into_values().collect(),
        legs,
    })
}

/// What an agent reports for their unit's bundle of one edition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentReturn {
    pub unit: i64,
    pub received: u64,
    pub sold: u64,
    pub free: u64,
    pub returned: u64,
    pub remitted_cents: i64,
}

impl AgentReturn {
    /// Checks a return against the unit's bundle (0 if the unit had none).
    pub fn check(&self, bundle: u64) -> Result<(), CirculationError> {
        if self.remitted_cents < 0 {
            return Err(CirculationError::NegativeMoney);
        }
        if self.received > bundle {
            return Err(CirculationError::ReceivedMoreThanBundle {
                unit: self.unit,
                received: self.received,
                bundle,
            });
        }
        // Saturating: a sum past what can be counted is more than was received, and refused.
        let accounted = self
            .sold
            .saturating_add(self.free)
            .saturating_add(self.returned);
        if accounted > self.received {
            return Err(CirculationError::ReturnLargerThanBundle {
                unit: self.unit,
                accounted,
                received: self.received,
            });
        }
        if self.received == 0 && self.remitted_cents > 0 {
            return Err(CirculationError::MoneyWithoutCopies { unit: self.unit });
        }
        Ok(())
    }
}

/// One unit's reconciliation (or a total of several).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitLine {
    pub sent: u64,
    /// Sent but not received (0 until the agent reports).
    pub lost: u64,
    pub received: u64,
    pub sold: u64,
    pub free: u64,
    pub returned: u64,
    /// Received but neither sold, given nor returned: the copy difference.
    pub unaccounted: u64,
    /// Units whose agent has not reported yet.
    pub outstanding: u64,
    pub due_cents: i64,
    pub remitted_cents: i64,
}

impl UnitLine {
    /// `remitted - due`: below zero is arrears, above zero money paid in advance or donated.
    pub fn balance_cents(&self) -> i64 {
        self.remitted_cents - self.due_cents
    }

    pub fn arrears_cents(&self) -> i64 {
        (-self.balance_cents()).max(0)
    }
}

impl std::ops::AddAssign for UnitLine {
    fn add_assign(&mut self, o: UnitLine) {
        self.sent += o.sent;
        self.lost += o.lost;
        self.received += o.received;
        self.sold += o.sold;
        self.free += o.free;
        self.returned += o.returned;
        self.unaccounted += o.unaccounted;
        self.outstanding += o.outstanding;
        self.due_cents += o.due_cents;
        self.remitted_cents += o.remitted_cents;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub print_run: u64,
    pub reserve: u64,
    /// Each unit's own bundle and return.
    pub units: BTreeMap<i64, UnitLine>,
    /// Each unit's figures with those of every unit below it (what goes up).
    pub branches: HashMap<i64, UnitLine>,
    pub total: UnitLine,
}

impl Reconciliation {
    /// Every copy printed is in the reserve or accounted for in some unit's line.
    pub fn copies_balance(&self) -> bool {
        let t = &self.total;
        self.print_run == self.reserve + t.sent
            && t.sent == t.lost + t.sold + t.free + t.returned + t.unaccounted
    }
}

/// Reconciles an edition's plan with the agents' returns at a cover price.
///
/// A unit without a return is outstanding: its copies count as unaccounted. A return from a unit
/// without a bundle is refused as any other bad return.
pub fn reconcile(
    tree: &Tree,
    plan: &Plan,
    returns: &[AgentReturn],
    price_cents: i64,
) -> Result<Reconciliation, CirculationError> {
    let mut units: BTreeMap<i64, UnitLine> = plan
        .bundles
        .iter()
        .map(|b| {
            (
                b.unit,
                UnitLine {
                    sent: b.copies,
                    received: b.copies,
                    unaccounted: b.copies,
                    outstanding: 1,
                    ..UnitLine::default()
                },
            )
        })
        .collect();
    for r in returns {
        if !tree.contains(r.unit) {
            return Err(CirculationError::UnknownUnit(r.unit));
        }
        let sent = units.get(&r.unit).map(|l| l.sent).unwrap_or(0);
        r.check(sent)?;
        if sent == 0 {
            // Nothing sent and nothing received, sold or remitted: an empty return.
            continue;
        }
        let accounted = r.sold + r.free + r.returned;
        let due_cents = i64::try_from(r.sold)
            .ok()
            .and_then(|sold| sold.checked_mul(price_cents))
            .ok_or(CirculationError::TooMuchMoney)?;
        units.insert(
            r.unit,
            UnitLine {
                sent,
                lost: sent - r.received,
                received: r.received,
                sold: r.sold,
                free: r.free,
                returned: r.returned,
                unaccounted: r.received - accounted,
                outstanding: 0,
                due_cents,
                remitted_cents: r.remitted_cents,
            },
        );
    }
    // The total first, with checked sums: once it fits, every branch (a part of it) fits too.
    // Copies fit already (the plan's print run is their bound); money is checked here.
    let (mut due, mut remitted) = (0i64, 0i64);
    for l in units.values() {
        due = due
            .checked_add(l.due_cents)
            .ok_or(CirculationError::TooMuchMoney)?;
        remitted = remitted
            .checked_add(l.remitted_cents)
            .ok_or(CirculationError::TooMuchMoney)?;
    }
    let mut total = UnitLine::default();
    for l in units.values() {
        total += *l;
    }
    let own: HashMap<i64, UnitLine> = units.iter().map(|(&u, &l)| (u, l)).collect();
    let branches = tree.roll_up(&own);
    Ok(Reconciliation {
        print_run: plan.print_run,
        reserve: plan.reserve,
        units,
        branches,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// centre 1; regions 2, 3; locals 4, 5 under 2 and 6 under 3; circle 7 under 4.
    fn demo_tree() -> Tree {
        Tree::new(&[
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(3)),
            (7, Some(4)),
        ])
        .unwrap()
    }

    fn orders() -> Orders {
        Orders {
            units: [(4, 50), (5, 30), (6, 20), (7, 10), (1, 5)]
                .into_iter()
                .collect(),
            subscribers: [(5, 2), (6, 1)].into_iter().collect(),
            reserve: 12,
        }
    }

    #[test]
    fn print_run_is_orders_plus_reserve() {
        let p = plan(&demo_tree(), &orders()).unwrap();
        assert_eq!(p.print_run, 50 + 30 + 20 + 10 + 5 + 2 + 1 + 12);
        let b5 = p.bundles.iter().find(|b| b.unit == 5).unwrap();
        assert_eq!((b5.ordered, b5.subscribers, b5.copies), (30, 2, 32));
        assert_eq!(reserve_for(118, 10), Ok(12));
    }

    #[test]
    fn orders_past_what_can_be_counted_are_refused_not_wrapped() {
        // Two standing orders recorded before the bounds, at the largest BIGINT.
        let huge = i64::MAX as u64;
        let o = Orders {
            units: [(4, huge), (5, huge), (6, huge)].into_iter().collect(),
            ..Orders::default()
        };
        assert_eq!(ordered(&o), Err(CirculationError::TooManyCopies));
        assert_eq!(plan(&demo_tree(), &o), Err(CirculationError::TooManyCopies));
        assert_eq!(reserve_for(huge, 5), Err(CirculationError::TooManyCopies));
        let one = Orders {
            units: [(4, huge)].into_iter().collect(),
            ..Orders::default()
        };
        let p = plan(&demo_tree(), &one).unwrap();
        let sold_out = AgentReturn {
            unit: 4,
            received: huge,
            sold: huge,
            ..AgentReturn::default()
        };
        assert_eq!(
            reconcile(&demo_tree(), &p, &[sold_out], 150),
            Err(CirculationError::TooMuchMoney)
        );
    }

    #[test]
    fn the_region_receives_its_locals_bundles_and_passes_them_on() {
        let p = plan(&demo_tree(), &orders()).unwrap();
        let leg = |to| p.legs.iter().find(|l| l.to == to).cloned().unwrap();
        assert_eq!(
            leg(1),
            Leg {
                from: None,
                to: 1,
                copies: 5 + 50 + 32 + 21 + 10
            }
        );
        assert_eq!(
            leg(2),
            Leg {
                from: Some(1),
                to: 2,
                copies: 50 + 32 + 10
            }
        );
        assert_eq!(
            leg(4),
            Leg {
                from: Some(2),
                to: 4,
                copies: 60
            }
        );
        assert_eq!(
            leg(7),
            Leg {
                from: Some(4),
                to: 7,
                copies: 10
            }
        );
        // The order is parents first, so the route can be read top down.
        let pos = |u| p.legs.iter().position(|l| l.to == u).unwrap();
        assert!(pos(1) < pos(2) && pos(2) < pos(4) && pos(4) < pos(7));
    }

    #[test]
    fn unknown_units_and_loops_are_refused() {
        let t = demo_tree();
        let o = Orders {
            units: [(99, 1)].into_iter().collect(),
            ..Orders::default()
        };
        assert_eq!(plan(&t, &o), Err(CirculationError::UnknownUnit(99)));
        assert!(matches!(
            Tree::new(&[(1, None), (2, Some(3)), (3, Some(2))]),
            Err(CirculationError::Loop(2))
        ));
    }

    #[test]
    fn a_return_larger_than_the_bundle_is_refused() {
        let r = AgentReturn {
            unit: 4,
            received: 50,
            sold: 40,
            free: 5,
            returned: 6,
            remitted_cents: 0,
        };
        assert_eq!(
            r.check(50),
            Err(CirculationError::ReturnLargerThanBundle {
                unit: 4,
                accounted: 51,
                received: 50
            })
        );
        let r = AgentReturn {
            unit: 4,
            received: 51,
            ..AgentReturn::default()
        };
        assert!(matches!(
            r.check(50),
            Err(CirculationError::ReceivedMoreThanBundle { .. })
        ));
        let r = AgentReturn {
            unit: 4,
            received: 10,
            returned: 11,
            ..AgentReturn::default()
        };
        assert!(r.check(50).is_err());
    }

    #[test]
    fn money_for_an_edition_never_received_is_refused() {
        let r = AgentReturn {
            unit: 3,
            remitted_cents: 500,
            ..AgentReturn::default()
        };
        assert_eq!(
            r.check(0),
            Err(CirculationError::MoneyWithoutCopies { unit: 3 })
        );
        assert_eq!(
            r.check(40),
            Err(CirculationError::MoneyWithoutCopies { unit: 3 })
        );
        // Unit 3 has no bundle in the plan: the reconciliation refuses it too.
        let t = demo_tree();
        let p = plan(&t, &orders()).unwrap();
        assert!(reconcile(&t, &p, &[r], 150).is_err());
    }

    #[test]
    fn reconciliation_shows_differences_and_arrears() {
        let t = demo_tree();
        let p = plan(&t, &orders()).unwrap();
        let returns = [
            AgentReturn {
                unit: 4,
                received: 50,
                sold: 40,
                free: 4,
                returned: 6,
                remitted_cents: 6000,
            },
            AgentReturn {
                unit: 5,
                received: 30,
                sold: 20,
                free: 0,
                returned: 5,
                remitted_cents: 2500,
            },
            AgentReturn {
                unit: 7,
                received: 10,
                sold: 10,
                free: 0,
                returned: 0,
                remitted_cents: 1500,
            },
        ];
        let r = reconcile(&t, &p, &returns, 150).unwrap();
        let u5 = r.units[&5];
        assert_eq!((u5.sent, u5.lost, u5.unaccounted), (32, 2, 5));
        assert_eq!(u5.due_cents, 3000);
        assert_eq!(u5.arrears_cents(), 500);
        let u4 = r.units[&4];
        assert_eq!(u4.balance_cents(), 0);
        // Unit 6 sent no return: outstanding, every copy unaccounted.
        assert_eq!((r.units[&6].outstanding, r.units[&6].unaccounted), (1, 21));
        // The region 2 sees its branch in totals.
        let b2 = r.branches[&2];
        assert_eq!(b2.sold, 70);
        assert_eq!(b2.remitted_cents, 10_000);
        assert_eq!(b2.due_cents, 10_500);
        assert_eq!(r.branches[&1], r.total);
        assert!(r.copies_balance());
    }

    /// A tree, its orders, the agents' returns and a price.
    type Case = (Vec<(i64, Option<i64>)>, Orders, Vec<AgentReturn>, i64);

    fn arb_case() -> impl Strategy<Value = Case> {
        (2usize..60, 0u64..50, 0i64..500).prop_flat_map(|(n, reserve, price)| {
            let parents = proptest::collection::vec(any::<prop::sample::Index>(), n);
            let orders = proptest::collection::vec((0u64..200, 0u64..5), n);
            let rets = proptest::collection::vec(
                (
                    any::<bool>(),
                    0u64..=100,
                    0u64..=100,
                    0u64..=100,
                    0u64..=100,
                    0i64..100_000,
                ),
                n,
            );
            (parents, orders, rets).prop_map(move |(parents, ords, rets)| {
                let mut units = vec![(1i64, None)];
                for (i, ix) in parents.iter().enumerate().skip(1) {
                    units.push((i as i64 + 1, Some(ix.index(i) as i64 + 1)));
                }
                let mut o = Orders {
                    reserve,
                    ..Orders::default()
                };
                for (i, (u, s)) in ords.iter().enumerate() {
                    o.units.insert(i as i64 + 1, *u);
                    o.subscribers.insert(i as i64 + 1, *s);
                }
                let mut returns = Vec::new();
                for (i, (has, rc, s, f, r, m)) in rets.iter().enumerate() {
                    let bundle = ords[i].0 + ords[i].1;
                    if !has || bundle == 0 {
                        continue;
                    }
                    // Scale the percentages into a valid return.
                    let received = bundle * rc / 100;
                    let sold = received * s / 100;
                    let free = (received - sold) * f / 100;
                    let returned = (received - sold - free) * r / 100;
                    let remitted_cents = if received == 0 { 0 } else { *m };
                    returns.push(AgentReturn {
                        unit: i as i64 + 1,
                        received,
                        sold,
                        free,
                        returned,
                        remitted_cents,
                    });
                }
                (units, o, returns, price)
            })
        })
    }

    proptest! {
        #[test]
        fn any_routed_plan_reconciles_to_the_copy_and_the_cent((units, orders, returns, price) in arb_case()) {
            let tree = Tree::new(&units).unwrap();
            let p = plan(&tree, &orders).unwrap();
            let ordered: u64 = orders.units.values().sum::<u64>() + orders.subscribers.values().sum::<u64>();
            prop_assert_eq!(p.print_run, ordered + orders.reserve);
            // Flow: what enters a unit is its own bundle plus what it passes on to its children.
            for leg in &p.legs {
                let own = p.bundles.iter().find(|b| b.unit == leg.to).map(|b| b.copies).unwrap_or(0);
                let out: u64 = p.legs.iter().filter(|l| l.from == Some(leg.to)).map(|l| l.copies).sum();
                prop_assert_eq!(leg.copies, own + out);
            }
            let from_printer: u64 = p.legs.iter().filter(|l| l.from.is_none()).map(|l| l.copies).sum();
            prop_assert_eq!(from_printer + p.reserve, p.print_run);

            let r = reconcile(&tree, &p, &returns, price).unwrap();
            prop_assert!(r.copies_balance());
            for l in r.units.values() {
                prop_assert_eq!(l.sent, l.lost + l.sold + l.free + l.returned + l.unaccounted);
            }
            let due: i64 = returns.iter().map(|x| x.sold as i64 * price).sum();
            let remitted: i64 = returns.iter().map(|x| x.remitted_cents).sum();
            prop_assert_eq!(r.total.due_cents, due);
            prop_assert_eq!(r.total.remitted_cents, remitted);
            prop_assert_eq!(r.total.balance_cents(), remitted - due);
            prop_assert_eq!(r.branches[&1], r.total);
        }

        /// Thousands of units, each ordering anything within the bounds and delivering to
        /// dozens of subscribers, sold out at any price within its bound: the plan and the
        /// reconciliation sum every copy and cent without overflow.
        #[test]
        fn orders_and_returns_in_bounds_sum_without_overflow(
            ords in prop::collection::vec(
                (0..=crate::quantity::ORDER.max, 0..=20 * crate::quantity::SUBSCRIPTION.max),
                1..2_000,
            ),
            price in crate::money::PRICE.min..=crate::money::PRICE.max,
        ) {
            let mut units = vec![(1i64, None)];
            let mut o = Orders::default();
            let mut returns = Vec::new();
            for (i, &(ordered, subscribers)) in ords.iter().enumerate() {
                let u = i as i64 + 2;
                units.push((u, Some(1)));
                o.units.insert(u, ordered);
                o.subscribers.insert(u, subscribers);
                let bundle = ordered + subscribers;
                if bundle > 0 {
                    returns.push(AgentReturn {
                        unit: u,
                        received: bundle,
                        sold: bundle,
                        remitted_cents: crate::money::REMITTED.check(bundle as i64 * price).unwrap(),
                        ..AgentReturn::default()
                    });
                }
            }
            let exact: u128 = ords.iter().map(|&(a, b)| (a + b) as u128).sum();
            o.reserve = reserve_for(ordered(&o).unwrap(), crate::quantity::RESERVE.max).unwrap();
            let tree = Tree::new(&units).unwrap();
            let p = plan(&tree, &o).unwrap();
            prop_assert_eq!(p.print_run as u128, exact + o.reserve as u128);
            let r = reconcile(&tree, &p, &returns, price).unwrap();
            prop_assert!(r.copies_balance());
            prop_assert_eq!(r.total.due_cents as i128, exact as i128 * price as i128);
            prop_assert_eq!(r.total.balance_cents(), 0);
        }

        #[test]
        fn a_return_beyond_what_arrived_is_always_refused(bundle in 0u64..100, extra in 1u64..10, split in 0u64..=100) {
            let received = bundle;
            let sold = (received + extra) * split / 100;
            let returned = received + extra - sold;
            let r = AgentReturn { unit: 1, received, sold, returned, ..AgentReturn::default() };
            prop_assert!(r.check(bundle).is_err());
        }
    }
}
