//! Plans and reconciles one edition over a tree of 10,000 bundles (1 centre, 20 regions, 500
//! locals, 9,479 circles), and prints the medians of the plan and of the reconciliation.
//! `bash bench/paper.sh` runs it in release mode.

use core_rules::paper::circulation::{plan, reconcile, AgentReturn, Orders, Tree};
use std::time::Instant;

fn main() {
    let mut units: Vec<(i64, Option<i64>)> = vec![(1, None)];
    for r in 0..20 {
        units.push((2 + r, Some(1)));
    }
    for l in 0..500 {
        units.push((100 + l, Some(2 + l % 20)));
    }
    let circles = 10_000 - 1 - 20 - 500;
    for c in 0..circles {
        units.push((1000 + c, Some(100 + c % 500)));
    }
    let mut orders = Orders {
        reserve: 0,
        ..Orders::default()
    };
    for &(u, _) in &units {
        orders.units.insert(u, 5 + (u as u64 * 7 % 31));
        if u % 4 == 0 {
            orders.subscribers.insert(u, 1 + u as u64 % 3);
        }
    }
    orders.reserve = 5_000;
    let mut plan_ms = Vec::new();
    let mut rec_ms = Vec::new();
    let mut both_ms = Vec::new();
    for _ in 0..11 {
        let t0 = Instant::now();
        let tree = Tree::new(&units).unwrap();
        let p = plan(&tree, &orders).unwrap();
        let t1 = Instant::now();
        let returns: Vec<AgentReturn> = p
            .bundles
            .iter()
            .map(|b| {
                let sold = b.copies * 3 / 4;
                AgentReturn {
                    unit: b.unit,
                    received: b.copies,
                    sold,
                    free: 0,
                    returned: b.copies - sold,
                    remitted_cents: sold as i64 * 150,
                }
            })
            .collect();
        let t2 = Instant::now();
        let r = reconcile(&tree, &p, &returns, 150).unwrap();
        let t3 = Instant::now();
        assert!(r.copies_balance());
        assert_eq!(p.bundles.len(), 10_000);
        plan_ms.push((t1 - t0).as_secs_f64() * 1000.0);
        rec_ms.push((t3 - t2).as_secs_f64() * 1000.0);
        both_ms.push(((t1 - t0) + (t3 - t2)).as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!(
        "10000 bundles: plan {:.2} ms, reconcile {:.2} ms, plan + reconcile {:.2} ms (medians of 11)",
        median(&mut plan_ms),
        median(&mut rec_ms),
        median(&mut both_ms)
    );
}
