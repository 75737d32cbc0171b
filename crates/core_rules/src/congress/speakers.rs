//! Speakers' lists (issue 5, section 3): who speaks next, with an optional quota, and how long.
//!
//! One generic quota mechanism: the presidium tags speakers (any word: "woman", "man",
//! "first-time", a region...), and when the item's list alternates, the next speaker is the
//! first waiting whose tag differs from the tag of the last speaker, so the floor passes from one
//! tag to another (women and men in turn; first-time speakers placed between the others). When
//! nobody with another tag waits, the list goes on in order of request. Points of order always
//! come first, in order of request, and do not count in the alternation. Untagged speakers count
//! as their own tag ("").

/// A speaker waiting on the list, in order of request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub point_of_order: bool,
    pub tag: String,
}

/// The next speaker to call from `waiting` (in order of request), given the tag of the last
/// speaker who had the floor on this item other than on a point of order (`None` when nobody
/// has spoken yet), and whether the list alternates tags.
pub fn next(waiting: &[Waiting], last_tag: Option<&str>, alternate: bool) -> Option<i64> {
    if let Some(p) = waiting.iter().find(|w| w.point_of_order) {
        return Some(p.id);
    }
    let first = waiting.first()?;
    if !alternate {
        return Some(first.id);
    }
    match last_tag {
        Some(t) => Some(
            waiting
                .iter()
                .find(|w| w.tag != t)
                .map_or(first.id, |w| w.id),
        ),
        None => Some(first.id),
    }
}

/// The whole order in which the waiting speakers will be called if nobody else asks for the
/// floor: the list as the presidium and the projector show it.
pub fn order(waiting: &[Waiting], last_tag: Option<&str>, alternate: bool) -> Vec<i64> {
    let mut left: Vec<Waiting> = waiting.to_vec();
    let mut last = last_tag.map(str::to_string);
    let mut out = Vec::with_capacity(left.len());
    while let Some(id) = next(&left, last.as_deref(), alternate) {
        let at = left
            .iter()
            .position(|w| w.id == id)
            .expect("chosen from the list");
        let w = left.remove(at);
        if !w.point_of_order {
            last = Some(w.tag);
        }
        out.push(id);
    }
    out
}

/// The time a speech may last, in minutes: the item's limit, within bounds the presidium cannot
/// get wrong by a typo (at least one minute, at most two hours).
pub fn limit_minutes(asked: i64) -> i64 {
    asked.clamp(1, 120)
}

/// Seconds left of a speech that started at `started_at` (unix seconds) with a limit of
/// `minutes`, at `now`; negative once the time is up (the projector shows the overrun).
pub fn seconds_left(started_at: i64, minutes: i64, now: i64) -> i64 {
    started_at + minutes * 60 - now
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: i64, tag: &str) -> Waiting {
        Waiting {
            id,
            point_of_order: false,
            tag: tag.into(),
        }
    }

    #[test]
    fn without_a_quota_the_list_is_the_order_of_request() {
        let l = [w(1, "m"), w(2, "m"), w(3, "w")];
        assert_eq!(order(&l, Some("m"), false), vec![1, 2, 3]);
    }

    #[test]
    fn alternating_tags_passes_the_floor_from_one_tag_to_the_other() {
        let l = [w(1, "m"), w(2, "m"), w(3, "m"), w(4, "w"), w(5, "w")];
        assert_eq!(order(&l, None, true), vec![1, 4, 2, 5, 3]);
        // After a woman spoke, a man comes first.
        assert_eq!(next(&[w(4, "w"), w(1, "m")], Some("w"), true), Some(1));
    }

    #[test]
    fn when_no_other_tag_waits_the_list_goes_on() {
        let l = [w(1, "m"), w(2, "m")];
        assert_eq!(order(&l, Some("m"), true), vec![1, 2]);
        assert_eq!(next(&[], Some("m"), true), None);
    }

    #[test]
    fn first_time_speakers_are_placed_between_the_others() {
        let l = [w(1, ""), w(2, ""), w(3, "first-time")];
        assert_eq!(order(&l, Some(""), true), vec![3, 1, 2]);
    }

    #[test]
    fn points_of_order_come_first_and_do_not_count_in_the_alternation() {
        let mut l = vec![w(1, "m"), w(2, "w")];
        l.push(Waiting {
            id: 9,
            point_of_order: true,
            tag: "w".into(),
        });
        // The last speaker was a woman: the point of order first, then still a man.
        assert_eq!(order(&l, Some("w"), true), vec![9, 1, 2]);
    }

    #[test]
    fn time_limits() {
        assert_eq!(limit_minutes(0), 1);
        assert_eq!(limit_minutes(500), 120);
        assert_eq!(seconds_left(1000, 3, 1000), 180);
        assert_eq!(seconds_left(1000, 3, 1200), -20);
    }
}
