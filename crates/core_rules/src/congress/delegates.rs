//! A unit's delegates, elected inside the unit (issue 5, section 2): how the unit's mandates are
//! shared among those elected. The count itself (STV) is `count`'s.

/// Where a unit's election of its delegates stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElectionState {
    /// Members are nominated and accept or decline.
    Nominating,
    /// The ballot is open.
    Open,
    /// Counted: the elected are the unit's delegates and substitutes.
    Closed,
}

impl ElectionState {
    pub const ALL: [ElectionState; 3] = [
        ElectionState::Nominating,
        ElectionState::Open,
        ElectionState::Closed,
    ];

    /// The code stored.
    pub fn code(self) -> &'static str {
        match self {
            ElectionState::Nominating => "nominating",
            ElectionState::Open => "open",
            ElectionState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ElectionState> {
        ElectionState::ALL.into_iter().find(|e| e.code() == s)
    }
}

/// Shares a unit's `mandates` among the `elected`, in the order of their election: one each,
/// and when fewer were elected than the unit has mandates (too few candidates stood), the rest go
/// one by one to the first elected again, so that the unit's weight at the congress is whole
/// (a delegate may hold several mandates). Empty when nobody was elected.
pub fn share_mandates(mandates: u64, elected: usize) -> Vec<u64> {
    if elected == 0 {
        return Vec::new();
    }
    let n = elected as u64;
    (0..n)
        .map(|i| mandates / n + u64::from(i < mandates % n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_each_when_as_many_elected_as_mandates() {
        assert_eq!(share_mandates(3, 3), vec![1, 1, 1]);
    }

    #[test]
    fn the_first_elected_carry_the_rest_when_too_few_stood() {
        assert_eq!(share_mandates(5, 2), vec![3, 2]);
        assert_eq!(share_mandates(4, 1), vec![4]);
        assert_eq!(share_mandates(7, 3).iter().sum::<u64>(), 7);
    }

    #[test]
    fn nobody_elected_holds_nothing() {
        assert!(share_mandates(3, 0).is_empty());
    }
}

#[cfg(test)]
mod election_state_tests {
    use super::ElectionState;

    #[test]
    fn every_state_reads_back_from_its_code_and_nothing_else_does() {
        for s in ElectionState::ALL {
            assert_eq!(ElectionState::parse(s.code()), Some(s));
        }
        assert_eq!(ElectionState::parse("Open"), None);
        assert_eq!(ElectionState::parse(""), None);
    }
}
