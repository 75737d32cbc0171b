//! The organisation's exposure in figures, and the accounts that expose the most, folded one
//! account at a time while the analysis runs.

use super::{Exposure, Subject};
use core_rules::exposure::stats::{Distribution, Tally};
use serde::Serialize;

/// The organisation's exposure in figures.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub subjects: usize,
    pub with_account: usize,
    /// Distinct people exposed, per subject.
    pub people: Distribution,
    pub identities: Distribution,
    pub met: Distribution,
}

pub fn summary<B: std::borrow::Borrow<Brief>>(all: &[B]) -> Summary {
    let mut f = SummaryFold::default();
    for b in all {
        f.add(b.borrow());
    }
    f.summary()
}

/// The [`Summary`] made one account at a time, as the analysis hands them over: the
/// distributions tallied by value, not a list of a million briefs.
#[derive(Clone, Debug, Default)]
pub struct SummaryFold {
    subjects: usize,
    with_account: usize,
    /// People exposed, per account (also the page's chart).
    pub people: Tally,
    identities: Tally,
    met: Tally,
}

impl SummaryFold {
    pub fn add(&mut self, b: &Brief) {
        self.subjects += 1;
        self.with_account += b.subject.has_account as usize;
        self.people.add(b.people);
        self.identities.add(b.identities);
        self.met.add(b.met);
    }

    pub fn summary(&self) -> Summary {
        Summary {
            subjects: self.subjects,
            with_account: self.with_account,
            people: self.people.distribution(),
            identities: self.identities.distribution(),
            met: self.met.distribution(),
        }
    }
}

/// The `k` accounts that expose the most, kept while the analysis runs (a bounded heap, not a
/// million of them sorted): highest key first (people exposed, then a second figure), then in
/// the order added, which is what a stable sort of all of them by the key gives.
#[derive(Clone, Debug)]
pub struct TopK<T> {
    k: usize,
    added: u64,
    /// The worst kept on top.
    heap: std::collections::BinaryHeap<Ranked<T>>,
}

/// An item in a [`TopK`], ordered best first.
#[derive(Clone, Debug)]
struct Ranked<T> {
    key: (std::cmp::Reverse<u64>, std::cmp::Reverse<u64>, u64),
    item: T,
}

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Ranked<T>) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Ranked<T> {}
impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Ranked<T>) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Ranked<T>) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl<T> TopK<T> {
    pub fn new(k: usize) -> TopK<T> {
        TopK {
            k,
            added: 0,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Offers an item with its key; `item` is made only if it is kept.
    pub fn add(&mut self, key: (u64, u64), item: impl FnOnce() -> T) {
        use std::cmp::Reverse;
        let key = (Reverse(key.0), Reverse(key.1), self.added);
        self.added += 1;
        if self.heap.len() == self.k && self.heap.peek().is_none_or(|w| key >= w.key) {
            return;
        }
        self.heap.push(Ranked { key, item: item() });
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    /// The kept items, best first.
    pub fn into_sorted(self) -> Vec<T> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.item)
            .collect()
    }
}

/// An exposure in brief: what a page about the whole organisation folds in of each account
/// while the analysis runs (a million of them), before it asks again for the few it shows in
/// full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    pub subject: Subject,
    pub people: u64,
    pub identities: u64,
    pub met: u64,
    pub units_spanned: u64,
}

impl Brief {
    pub fn of(e: &Exposure) -> Brief {
        Brief {
            subject: e.subject.clone(),
            people: e.people,
            identities: e.count("people_by_identity"),
            met: e.met,
            units_spanned: e.units_spanned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(i: u64, people: u64, units_spanned: u64) -> Brief {
        Brief {
            subject: Subject {
                account: Some(i as i64),
                person: None,
                has_account: true,
            },
            people,
            identities: people / 2,
            met: people % 7,
            units_spanned,
        }
    }

    #[test]
    fn the_top_k_are_the_first_k_of_everyone_sorted() {
        // Many ties, in people and in units spanned, so that the order among equals counts.
        let all: Vec<Brief> = (0..5000u64)
            .map(|i| brief(i, (i * 7919) % 61, (i * 104_729) % 5))
            .collect();
        let mut sorted: Vec<&Brief> = all.iter().collect();
        sorted.sort_by(|a, b| {
            b.people
                .cmp(&a.people)
                .then(b.units_spanned.cmp(&a.units_spanned))
        });
        for k in [0, 1, 10, 15, 61, 5000, 6000] {
            let mut top = TopK::new(k);
            for b in &all {
                top.add((b.people, b.units_spanned), || b.clone());
            }
            let want: Vec<Brief> = sorted.iter().take(k).map(|&b| b.clone()).collect();
            assert_eq!(top.into_sorted(), want, "k = {k}");
        }
    }

    #[test]
    fn the_summary_folded_is_the_summary_of_the_list() {
        let all: Vec<Brief> = (0..3000u64)
            .map(|i| brief(i, (i * i) % 97, i % 3))
            .collect();
        let mut f = SummaryFold::default();
        for b in &all {
            f.add(b);
        }
        let s = f.summary();
        let col = |g: fn(&Brief) -> u64| Distribution::of(&all.iter().map(g).collect::<Vec<_>>());
        assert_eq!((s.subjects, s.with_account), (3000, 3000));
        assert_eq!(s.people, col(|b| b.people));
        assert_eq!(s.identities, col(|b| b.identities));
        assert_eq!(s.met, col(|b| b.met));
    }
}
