//! Drawing lots, reproducibly.
//!
//! The law says some ties are decided "by lot". A count must be reproducible from
//! its input and its seed, so lots come from SplitMix64 (Steele, Lea & Flood 2014),
//! a generator fully specified here in a few lines: it cannot change under us with
//! a dependency upgrade. Every draw is recorded in the report with the seed.

use serde::Serialize;

/// What a lot decides, as data (the words are made at the edge: `web::words::count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// STV: the order of election among candidates with equal votes.
    OrderOfElection(When),
    /// Scottish STV: which of equal surpluses is transferred first.
    LargestSurplus(When),
    /// STV: which of the equal lowest is excluded.
    Exclusion(When),
    /// Plurality, approval: the last winning place.
    LastWinningPlace,
    /// Runoff: a place in round 2.
    PlaceInRoundTwo,
    /// Runoff: a tie in round 2.
    RoundTwoTie,
    /// Yes/no: the last seat.
    LastSeat,
    /// Apportionment by a divisor method: the seat of this number.
    Seat(usize),
    /// Apportionment by largest remainder: a seat among equal remainders.
    LargestRemainder,
}

/// When, in a count by stages, a lot was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// After this stage (Scottish STV: the tie is met before the next stage is made).
    AfterStage(usize),
    /// At this stage (Meek: the tie is met within the stage).
    AtStage(usize),
}

/// One decision taken by lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotDraw {
    /// What was being decided, e.g. the exclusion at stage 4.
    pub purpose: Purpose,
    /// The tied candidates, in candidate order.
    pub among: Vec<String>,
    /// The one the lot fell on.
    pub chosen: String,
}

/// A seeded source of lots that records each draw.
#[derive(Debug, Clone)]
pub struct Lot {
    seed: u64,
    state: u64,
    pub draws: Vec<LotDraw>,
}

impl Lot {
    pub fn new(seed: u64) -> Self {
        Lot {
            seed,
            state: seed,
            draws: Vec::new(),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (rejection sampling, so no modulo bias).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Choose one of `tied` (candidate indices) by lot and record the draw.
    pub fn choose(&mut self, tied: &[usize], names: &[String], purpose: Purpose) -> usize {
        let mut sorted = tied.to_vec();
        sorted.sort_unstable();
        let chosen = sorted[self.below(sorted.len())];
        self.draws.push(LotDraw {
            purpose,
            among: sorted.iter().map(|&c| names[c].clone()).collect(),
            chosen: names[chosen].clone(),
        });
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let mut a = Lot::new(42);
        let mut b = Lot::new(42);
        let xs: Vec<usize> = (0..50).map(|_| a.below(7)).collect();
        let ys: Vec<usize> = (0..50).map(|_| b.below(7)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 7));
        // Every outcome occurs: the draw is not stuck.
        for k in 0..7 {
            assert!(xs.contains(&k));
        }
    }

    #[test]
    fn splitmix_reference_value() {
        // First output of SplitMix64 seeded with 0, as published with the algorithm.
        let mut l = Lot::new(0);
        assert_eq!(l.next_u64(), 0xE220_A839_7B1D_CDAF);
    }
}
