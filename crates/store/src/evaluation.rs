//! Applying the statutes: one person with every reason, or the whole organisation in counts.
//!
//! The bulk evaluation does not load a million people into memory. The statutes' conditions are
//! thresholds (dues paid since month M, participation since day D, admitted before day A), so SQL
//! sorts people into classes by which side of each threshold they fall, and counts them per unit.
//! `core_rules::statutes::evaluate` then decides each class once, from facts that stand for the
//! class. The rules stay in one place, and a test checks the classes against person-by-person
//! evaluation.

use crate::{Result, Store, StoreError};
use core_rules::people::Status;
use core_rules::statutes::{evaluate, PersonFacts, Standing, Statutes};
use core_rules::units::Category;
use core_rules::{Day, Month};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Every status, in the order of their codes in the bulk evaluation.
const STATUSES: [Status; 6] = [
    Status::Supporter,
    Status::Applicant,
    Status::Member,
    Status::Lapsed,
    Status::Left,
    Status::Expelled,
];

/// Room for every class code in the grouping key `unit_id * CLASSES + class`: the class code
/// (status * 64 + five flag bits) stays below 7 * 64.
const CLASSES: i64 = 1024;

/// Counts for one unit (its own people, not those below it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitCounts {
    pub people: i64,
    pub supporters: i64,
    pub applicants: i64,
    /// Recorded with status member (admitted).
    pub admitted: i64,
    /// Members under Paragraph 1 on the day.
    pub members: i64,
    /// Members with a vote on the day.
    pub voting: i64,
    /// Members whose only reason for having no vote is dues arrears.
    pub no_vote_arrears: i64,
    pub lapsed: i64,
}

impl UnitCounts {
    pub fn add(&mut self, o: &UnitCounts) {
        self.people += o.people;
        self.supporters += o.supporters;
        self.applicants += o.applicants;
        self.admitted += o.admitted;
        self.members += o.members;
        self.voting += o.voting;
        self.no_vote_arrears += o.no_vote_arrears;
        self.lapsed += o.lapsed;
    }
}

#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub day: Option<Day>,
    pub statutes_version: i64,
    pub per_unit: BTreeMap<i64, UnitCounts>,
}

impl Evaluation {
    pub fn total(&self) -> UnitCounts {
        let mut t = UnitCounts::default();
        for c in self.per_unit.values() {
            t.add(c);
        }
        t
    }
}

/// The thresholds of the rules in force, written as the text the database compares.
struct Thresholds {
    /// For each of (dues_within_months, max_arrears_months): paid for this month or later...
    paid_since: [String; 2],
    /// ...or, never having paid, admitted on this day or later...
    admitted_since: [String; 2],
    /// ...or, never admitted either, whether the rule can be met at all (arrears count as 1).
    unadmitted_ok: [bool; 2],
    /// Participation counts from the day after this one.
    window_after: String,
    /// Admitted on or before this day: long enough to vote.
    vote_admitted_by: String,
}

fn thresholds(rules: &Statutes, day: Day) -> Thresholds {
    let this_month = day.month();
    let ks = [
        rules.paragraph1.dues_within_months as i64,
        rules.voting.max_arrears_months as i64,
    ];
    // `evaluate` counts arrears from the last month paid; someone who never paid is counted from
    // the month before admission, and at least 1. So "arrears <= k" reads:
    //   paid_through >= this_month - k, or
    //   never paid and admitted in month >= this_month - (k - 1) (only if k >= 1), or
    //   never paid, never admitted: arrears are 1, so k >= 1.
    let paid_since = ks.map(|k| this_month.add(-k).to_string());
    let admitted_since = ks.map(|k| {
        if k >= 1 {
            this_month.add(-(k - 1)).first_day().to_string()
        } else {
            // No admission date satisfies it: later than any day we store.
            "9999-12-31".to_string()
        }
    });
    Thresholds {
        paid_since,
        admitted_since,
        unadmitted_ok: ks.map(|k| k >= 1),
        window_after: day
            .add_days(-(rules.paragraph1.participation_days as i64))
            .to_string(),
        vote_admitted_by: day
            .add_days(-(rules.voting.min_membership_days as i64))
            .to_string(),
    }
}

/// A class of people who stand on the same side of every threshold.
struct Class {
    status: Status,
    in_party_unit: bool,
    programme: bool,
    /// Arrears within (dues_within_months, max_arrears_months).
    dues_ok: [bool; 2],
    /// 0: never admitted; 1: admitted long enough ago to vote; 2: admitted too recently.
    age: i64,
    participated: bool,
}

/// Facts that stand for everyone in one class.
fn representative(rules: &Statutes, day: Day, class: &Class) -> PersonFacts {
    let Class {
        status,
        in_party_unit,
        programme,
        dues_ok,
        age,
        participated,
    } = *class;
    let ks = [
        rules.paragraph1.dues_within_months as i64,
        rules.voting.max_arrears_months as i64,
    ];
    // The smallest arrears consistent with the class's answers to both thresholds.
    let arrears = match dues_ok {
        [true, true] => 0,
        [true, false] => ks[1] + 1,
        [false, true] => ks[0] + 1,
        [false, false] => ks[0].max(ks[1]) + 1,
    };
    let admitted_on = match age {
        0 => None,
        1 => Some(day.add_days(-(rules.voting.min_membership_days as i64))),
        _ => Some(day),
    };
    PersonFacts {
        status,
        in_party_unit,
        programme_accepted: programme,
        admitted_on,
        paid_through: Some(day.month().add(-arrears)),
        participation: if participated {
            rules.paragraph1.participation_min
        } else {
            0
        },
        last_participation: None,
    }
}

impl Store {
    /// What the records say about one person on a day, under the exact definitions.
    pub async fn facts(&self, person: i64, day: Day, rules: &Statutes) -> Result<PersonFacts> {
        let p = self
            .person(person)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        let unit = self
            .unit(p.unit_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("unit {}", p.unit_id)))?;
        let d = day.to_string();
        // The status on the day: undo any change recorded after it.
        let later: Option<String> = sqlx::query_scalar(
            "SELECT from_value FROM person_history WHERE person_id = $1 AND change = 'status' \
             AND on_date > $2 ORDER BY on_date, id LIMIT 1",
        )
        .bind(person)
        .bind(&d)
        .fetch_optional(self.pool())
        .await?;
        let status = later.as_deref().and_then(Status::parse).unwrap_or(p.status);
        let paid: Option<String> = sqlx::query_scalar(&format!(
            "SELECT MAX(dp.period) FROM dues_payments dp WHERE dp.person_id = $1 AND dp.paid_on <= $2 \
             AND {}",
            crate::dues::NOT_REVERSED
        ))
        .bind(person)
        .bind(&d)
        .fetch_one(self.pool())
        .await?;
        let window_after = day
            .add_days(-(rules.paragraph1.participation_days as i64))
            .to_string();
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
                  WHERE a.person_id = $1 AND m.held_on > $2 AND m.held_on <= $3) \
             + (SELECT COUNT(*) FROM tasks t WHERE t.person_id = $1 AND t.done_on > $2 AND t.done_on <= $3) AS n, \
               (SELECT MAX(m.held_on) FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
                  WHERE a.person_id = $1 AND m.held_on <= $3) AS last_meeting, \
               (SELECT MAX(t.done_on) FROM tasks t WHERE t.person_id = $1 AND t.done_on <= $3) AS last_task",
        )
        .bind(person)
        .bind(&window_after)
        .bind(&d)
        .fetch_one(self.pool())
        .await?;
        let n: i64 = row.try_get("n")?;
        let last = [
            row.try_get::<Option<String>, _>("last_meeting")?,
            row.try_get::<Option<String>, _>("last_task")?,
        ]
        .into_iter()
        .flatten()
        .max();
        Ok(PersonFacts {
            status,
            in_party_unit: unit.category != Category::Affiliate,
            programme_accepted: p.programme_accepted,
            admitted_on: p.admitted_on.filter(|a| *a <= day),
            paid_through: paid.as_deref().and_then(|m| Month::parse(m).ok()),
            participation: n.clamp(0, u32::MAX as i64) as u32,
            last_participation: last.as_deref().and_then(|s| Day::parse(s).ok()),
        })
    }

    /// One person's standing on a day, with the reasons.
    pub async fn standing(&self, person: i64, day: Day) -> Result<(Standing, i64)> {
        let version = self.statutes_on(day).await?;
        let facts = self.facts(person, day, &version.rules).await?;
        Ok((evaluate(&version.rules, &facts, day), version.version))
    }

    /// Membership and voting rights of everyone on a day, counted per unit.
    pub async fn evaluate_all(&self, day: Day) -> Result<Evaluation> {
        self.evaluate_branch(day, None).await
    }

    /// The same for one branch (a unit and everything below it): reads only that branch.
    pub async fn evaluate_branch(&self, day: Day, branch: Option<i64>) -> Result<Evaluation> {
        let version = self.statutes_on(day).await?;
        let rules = &version.rules;
        let th = thresholds(rules, day);
        let d = day.to_string();

        let sql = classes_sql(rules, &th, day, self.today(), branch.is_some());
        let party_units = self.party_units(branch).await?;
        let mut q = sqlx::query(&sql)
            .bind(&th.paid_since[0])
            .bind(&th.paid_since[1])
            .bind(&th.admitted_since[0])
            .bind(&th.admitted_since[1])
            .bind(&th.vote_admitted_by)
            .bind(&d)
            .bind(&th.window_after)
            .bind(&d);
        if let Some(b) = branch {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;

        let mut out = Evaluation {
            day: Some(day),
            statutes_version: version.version,
            per_unit: BTreeMap::new(),
        };
        for r in rows {
            // One integer key groups faster than two columns (SQLite sorts to group).
            let g: i64 = r.try_get("g")?;
            let (unit_id, k) = (g.div_euclid(CLASSES), g.rem_euclid(CLASSES));
            let status = *STATUSES
                .get((k >> 6) as usize)
                .ok_or_else(|| StoreError::Internal("a stored status is unknown".into()))?;
            let n: i64 = r.try_get("n")?;
            let class = Class {
                status,
                in_party_unit: party_units.get(&unit_id).copied().unwrap_or(true),
                programme: k & 32 != 0,
                dues_ok: [k & 16 != 0, k & 8 != 0],
                age: (k >> 1) & 3,
                participated: k & 1 != 0,
            };
            add_class(
                out.per_unit.entry(unit_id).or_default(),
                rules,
                day,
                &class,
                n,
            );
        }
        Ok(out)
    }

    /// Whether each unit (of the branch, or all) is a party unit rather than an affiliate.
    async fn party_units(&self, branch: Option<i64>) -> Result<HashMap<i64, bool>> {
        let sql = format!(
            "SELECT u.id, CASE WHEN k.category = 'affiliate' THEN 0 ELSE 1 END AS party \
                 FROM {} JOIN unit_kinds k ON k.code = u.kind {}",
            if branch.is_some() {
                "unit_tree t JOIN units u ON u.id = t.unit_id"
            } else {
                "units u"
            },
            if branch.is_some() {
                "WHERE t.ancestor_id = $1"
            } else {
                ""
            },
        );
        let mut q = sqlx::query(&sql);
        if let Some(b) = branch {
            q = q.bind(b);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get::<i64, _>("party")? != 0)))
            .collect()
    }

    /// Counts for a unit and everything below it.
    pub fn subtree_counts(eval: &Evaluation, units: &[i64]) -> UnitCounts {
        let mut t = UnitCounts::default();
        for u in units {
            if let Some(c) = eval.per_unit.get(u) {
                t.add(c);
            }
        }
        t
    }

    /// The ids of a unit and every unit below it.
    pub async fn subtree(&self, unit: i64) -> Result<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT unit_id FROM unit_tree WHERE ancestor_id = $1")
                .bind(unit)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// For each unit directly below `unit`, the ids of its whole branch, in one query (a page
    /// listing twenty circles should not make twenty round trips).
    pub async fn child_branches(
        &self,
        unit: i64,
    ) -> Result<std::collections::BTreeMap<i64, Vec<i64>>> {
        let rows = sqlx::query(
            "SELECT t.ancestor_id, t.unit_id FROM units c JOIN unit_tree t ON t.ancestor_id = c.id \
             WHERE c.parent_id = $1",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        let mut out: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
        for r in rows {
            out.entry(r.try_get("ancestor_id")?)
                .or_default()
                .push(r.try_get("unit_id")?);
        }
        Ok(out)
    }

    /// Members at the end of each of the last `months` months in a branch, from the records:
    /// admitted by then, and not yet lapsed, left or expelled by then.
    /// The closed units strictly below `unit`, each with every unit of its own branch (itself
    /// included), so that a page can leave out what its viewer is not told of.
    pub async fn closed_below(&self, unit: i64) -> Result<BTreeMap<i64, Vec<i64>>> {
        let rows = sqlx::query(
            "SELECT c.ancestor_id, c.unit_id FROM unit_tree t \
             JOIN units u ON u.id = t.unit_id AND u.closed = 1 \
             JOIN unit_tree c ON c.ancestor_id = u.id \
             WHERE t.ancestor_id = $1 AND t.depth > 0",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for r in rows {
            out.entry(r.try_get("ancestor_id")?)
                .or_default()
                .push(r.try_get("unit_id")?);
        }
        Ok(out)
    }

    pub async fn membership_series(
        &self,
        unit: i64,
        months: i64,
        today: Day,
    ) -> Result<Vec<(Month, i64)>> {
        self.membership_series_without(unit, months, today, &Default::default())
            .await
    }

    /// The series, leaving out the people of `hidden` units (closed units the viewer is not
    /// told of: their members must not show up as a step in the chart).
    pub async fn membership_series_without(
        &self,
        unit: i64,
        months: i64,
        today: Day,
        hidden: &std::collections::HashSet<i64>,
    ) -> Result<Vec<(Month, i64)>> {
        let rows = sqlx::query(
            "SELECT p.id, p.unit_id, p.admitted_on, p.status \
             FROM unit_tree t JOIN persons p ON p.unit_id = t.unit_id \
             WHERE t.ancestor_id = $1 AND p.admitted_on IS NOT NULL ORDER BY p.id",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        // Every change of status, so that a member who lapsed and was readmitted counts again
        // from the readmission.
        let changes = sqlx::query(
            "SELECT h.person_id, h.on_date, h.from_value, h.to_value \
             FROM unit_tree t JOIN persons p ON p.unit_id = t.unit_id \
             JOIN person_history h ON h.person_id = p.id \
             WHERE t.ancestor_id = $1 AND p.admitted_on IS NOT NULL AND h.change = 'status' \
             ORDER BY h.person_id, h.on_date, h.id",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        // (on, from, to) for each person.
        type Change = (String, Option<String>, Option<String>);
        let mut history: BTreeMap<i64, Vec<Change>> = BTreeMap::new();
        for r in changes {
            history.entry(r.try_get("person_id")?).or_default().push((
                r.try_get("on_date")?,
                r.try_get("from_value")?,
                r.try_get("to_value")?,
            ));
        }
        // Spans of membership: [from, until), until `None` while it lasts.
        let mut spans: Vec<(String, Option<String>)> = Vec::with_capacity(rows.len());
        for r in rows {
            if hidden.contains(&r.try_get::<i64, _>("unit_id")?) {
                continue;
            }
            let id: i64 = r.try_get("id")?;
            let admitted: String = r.try_get("admitted_on")?;
            let status: String = r.try_get("status")?;
            let mut open = Some(admitted);
            for (on, from, to) in history.get(&id).into_iter().flatten() {
                let to_member = to.as_deref() == Some("member");
                match &open {
                    Some(start) if from.as_deref() == Some("member") && !to_member => {
                        spans.push((start.clone(), Some(on.clone())));
                        open = None;
                    }
                    None if to_member => open = Some(on.clone()),
                    _ => {}
                }
            }
            if let Some(start) = open {
                // Imported people who are no longer members, with no recorded change: when
                // they stopped is unknowable, so they are not counted at all.
                let until = (status != "member").then(|| start.clone());
                spans.push((start, until));
            }
        }
        let this = today.month();
        Ok((0..months)
            .rev()
            .map(|back| {
                let m = this.add(-back);
                let end = if back == 0 {
                    today.to_string()
                } else {
                    m.add(1).first_day().add_days(-1).to_string()
                };
                let n = spans
                    .iter()
                    .filter(|(a, e)| {
                        a.as_str() <= end.as_str() && e.as_deref().is_none_or(|e| e > end.as_str())
                    })
                    .count() as i64;
                (m, n)
            })
            .collect())
    }
}

/// The query that counts everyone by unit and class on `day` (see `evaluate_branch`): one
/// integer per class, grouped with the unit; with `branch`, only the branch bound as `$9`.
fn classes_sql(rules: &Statutes, th: &Thresholds, day: Day, now: Day, branch: bool) -> String {
    let today = day >= now;
    // Today the kept columns are exact (nothing is recorded in the future). For a past day,
    // the same columns are computed from the records as they stood then.
    let (status, paid, admitted, participated) = if today && rules.paragraph1.participation_min <= 1
    {
        (
            "p.status".to_string(),
            "p.paid_through".to_string(),
            "p.admitted_on".to_string(),
            "CASE WHEN p.last_participation > $7 THEN 1 ELSE 0 END".to_string(),
        )
    } else {
        (
            "COALESCE((SELECT h.from_value FROM person_history h WHERE h.person_id = p.id \
               AND h.change = 'status' AND h.on_date > $8 ORDER BY h.on_date, h.id LIMIT 1), p.status)"
                .to_string(),
            format!(
                "(SELECT MAX(dp.period) FROM dues_payments dp WHERE dp.person_id = p.id AND dp.paid_on <= $8 \
                 AND {})",
                crate::dues::NOT_REVERSED
            ),
            "CASE WHEN p.admitted_on <= $8 THEN p.admitted_on END".to_string(),
            format!(
                "CASE WHEN (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
                   WHERE a.person_id = p.id AND m.held_on > $7 AND m.held_on <= $8) \
                 + (SELECT COUNT(*) FROM tasks t WHERE t.person_id = p.id AND t.done_on > $7 AND t.done_on <= $8) \
                 >= {} THEN 1 ELSE 0 END",
                rules.paragraph1.participation_min
            ),
        )
    };
    let dues_ok = |i: usize, paid_since: &str, admitted_since: &str| {
        format!(
            "CASE WHEN pd IS NOT NULL THEN (CASE WHEN pd >= {paid_since} THEN 1 ELSE 0 END) \
                  WHEN ad IS NULL THEN {} \
                  ELSE (CASE WHEN ad >= {admitted_since} THEN 1 ELSE 0 END) END",
            th.unadmitted_ok[i] as i64
        )
    };
    // One integer per class (status, programme, both dues thresholds, age, participation),
    // grouped with the unit: sorting a million rows on two integers is the bulk of the work,
    // and on text and six flags it took twice as long. Whether a unit is a party unit comes
    // from the (small) unit table afterwards rather than a join per person.
    let status_code = STATUSES
        .iter()
        .enumerate()
        .map(|(i, s)| format!("WHEN '{}' THEN {i}", s.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    let sql = format!(
        "SELECT g, COUNT(*) AS n FROM ( \
           SELECT unit_id * {CLASSES} + \
             (CASE st {status_code} ELSE {unknown} END) * 64 + prog * 32 + ({d0}) * 16 + ({d1}) * 8 \
             + (CASE WHEN ad IS NULL THEN 0 WHEN ad <= $5 THEN 1 ELSE 2 END) * 2 + part AS g \
           FROM ( \
             SELECT p.unit_id, {status} AS st, \
               CASE WHEN p.programme_accepted <> 0 THEN 1 ELSE 0 END AS prog, \
               {paid} AS pd, {admitted} AS ad, {participated} AS part \
             FROM {from} \
             WHERE p.since <= $6 {branch_filter} \
           ) facts \
         ) classes GROUP BY g",
        unknown = STATUSES.len(),
        from = if branch {
            "unit_tree t JOIN persons p ON p.unit_id = t.unit_id"
        } else {
            "persons p"
        },
        branch_filter = if branch {
            "AND t.ancestor_id = $9"
        } else {
            ""
        },
        d0 = dues_ok(0, "$1", "$3"),
        d1 = dues_ok(1, "$2", "$4"),
    );
    sql
}

/// Adds `n` people of one class to their unit's counts.
fn add_class(c: &mut UnitCounts, rules: &Statutes, day: Day, class: &Class, n: i64) {
    let status = class.status;
    let facts = representative(rules, day, class);
    let s = evaluate(rules, &facts, day);
    c.people += n;
    match status {
        Status::Supporter => c.supporters += n,
        Status::Applicant => c.applicants += n,
        Status::Member => c.admitted += n,
        Status::Lapsed => c.lapsed += n,
        Status::Left | Status::Expelled => {}
    }
    if s.member {
        c.members += n;
    }
    if s.vote {
        c.voting += n;
    }
    if s.member
        && !s.vote
        && s.arrears_months > rules.voting.max_arrears_months as i64
        && s.checks
            .iter()
            .filter(|c| c.rule == "vote" && !c.met)
            .count()
            == 1
    {
        c.no_vote_arrears += n;
    }
}
