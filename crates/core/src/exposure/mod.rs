//! Exposure analysis, the pure part: who has met whom, the spread of arrests through what people
//! know (a seeded Monte Carlo simulation), and the risk of a planned meeting.
//!
//! What an account shows is decided by the access rules, which live in the web crate; they are
//! asked there, once per class of accounts the rules treat alike, and the answers reach this
//! module as plain data ([`simulate::View`]): rosters known by party name, identities known.
//! Nothing here decides who may see what.
//!
//! People are numbered densely from 0 (`u32`), units likewise; the callers keep the mapping to
//! database ids.

pub mod meeting_risk;
pub mod simulate;
pub mod stats;

/// Rows of numbers, stored flat: row `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<usize>,
    items: Vec<u32>,
}

impl Csr {
    /// Rows from `(row, item)` pairs; `rows` is the number of rows.
    pub fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        Csr::from_pairs_with(rows, pairs, |p| p)
    }

    /// Rows from pairs read through `f`, which gives each pair's `(row, item)`: the same pairs
    /// can give both directions of a relation without a flipped copy (six million pairs are
    /// 48 MB).
    pub fn from_pairs_with(
        rows: usize,
        pairs: &[(u32, u32)],
        f: impl Fn((u32, u32)) -> (u32, u32),
    ) -> Csr {
        let mut offsets = vec![0usize; rows + 1];
        for &p in pairs {
            offsets[f(p).0 as usize + 1] += 1;
        }
        for i in 0..rows {
            offsets[i + 1] += offsets[i];
        }
        let mut at = offsets.clone();
        let mut items = vec![0u32; pairs.len()];
        for &p in pairs {
            let (r, x) = f(p);
            items[at[r as usize]] = x;
            at[r as usize] += 1;
        }
        Csr { offsets, items }
    }

    /// Rows given one by one.
    pub fn from_rows<I, R>(rows: I) -> Csr
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = u32>,
    {
        let mut offsets = vec![0usize];
        let mut items = Vec::new();
        for r in rows {
            items.extend(r);
            offsets.push(items.len());
        }
        Csr { offsets, items }
    }

    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn row(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i]..self.offsets[i + 1]]
    }

    /// All items of all rows.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A set of small numbers that empties in O(1): for walking many overlapping lists.
#[derive(Clone, Debug)]
pub struct Marks {
    stamp: Vec<u32>,
    now: u32,
}

impl Marks {
    pub fn new(n: usize) -> Marks {
        Marks {
            stamp: vec![0; n],
            now: 1,
        }
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamp.fill(0);
            self.now = 1;
        }
    }

    /// Adds `i`; true if it was not there.
    pub fn insert(&mut self, i: u32) -> bool {
        let s = &mut self.stamp[i as usize];
        if *s == self.now {
            false
        } else {
            *s = self.now;
            true
        }
    }

    pub fn contains(&self, i: u32) -> bool {
        self.stamp[i as usize] == self.now
    }
}

/// Who attended which meeting, both ways: the record from which "who has met whom" follows.
/// Two people have met when they attended the same meeting.
#[derive(Clone, Debug)]
pub struct Attendance {
    people_of_meeting: Csr,
    meetings_of_person: Csr,
}

impl Attendance {
    /// From `(meeting, person)` pairs, people numbered below `people`, meetings below `meetings`.
    pub fn new(people: usize, meetings: usize, pairs: &[(u32, u32)]) -> Attendance {
        let people_of_meeting = Csr::from_pairs(meetings, pairs);
        let meetings_of_person = Csr::from_pairs_with(people, pairs, |(m, p)| (p, m));
        Attendance {
            people_of_meeting,
            meetings_of_person,
        }
    }

    pub fn meetings_of(&self, person: u32) -> &[u32] {
        self.meetings_of_person.row(person as usize)
    }

    pub fn people_at(&self, meeting: u32) -> &[u32] {
        self.people_of_meeting.row(meeting as usize)
    }

    /// Calls `f` once for each person `person` has met (never `person` themself). `marks` must
    /// hold every person's number; it is cleared first.
    pub fn for_each_met(&self, person: u32, marks: &mut Marks, mut f: impl FnMut(u32)) {
        marks.clear();
        marks.insert(person);
        for &m in self.meetings_of(person) {
            for &q in self.people_at(m) {
                if marks.insert(q) {
                    f(q);
                }
            }
        }
    }

    /// Everyone's list of the people they have met, sorted.
    pub fn met_graph(&self) -> Csr {
        let n = self.meetings_of_person.rows();
        let mut marks = Marks::new(n);
        let mut row = Vec::new();
        Csr::from_rows((0..n as u32).map(|p| {
            row.clear();
            self.for_each_met(p, &mut marks, |q| row.push(q));
            row.sort_unstable();
            row.clone()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_at_the_same_meeting_have_met_and_nobody_else() {
        // Meeting 0: 0, 1, 2. Meeting 1: 2, 3. Person 4 went nowhere.
        let a = Attendance::new(5, 2, &[(0, 0), (0, 1), (0, 2), (1, 2), (1, 3)]);
        let g = a.met_graph();
        assert_eq!(g.row(0), &[1, 2]);
        assert_eq!(g.row(1), &[0, 2]);
        assert_eq!(g.row(2), &[0, 1, 3]);
        assert_eq!(g.row(3), &[2]);
        assert_eq!(g.row(4), &[] as &[u32]);
        // Meeting twice does not count twice.
        let a = Attendance::new(2, 2, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
        assert_eq!(a.met_graph().row(0), &[1]);
    }

    #[test]
    fn marks_empty_at_once() {
        let mut m = Marks::new(3);
        assert!(m.insert(1));
        assert!(!m.insert(1));
        m.clear();
        assert!(!m.contains(1));
        assert!(m.insert(1));
    }
}
