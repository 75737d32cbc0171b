//! Small statistics: percentiles of a distribution, and a mean with its confidence interval.

use serde::Serialize;

/// The distribution of a count over many accounts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Distribution {
    pub count: usize,
    pub min: u64,
    pub median: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    pub mean: f64,
}

/// The value below which `q` (0..=1) of the sorted values lie (nearest rank).
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Distribution {
    pub fn of(values: &[u64]) -> Distribution {
        let mut v = values.to_vec();
        v.sort_unstable();
        let sum: u128 = v.iter().map(|&x| x as u128).sum();
        Distribution {
            count: v.len(),
            min: v.first().copied().unwrap_or(0),
            median: percentile(&v, 0.5),
            p90: percentile(&v, 0.9),
            p99: percentile(&v, 0.99),
            max: v.last().copied().unwrap_or(0),
            mean: if v.is_empty() {
                0.0
            } else {
                sum as f64 / v.len() as f64
            },
        }
    }
}

/// Counts tallied one at a time, kept as how many times each value came: the same
/// [`Distribution`] as the list of all of them, without the list (a million accounts, a few
/// hundred distinct values).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    times: std::collections::HashMap<u64, u64>,
}

impl Tally {
    pub fn add(&mut self, value: u64) {
        *self.times.entry(value).or_insert(0) += 1;
    }

    /// Each value that came, with how many times, from the smallest.
    pub fn values(&self) -> Vec<(u64, u64)> {
        let mut v: Vec<(u64, u64)> = self.times.iter().map(|(&x, &n)| (x, n)).collect();
        v.sort_unstable();
        v
    }

    /// What [`Distribution::of`] gives for the values tallied.
    pub fn distribution(&self) -> Distribution {
        let v = self.values();
        let count: u64 = v.iter().map(|&(_, n)| n).sum();
        let sum: u128 = v.iter().map(|&(x, n)| x as u128 * n as u128).sum();
        // The value at a rank (from 1), as `percentile` reads it from the sorted list.
        let at = |q: f64| -> u64 {
            if count == 0 {
                return 0;
            }
            let rank = ((q * count as f64).ceil() as u64).clamp(1, count);
            let mut seen = 0u64;
            for &(x, n) in &v {
                seen += n;
                if seen >= rank {
                    return x;
                }
            }
            unreachable!("the rank is at most the count")
        };
        Distribution {
            count: count as usize,
            min: v.first().map_or(0, |p| p.0),
            median: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            max: v.last().map_or(0, |p| p.0),
            mean: if count == 0 {
                0.0
            } else {
                sum as f64 / count as f64
            },
        }
    }
}

/// A mean over runs, with its 95% confidence interval (normal approximation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate {
                mean: 0.0,
                low: 0.0,
                high: 0.0,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let half = 1.96 * (var / n as f64).sqrt();
        Estimate {
            mean,
            low: mean - half,
            high: mean + half,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_gives_the_distribution_of_the_list() {
        let lists: Vec<Vec<u64>> = vec![
            vec![],
            vec![7],
            vec![3, 3, 3],
            (1..=100).collect(),
            (0..1000u64)
                .map(|i| (i * 7919) % 37 + (i % 3) * 1000)
                .collect(),
            (0..12345u64).map(|i| (i * i) % 101).collect(),
        ];
        for l in lists {
            let mut t = Tally::default();
            for &x in &l {
                t.add(x);
            }
            assert_eq!(t.distribution(), Distribution::of(&l), "{l:?}");
        }
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        let d = Distribution::of(&v);
        assert_eq!((d.min, d.median, d.p90, d.p99, d.max), (1, 50, 90, 99, 100));
        assert_eq!(d.mean, 50.5);
        assert_eq!(Distribution::of(&[]).max, 0);
    }

    #[test]
    fn the_interval_narrows_with_runs_and_holds_the_mean() {
        let e = Estimate::of(&[1.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        // sd = sqrt(2); half-width 1.96 * sqrt(2) / sqrt(2) = 1.96
        assert!((e.high - 3.96).abs() < 1e-9 && (e.low - 0.04).abs() < 1e-9);
        let same = Estimate::of(&[0.5; 10]);
        assert_eq!((same.low, same.high), (0.5, 0.5));
    }
}
