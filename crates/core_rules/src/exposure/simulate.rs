//! Infiltration and arrest, simulated over a network of what people know.
//!
//! A [`Network`] says, for each person, what they could tell the police: the units whose roster
//! they see by party name (*named*), the units whose people they could identify (*identified*:
//! the secretary's view of identities), and the people they have met in person (also
//! identified: a face and a meeting place are enough). The real organisation's network is built
//! by the caller from the access rules and the attendance record; [`Network::loose`] and
//! [`Network::cells`] rebuild the same people into the alternatives the essay argues about.
//!
//! One run of a [`Scenario`]:
//!
//! 1. *k* infiltrators take their places. **Random**: each enters the unit of a person drawn at
//!    random; with chance `admit` they are admitted as a member (they see what a member of that
//!    unit sees and meet whom that person meets) and then, with chance `elected`, they are
//!    elected its secretary (they see what its secretary sees). Not admitted, they learn
//!    nothing. **Targeted**: the police turn the *k* people who know the most. **Turned**: the
//!    police turn the people named.
//! 2. Everyone an infiltrator can identify is arrested; everyone they know by party name is
//!    exposed.
//! 3. Each arrested person talks with chance `talk`; one who talks hands over everything they
//!    know, and those they identify are arrested in turn, until nobody new is arrested.
//!
//! Reported over many runs: the share of the organisation exposed (known to the police by name
//! or in person, arrested included), the share arrested, and the share of the closed core
//! exposed, each as a mean with its 95% confidence interval. Runs are seeded one by one from the
//! scenario's seed: the same seed gives the same report.

use super::stats::Estimate;
use super::{Csr, Marks};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// What one class of people can tell, as unit numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Units whose people they know by party name.
    pub named_units: Vec<u32>,
    /// Units whose people they can identify.
    pub identified_units: Vec<u32>,
}

/// What an infiltrator who rises in a unit comes to see: view numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rise {
    /// Admitted as a member of the unit.
    pub member: u32,
    /// Elected its secretary.
    pub secretary: u32,
}

/// People, what each can tell, and who has met whom.
#[derive(Clone, Debug)]
pub struct Network {
    /// Each person's unit.
    pub unit_of: Vec<u32>,
    /// Whether each person belongs to the closed core (a closed unit or one below it).
    pub core: Vec<bool>,
    /// Each unit's people.
    pub unit_people: Csr,
    /// The distinct views; people share them.
    pub views: Vec<View>,
    /// Each person's view.
    pub view_of: Vec<u32>,
    /// Each person's list of the people they have met.
    pub met: Csr,
    /// For each unit, the views of an infiltrator who rises there.
    pub rise: Vec<Rise>,
}

/// Where infiltrators come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    Random,
    Targeted,
    Turned(Vec<u32>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub infiltrators: usize,
    pub placement: Placement,
    /// The chance that an infiltrator is admitted as a member.
    pub admit: f64,
    /// The chance that an admitted infiltrator is then elected secretary.
    pub elected: f64,
    /// The chance that an arrested person talks.
    pub talk: f64,
    pub runs: usize,
    pub seed: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            infiltrators: 1,
            placement: Placement::Random,
            admit: 0.8,
            elected: 0.2,
            talk: 0.3,
            runs: 1000,
            seed: 1903,
        }
    }
}

/// The outcome of many runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub runs: usize,
    pub people: usize,
    pub core_people: usize,
    /// Share of all people known to the police.
    pub exposed: Estimate,
    /// Share of all people arrested.
    pub arrested: Estimate,
    /// Share of the closed core known to the police (0 when there is no core).
    pub core_exposed: Estimate,
    /// Runs by share exposed, in tenths: `histogram[i]` counts runs with share in
    /// `[i/10, (i+1)/10)` (the last bucket includes 1).
    pub histogram: [u32; 10],
}

/// One run's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exposed: usize,
    pub arrested: usize,
    pub core_exposed: usize,
}

/// A problem with the scenario's numbers.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScenarioError {
    #[error("{0} must be a chance between 0 and 1, not {1}")]
    NotAChance(&'static str, f64),
    #[error("at least one run is needed")]
    NoRuns,
    #[error("there is no person {0} to turn (the network has {1} people)")]
    NoSuchPerson(u32, usize),
    #[error("the network has no people")]
    Empty,
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for ScenarioError {}

impl Scenario {
    pub fn check(&self, people: usize) -> Result<(), ScenarioError> {
        for (name, v) in [
            ("admit", self.admit),
            ("elected", self.elected),
            ("talk", self.talk),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(ScenarioError::NotAChance(name, v));
            }
        }
        if self.runs == 0 {
            return Err(ScenarioError::NoRuns);
        }
        if people == 0 {
            return Err(ScenarioError::Empty);
        }
        if let Placement::Turned(ps) = &self.placement {
            if let Some(&p) = ps.iter().find(|&&p| p as usize >= people) {
                return Err(ScenarioError::NoSuchPerson(p, people));
            }
        }
        Ok(())
    }
}

/// The per-run working sets, reused from run to run.
struct Work {
    exposed: Marks,
    arrested: Marks,
    queue: VecDeque<u32>,
    counts: Outcome,
}

impl Network {
    pub fn people(&self) -> usize {
        self.unit_of.len()
    }

    /// Checks that the parts fit together.
    pub fn check(&self) -> Result<(), String> {
        let n = self.people();
        if self.core.len() != n || self.view_of.len() != n || self.met.rows() != n {
            return Err("every person needs a unit, a core flag, a view and a list met".into());
        }
        if self.rise.len() != self.unit_people.rows() {
            return Err("every unit needs its rise".into());
        }
        let units = self.unit_people.rows() as u32;
        let views = self.views.len() as u32;
        if self.unit_of.iter().any(|&u| u >= units)
            || self.view_of.iter().any(|&v| v >= views)
            || self
                .rise
                .iter()
                .any(|r| r.member >= views || r.secretary >= views)
            || self.views.iter().any(|v| {
                v.named_units
                    .iter()
                    .chain(&v.identified_units)
                    .any(|&u| u >= units)
            })
            || (0..n).any(|p| self.met.row(p).iter().any(|&q| q as usize >= n))
            || (0..units as usize).any(|u| self.unit_people.row(u).iter().any(|&q| q as usize >= n))
        {
            return Err("a unit or view number is out of range".into());
        }
        Ok(())
    }

    /// How many people a person could tell the police about, by name or in person.
    pub fn reach(&self, person: u32, marks: &mut Marks) -> usize {
        marks.clear();
        marks.insert(person);
        let mut n = 0;
        let v = &self.views[self.view_of[person as usize] as usize];
        for &u in v.named_units.iter().chain(&v.identified_units) {
            for &q in self.unit_people.row(u as usize) {
                n += marks.insert(q) as usize;
            }
        }
        for &q in self.met.row(person as usize) {
            n += marks.insert(q) as usize;
        }
        n
    }

    /// Hands over what a view and a list of people met reveal.
    fn reveal(&self, view: u32, met: &[u32], w: &mut Work) {
        let v = &self.views[view as usize];
        for &u in &v.identified_units {
            for &q in self.unit_people.row(u as usize) {
                self.arrest(q, w);
            }
        }
        for &q in met {
            self.arrest(q, w);
        }
        for &u in &v.named_units {
            for &q in self.unit_people.row(u as usize) {
                self.expose(q, w);
            }
        }
    }

    fn expose(&self, q: u32, w: &mut Work) {
        if w.exposed.insert(q) {
            w.counts.exposed += 1;
            w.counts.core_exposed += self.core[q as usize] as usize;
        }
    }

    fn arrest(&self, q: u32, w: &mut Work) {
        self.expose(q, w);
        if w.arrested.insert(q) {
            w.counts.arrested += 1;
            w.queue.push_back(q);
        }
    }

    /// The people the police would turn first: those who know the most (ties by number).
    pub fn most_knowing(&self, k: usize) -> Vec<u32> {
        let mut marks = Marks::new(self.people());
        let mut all: Vec<(usize, u32)> = (0..self.people() as u32)
            .map(|p| (self.reach(p, &mut marks), p))
            .collect();
        all.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        all.into_iter().take(k).map(|(_, p)| p).collect()
    }

    fn run_once(&self, s: &Scenario, turned: &[u32], rng: &mut ChaCha8Rng, w: &mut Work) {
        w.exposed.clear();
        w.arrested.clear();
        w.queue.clear();
        w.counts = Outcome {
            exposed: 0,
            arrested: 0,
            core_exposed: 0,
        };
        let n = self.people();
        match s.placement {
            Placement::Random => {
                for _ in 0..s.infiltrators {
                    let x = rng.gen_range(0..n) as u32;
                    let unit = self.unit_of[x as usize] as usize;
                    if !rng.gen_bool(s.admit) {
                        continue;
                    }
                    let view = if rng.gen_bool(s.elected) {
                        self.rise[unit].secretary
                    } else {
                        self.rise[unit].member
                    };
                    self.reveal(view, self.met.row(x as usize), w);
                }
            }
            Placement::Targeted | Placement::Turned(_) => {
                // The turned are the police's own: known, and not arrested again.
                for &p in turned {
                    self.expose(p, w);
                    w.arrested.insert(p);
                }
                for &p in turned {
                    self.reveal(self.view_of[p as usize], self.met.row(p as usize), w);
                }
            }
        }
        while let Some(q) = w.queue.pop_front() {
            if rng.gen_bool(s.talk) {
                self.reveal(self.view_of[q as usize], self.met.row(q as usize), w);
            }
        }
    }

    /// Runs `s` and returns each run's counts, in run order.
    pub fn outcomes(&self, s: &Scenario) -> Result<Vec<Outcome>, ScenarioError> {
        s.check(self.people())?;
        let turned = match &s.placement {
            Placement::Random => Vec::new(),
            Placement::Targeted => self.most_knowing(s.infiltrators),
            Placement::Turned(ps) => ps.clone(),
        };
        let n = self.people();
        let mut w = Work {
            exposed: Marks::new(n),
            arrested: Marks::new(n),
            queue: VecDeque::new(),
            counts: Outcome {
                exposed: 0,
                arrested: 0,
                core_exposed: 0,
            },
        };
        let mut out = Vec::with_capacity(s.runs);
        for run in 0..s.runs {
            // Each run has its own stream of the seed: a run's result does not depend on the
            // runs before it.
            let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
            rng.set_stream(run as u64);
            self.run_once(s, &turned, &mut rng, &mut w);
            out.push(w.counts);
        }
        Ok(out)
    }

    /// Runs `s` and sums up.
    pub fn simulate(&self, s: &Scenario) -> Result<Report, ScenarioError> {
        let outcomes = self.outcomes(s)?;
        let n = self.people() as f64;
        let core = self.core.iter().filter(|&&c| c).count();
        let share = |f: &dyn Fn(&Outcome) -> usize, of: f64| -> Vec<f64> {
            outcomes
                .iter()
                .map(|o| if of > 0.0 { f(o) as f64 / of } else { 0.0 })
                .collect()
        };
        let exposed = share(&|o| o.exposed, n);
        let mut histogram = [0u32; 10];
        for &e in &exposed {
            histogram[((e * 10.0) as usize).min(9)] += 1;
        }
        Ok(Report {
            runs: s.runs,
            people: self.people(),
            core_people: core,
            exposed: Estimate::of(&exposed),
            arrested: Estimate::of(&share(&|o| o.arrested, n)),
            core_exposed: Estimate::of(&share(&|o| o.core_exposed, core as f64)),
            histogram,
        })
    }

    /// The same people in one loose network: no units, no rosters, no secretaries; everyone has
    /// met about as many people as they have met now, but anyone in the organisation, at
    /// random. The closed core keeps its people (and loses its walls).
    pub fn loose(&self, seed: u64) -> Network {
        let n = self.people();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        if n > 1 {
            for p in 0..n as u32 {
                // Each edge is drawn from one end and counts for both: half the degree each.
                let d = self.met.row(p as usize).len().div_ceil(2);
                for _ in 0..d {
                    let mut q = rng.gen_range(0..n as u32 - 1);
                    if q >= p {
                        q += 1;
                    }
                    pairs.push((p, q));
                    pairs.push((q, p));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        Network {
            unit_of: vec![0; n],
            core: self.core.clone(),
            unit_people: Csr::from_rows(std::iter::once(0..n as u32)),
            views: vec![View::default()],
            view_of: vec![0; n],
            met: Csr::from_pairs(n, &pairs),
            rise: vec![Rise {
                member: 0,
                secretary: 0,
            }],
        }
    }

    /// The same people in cells of `size` (taken in the order of their present units, so the
    /// closed core stays together): each cell meets as one and knows itself in person and by
    /// name; its first person, the liaison, also knows the liaison of the cell above it (cells
    /// form a tree, each above two). No rosters beyond the cell.
    pub fn cells(&self, size: usize) -> Network {
        let size = size.max(1);
        let n = self.people();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by_key(|&p| (self.unit_of[p as usize], p));
        let cells: Vec<&[u32]> = order.chunks(size).collect();
        let c = cells.len();
        let mut unit_of = vec![0u32; n];
        for (i, cell) in cells.iter().enumerate() {
            for &p in *cell {
                unit_of[p as usize] = i as u32;
            }
        }
        // Views: 2i the members of cell i (names), 2i+1 its liaison (identities).
        let mut views = Vec::with_capacity(2 * c);
        let mut rise = Vec::with_capacity(c);
        for i in 0..c as u32 {
            views.push(View {
                named_units: vec![i],
                identified_units: Vec::new(),
            });
            views.push(View {
                named_units: Vec::new(),
                identified_units: vec![i],
            });
            rise.push(Rise {
                member: 2 * i,
                secretary: 2 * i + 1,
            });
        }
        let mut view_of: Vec<u32> = unit_of.iter().map(|&u| 2 * u).collect();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            for &p in *cell {
                for &q in *cell {
                    if p != q {
                        pairs.push((p, q));
                    }
                }
            }
            view_of[cell[0] as usize] = 2 * i as u32 + 1;
            if i > 0 {
                let up = cells[(i - 1) / 2][0];
                pairs.push((cell[0], up));
                pairs.push((up, cell[0]));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        Network {
            unit_of,
            core: self.core.clone(),
            unit_people: Csr::from_rows(cells.iter().map(|c| c.iter().copied())),
            views,
            view_of,
            met: Csr::from_pairs(n, &pairs),
            rise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// People 0..n in a chain: each has met the next one; no rosters, one unit.
    fn chain(n: u32) -> Network {
        let mut pairs = Vec::new();
        for p in 0..n - 1 {
            pairs.push((p, p + 1));
            pairs.push((p + 1, p));
        }
        pairs.sort_unstable();
        Network {
            unit_of: vec![0; n as usize],
            core: (0..n).map(|p| p == n - 1).collect(),
            unit_people: Csr::from_rows(std::iter::once(0..n)),
            views: vec![View::default()],
            view_of: vec![0; n as usize],
            met: Csr::from_pairs(n as usize, &pairs),
            rise: vec![Rise {
                member: 0,
                secretary: 0,
            }],
        }
    }

    fn turned(p: u32, talk: f64, runs: usize) -> Scenario {
        Scenario {
            infiltrators: 1,
            placement: Placement::Turned(vec![p]),
            talk,
            runs,
            seed: 7,
            ..Scenario::default()
        }
    }

    #[test]
    fn a_chain_of_arrests_matches_the_hand_calculation() {
        // 0 - 1 - 2 - 3, the police turn 0. Person 1 is arrested for certain; 2 if 1 talks
        // (p); 3 if 1 and 2 both talk (p²). Expected arrests 1 + p + p²; exposed, with 0
        // themself, 2 + p + p²; the core (person 3 alone) exposed with chance p².
        let net = chain(4);
        net.check().unwrap();
        for p in [0.0, 1.0] {
            let o = net.outcomes(&turned(0, p, 3)).unwrap();
            let want = 1 + (p as usize) * 2;
            assert!(o.iter().all(|o| o.arrested == want), "{p}: {o:?}");
        }
        let p = 0.4;
        let runs = 20_000;
        let r = net.simulate(&turned(0, p, runs)).unwrap();
        let arrested = (1.0 + p + p * p) / 4.0;
        let exposed = (2.0 + p + p * p) / 4.0;
        assert!(
            (r.arrested.mean - arrested).abs() < 0.01,
            "{} vs {arrested}",
            r.arrested.mean
        );
        assert!((r.exposed.mean - exposed).abs() < 0.01);
        assert!((r.core_exposed.mean - p * p).abs() < 0.015);
        // The hand figure lies inside the reported interval (holds at 95%, this seed checked).
        assert!(r.arrested.low <= arrested && arrested <= r.arrested.high);
    }

    #[test]
    fn the_same_seed_gives_the_same_report_and_another_seed_another() {
        let net = chain(30);
        let s = Scenario {
            infiltrators: 2,
            placement: Placement::Random,
            admit: 0.7,
            elected: 0.5,
            talk: 0.5,
            runs: 200,
            seed: 42,
        };
        let a = net.simulate(&s).unwrap();
        let b = net.simulate(&s).unwrap();
        assert_eq!(a, b);
        let c = net
            .simulate(&Scenario {
                seed: 43,
                ..s.clone()
            })
            .unwrap();
        assert_ne!(a.exposed.mean, c.exposed.mean);
        assert_eq!(a.histogram.iter().sum::<u32>(), 200);
    }

    #[test]
    fn a_secretary_hands_over_identities_a_member_only_names() {
        // Two units of three; person 0 is the secretary of unit 0 (identifies it), person 3 a
        // member of unit 1 (names it). Nobody has met anybody.
        let net = Network {
            unit_of: vec![0, 0, 0, 1, 1, 1],
            core: vec![false; 6],
            unit_people: Csr::from_rows([vec![0, 1, 2], vec![3, 4, 5]]),
            views: vec![
                View {
                    named_units: vec![0],
                    identified_units: vec![0],
                },
                View {
                    named_units: vec![1],
                    identified_units: vec![],
                },
            ],
            view_of: vec![0, 0, 0, 1, 1, 1],
            met: Csr::from_rows(vec![Vec::<u32>::new(); 6]),
            rise: vec![
                Rise {
                    member: 1,
                    secretary: 0,
                },
                Rise {
                    member: 1,
                    secretary: 0,
                },
            ],
        };
        net.check().unwrap();
        let o = net.outcomes(&turned(0, 0.0, 1)).unwrap()[0];
        assert_eq!((o.exposed, o.arrested), (3, 2));
        let o = net.outcomes(&turned(3, 1.0, 1)).unwrap()[0];
        assert_eq!((o.exposed, o.arrested), (3, 0));
        // Targeted: the police pick the secretary first (ties go to the lower number).
        assert_eq!(net.most_knowing(1), vec![0]);
    }

    #[test]
    fn an_infiltrator_never_admitted_learns_nothing() {
        let net = chain(10);
        let s = Scenario {
            infiltrators: 3,
            admit: 0.0,
            runs: 50,
            ..Scenario::default()
        };
        let r = net.simulate(&s).unwrap();
        assert_eq!(r.exposed.mean, 0.0);
    }

    #[test]
    fn bad_numbers_are_refused_by_name() {
        let net = chain(3);
        let s = Scenario {
            talk: 1.5,
            ..Scenario::default()
        };
        assert_eq!(
            net.simulate(&s).unwrap_err(),
            ScenarioError::NotAChance("talk", 1.5)
        );
        let s = Scenario {
            placement: Placement::Turned(vec![9]),
            ..Scenario::default()
        };
        assert_eq!(
            net.simulate(&s).unwrap_err().to_string(),
            "there is no person 9 to turn (the network has 3 people)"
        );
    }

    #[test]
    fn alternatives_keep_the_people_and_the_core() {
        let net = chain(25);
        for alt in [net.loose(1), net.cells(5)] {
            alt.check().unwrap();
            assert_eq!(alt.people(), 25);
            assert_eq!(alt.core, net.core);
        }
        let cells = net.cells(5);
        assert_eq!(cells.unit_people.rows(), 5);
        // A member of a cell has met the four others; the liaison of cell 1 also the liaison
        // above (cell 0's, person 0) and those of the two cells below (3 and 4: 15 and 20).
        assert_eq!(cells.met.row(6).len(), 4);
        assert_eq!(cells.met.row(5), &[0, 6, 7, 8, 9, 15, 20]);
        // In cells with nobody talking, a turned member exposes their cell and no more.
        let o = cells.outcomes(&turned(7, 0.0, 1)).unwrap()[0];
        assert_eq!(o.exposed, 5);
        // Everyone talking: the tree of liaisons carries it everywhere.
        let o = cells.outcomes(&turned(7, 1.0, 1)).unwrap()[0];
        assert_eq!(o.exposed, 25);
    }
}
