//! Exposure analysis, the pure part: who has met whom, the spread of arrests through what people
//! know (a seeded Monte Carlo simulation), and the risk of a planned meeting.
//!
//! What an account shows is decided by the access rules, which live in the `access` crate; they
//! are asked there, once per class of accounts the rules treat alike, and the answers reach this
//! module as plain data ([`simulate::View`]): rosters known by party name, identities known.
//! Nothing here decides who may see what.
//!
//! People are numbered densely from 0 (`u32`), units likewise; the callers keep the mapping to
//! database ids.

pub mod meeting_risk;
pub mod simulate;
pub mod snapshot;
pub mod stats;

/// Rows of numbers, stored flat: row `i` is `items[offsets[i]..offsets[i + 1]]`. Offsets are
/// `u32` (at most four thousand million items): at a million rows a `usize` each would be 4 MB
/// more, held for as long as the index is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

/// No rows.
impl Default for Csr {
    fn default() -> Csr {
        Csr::with_capacity(0, 0)
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("at most u32::MAX items in a Csr")
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
        let mut offsets = vec![0u32; rows + 1];
        for &p in pairs {
            offsets[f(p).0 as usize + 1] += 1;
        }
        for i in 0..rows {
            offsets[i + 1] += offsets[i];
        }
        let mut at = offsets.clone();
        let mut items = vec![0u32; offset(pairs.len()) as usize];
        for &p in pairs {
            let (r, x) = f(p);
            items[at[r as usize] as usize] = x;
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
        let mut c = Csr::with_capacity(0, 0);
        for r in rows {
            c.push_row(r);
        }
        c
    }

    /// No rows yet, with room for `rows` rows and `items` items: a relation read row by row
    /// from a database is sized once (grown by doubling, six million items would pass through
    /// a copy of twice their size).
    pub fn with_capacity(rows: usize, items: usize) -> Csr {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Csr {
            offsets,
            items: Vec::with_capacity(items),
        }
    }

    /// Adds a row after the last.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = u32>) {
        self.items.extend(row);
        self.offsets.push(offset(self.items.len()));
    }

    /// The other direction of the relation: row `x` of the result lists the rows of `self`
    /// that hold `x`, in order; `cols` is one more than the largest item.
    pub fn transpose(&self, cols: usize) -> Csr {
        let mut offsets = vec![0u32; cols + 1];
        for &x in &self.items {
            offsets[x as usize + 1] += 1;
        }
        for i in 0..cols {
            offsets[i + 1] += offsets[i];
        }
        let mut at = offsets.clone();
        let mut items = vec![0u32; self.items.len()];
        for r in 0..self.rows() {
            for &x in self.row(r) {
                items[at[x as usize] as usize] = r as u32;
                at[x as usize] += 1;
            }
        }
        Csr { offsets, items }
    }

    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn row(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// All items of all rows.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Positions of database ids in a list: ids are numbered by the database almost densely, so a
/// vector indexed by `id - smallest` (4 bytes an id) takes the place of a hash map (about 36 MB
/// for a million people); ids spread too thinly for that are kept sorted and searched.
#[derive(Clone, Debug)]
pub enum IdIndex {
    Dense { min: i64, slots: Vec<u32> },
    Sparse(Vec<(i64, u32)>),
}

/// A free slot in [`IdIndex::Dense`].
const NO_SLOT: u32 = u32::MAX;

impl IdIndex {
    /// The index of `ids`, the position of each in the order given. An id given twice keeps
    /// its first position.
    pub fn new(ids: impl Iterator<Item = i64> + Clone) -> IdIndex {
        let (mut n, mut min, mut max) = (0usize, i64::MAX, i64::MIN);
        for id in ids.clone() {
            n += 1;
            min = min.min(id);
            max = max.max(id);
        }
        assert!(n < NO_SLOT as usize, "fewer than u32::MAX ids");
        let span = (max as i128 - min as i128 + 1).max(0) as u128;
        if n == 0 || span <= 2 * n as u128 + 1024 {
            let mut slots = vec![NO_SLOT; if n == 0 { 0 } else { span as usize }];
            for (i, id) in ids.enumerate() {
                let s = &mut slots[(id - min) as usize];
                if *s == NO_SLOT {
                    *s = i as u32;
                }
            }
            IdIndex::Dense { min, slots }
        } else {
            let mut pairs: Vec<(i64, u32)> =
                ids.enumerate().map(|(i, id)| (id, i as u32)).collect();
            pairs.sort_by_key(|&(id, i)| (id, i));
            pairs.dedup_by_key(|p| p.0);
            IdIndex::Sparse(pairs)
        }
    }

    /// The position of `id`, if it was given.
    pub fn get(&self, id: i64) -> Option<u32> {
        match self {
            IdIndex::Dense { min, slots } => {
                let at = usize::try_from(id.checked_sub(*min)?).ok()?;
                slots.get(at).copied().filter(|&s| s != NO_SLOT)
            }
            IdIndex::Sparse(pairs) => pairs
                .binary_search_by_key(&id, |p| p.0)
                .ok()
                .map(|i| pairs[i].1),
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        self.get(id).is_some()
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

    /// From each meeting's people (people numbered below `people`): the other direction is
    /// made from it, with no list of pairs in between.
    pub fn from_meetings(people: usize, people_of_meeting: Csr) -> Attendance {
        let meetings_of_person = people_of_meeting.transpose(people);
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
    fn attendance_from_meetings_is_attendance_from_pairs() {
        let pairs = [(0, 0), (0, 1), (0, 2), (2, 2), (2, 3), (2, 0)];
        let by_meeting = Csr::from_rows([vec![0, 1, 2], vec![], vec![2, 3, 0]]);
        assert_eq!(by_meeting, Csr::from_pairs(3, &pairs));
        let a = Attendance::from_meetings(5, by_meeting);
        let b = Attendance::new(5, 3, &pairs);
        for p in 0..5 {
            assert_eq!(a.meetings_of(p), b.meetings_of(p));
        }
        for m in 0..3 {
            assert_eq!(a.people_at(m), b.people_at(m));
        }
        assert_eq!(a.met_graph(), b.met_graph());
    }

    #[test]
    fn an_id_index_finds_dense_and_sparse_ids() {
        let dense = IdIndex::new([10i64, 11, 13, 14, 12, 11].into_iter());
        assert!(matches!(dense, IdIndex::Dense { .. }));
        let sparse = IdIndex::new([5i64, 1 << 40, -7, 5, 9_000_000].into_iter());
        assert!(matches!(sparse, IdIndex::Sparse(_)));
        for (ix, ids) in [
            (&dense, vec![10i64, 11, 13, 14, 12, 11]),
            (&sparse, vec![5, 1 << 40, -7, 5, 9_000_000]),
        ] {
            for (i, &id) in ids.iter().enumerate() {
                let first = ids.iter().position(|&x| x == id).unwrap() as u32;
                assert_eq!(ix.get(id), Some(first), "{id} at {i}");
            }
            for absent in [i64::MIN, -8, 0, 9, 15, 1 << 41, i64::MAX] {
                assert_eq!(ix.get(absent), None, "{absent}");
                assert!(!ix.contains(absent));
            }
        }
        assert_eq!(IdIndex::new(std::iter::empty()).get(0), None);
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
