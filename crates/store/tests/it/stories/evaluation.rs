//! The bulk evaluation against person-by-person standing.

use super::statutes::martov;
use super::*;

type Standings = BTreeMap<i64, core_rules::statutes::Standing>;

/// Counts per unit built from `standing()` and `facts()` person by person: what the bulk
/// evaluation must reproduce. Also returns each person's standing.
async fn one_by_one(db: &TestDb, day: Day) -> (BTreeMap<i64, UnitCounts>, Standings) {
    let version = db.statutes_on(day).await.unwrap();
    let rules = version.rules.clone();
    let people: Vec<(i64, i64, String)> = sqlx::query("SELECT id, unit_id, since FROM persons")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("unit_id"), r.get("since")))
        .collect();
    let day_s = day.to_string();
    let each: Vec<(i64, i64, Status, core_rules::statutes::Standing)> =
        stream::iter(people.into_iter().filter(|(_, _, since)| *since <= day_s))
            .map(|(id, unit, _)| {
                let rules = &rules;
                let version = version.version;
                async move {
                    let (standing, v) = db.standing(id, day).await?;
                    assert_eq!(v, version);
                    let facts = db.facts(id, day, rules).await?;
                    assert_eq!(
                        evaluate(rules, &facts, day),
                        standing,
                        "standing() should be evaluate() of facts()"
                    );
                    Ok::<_, StoreError>((id, unit, facts.status, standing))
                }
            })
            .buffer_unordered(8)
            .try_collect()
            .await
            .unwrap();
    let mut out: BTreeMap<i64, UnitCounts> = BTreeMap::new();
    let mut standings = Standings::new();
    for (id, unit, status, s) in each {
        let c = out.entry(unit).or_default();
        c.people += 1;
        match status {
            Status::Supporter => c.supporters += 1,
            Status::Applicant => c.applicants += 1,
            Status::Member => c.admitted += 1,
            Status::Lapsed => c.lapsed += 1,
            Status::Left | Status::Expelled => {}
        }
        c.members += s.member as i64;
        c.voting += s.vote as i64;
        // A member whose only missing condition for the vote is the dues.
        let failing_vote = s
            .checks
            .iter()
            .filter(|c| c.rule == "vote" && !c.met)
            .count();
        if s.member
            && !s.vote
            && s.arrears_months > rules.voting.max_arrears_months as i64
            && failing_vote == 1
        {
            c.no_vote_arrears += 1;
        }
        standings.insert(id, s);
    }
    (out, standings)
}

pub(super) async fn bulk_matches_one_by_one(
    db: &TestDb,
    day: Day,
    what: &str,
) -> (UnitCounts, Standings) {
    let bulk = db.evaluate_all(day).await.unwrap();
    let (slow, standings) = one_by_one(db, day).await;
    let units: BTreeMap<i64, String> = db
        .units()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let mut wrong = Vec::new();
    for u in units.keys() {
        let b = bulk.per_unit.get(u).cloned().unwrap_or_default();
        let s = slow.get(u).cloned().unwrap_or_default();
        if b != s {
            wrong.push(format!("{}: bulk {b:?}\n    one by one {s:?}", units[u]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{what} ({day}): evaluate_all disagrees with standing() person by person in:\n  {}",
        wrong.join("\n  ")
    );
    assert!(
        bulk.per_unit.keys().all(|u| units.contains_key(u)),
        "{what}: evaluate_all counted people in units that do not exist"
    );
    (bulk.total(), standings)
}

on_every_backend!(bulk_evaluation_agrees_with_each_persons_standing);
async fn bulk_evaluation_agrees_with_each_persons_standing(db: &TestDb) {
    let today = today();
    let plan = fixtures::demo::demo(7, today);
    assert!(
        fixtures::Seeder(db).seed_demo(&plan, today).await.unwrap(),
        "seeding an empty store"
    );
    assert!(
        !fixtures::Seeder(db).seed_demo(&plan, today).await.unwrap(),
        "a second seed should write nothing"
    );
    assert_eq!(db.count("persons").await, plan.people.len() as i64);

    let (now, standings) = bulk_matches_one_by_one(db, today, "today, Lenin").await;
    // The comparison means something only if the demo has every kind of person in it.
    assert!(
        now.members > 0
            && now.voting > 0
            && now.voting < now.members
            && now.no_vote_arrears > 0
            && now.supporters > 0
            && now.applicants > 0
            && now.lapsed > 0
            && now.admitted > now.members,
        "the demo should hold members with and without votes, supporters, applicants and \
         lapsed members: {now:?}"
    );
    let past_day = today.add_days(-40);
    let (past, _) = bulk_matches_one_by_one(db, past_day, "40 days ago, Lenin").await;
    assert!(past.members > 0 && past.people <= now.people, "{past:?}");

    // A branch's evaluation is the whole one restricted to the branch.
    let all = db.evaluate_all(today).await.unwrap();
    let regional = db
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == "regional")
        .expect("the demo has regions");
    let branch = db.evaluate_branch(today, Some(regional.id)).await.unwrap();
    let sub = db.subtree(regional.id).await.unwrap();
    let expected: BTreeMap<i64, UnitCounts> = all
        .per_unit
        .iter()
        .filter(|(u, _)| sub.contains(u))
        .map(|(u, c)| (*u, c.clone()))
        .collect();
    assert_eq!(
        branch.per_unit, expected,
        "evaluate_branch({})",
        regional.code
    );

    // The unit page's roster decides each person as standing() does.
    roster_matches_standing(db, today, &standings).await;

    // Every demo payment was split in full.
    let unsplit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM dues_payments p WHERE p.amount_cents <> \
         (SELECT CAST(COALESCE(SUM(s.amount_cents), 0) AS BIGINT) FROM dues_shares s WHERE s.payment_id = p.id)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(unsplit, 0, "payments whose shares do not add up");

    // Martov's formula, adopted today: the bulk path must count "regular association".
    db.adopt_statutes(&martov(), today, today, "Extraordinary congress", None)
        .await
        .unwrap();
    assert_eq!(db.evaluate_all(today).await.unwrap().statutes_version, 2);
    let (m, standings) = bulk_matches_one_by_one(db, today, "today, Martov").await;
    assert_ne!(
        (m.members, m.voting),
        (now.members, now.voting),
        "Martov's formula should change who is a member in the demo"
    );
    roster_matches_standing(db, today, &standings).await;
    // The past is still judged by the statutes then in force (checked one by one above).
    let past_again = db.evaluate_all(past_day).await.unwrap();
    assert_eq!(past_again.statutes_version, 1);
    assert_eq!(past_again.total(), past);
}

on_every_backend!(bulk_evaluation_agrees_at_every_threshold);
async fn bulk_evaluation_agrees_at_every_threshold(db: &TestDb) {
    // People placed on each side of every threshold of the statutes, as of today and as of 40
    // days ago: admitted just before, on and after the day the vote comes (30 days); dues paid
    // up to 4 months back, some paid after the past day; participation just inside and just
    // outside the 90-day window, or three times; in a circle, a section and an affiliated body.
    let o = org(db).await;
    let units = [o.docks1, o.women, o.union];
    let this_month = today().month();
    let mut n = 0usize;
    for admitted in [
        None,
        Some(29),
        Some(30),
        Some(31),
        Some(69),
        Some(70),
        Some(200),
    ] {
        for paid in [None, Some(0), Some(-1), Some(-2), Some(-3), Some(-4)] {
            for part in 0..4 {
                n += 1;
                let unit = units[n % units.len()];
                let id = db
                    .create_person(
                        &NewPerson {
                            admitted_on: admitted.map(days_ago),
                            programme_accepted: !n.is_multiple_of(7),
                            ..person(
                                &format!("P{n:03}"),
                                unit,
                                Status::Member,
                                300,
                                identity("", ""),
                            )
                        },
                        None,
                    )
                    .await
                    .unwrap();
                if let Some(k) = paid {
                    db.record_payment(
                        &NewPayment {
                            period: this_month.add(k),
                            ..payment(id, days_ago(if n.is_multiple_of(2) { 50 } else { 10 }), 300)
                        },
                        None,
                    )
                    .await
                    .unwrap();
                }
                // 0: none; 1: on the first day outside today's window; 2: on the last day
                // inside it; 3: three times, inside both windows.
                let days: &[i64] = match part {
                    0 => &[],
                    1 => &[90],
                    2 => &[89],
                    _ => &[45, 60, 100],
                };
                for &d in days {
                    db.record_task(id, unit, days_ago(d), "leafleting", None)
                        .await
                        .unwrap();
                }
            }
        }
    }
    // And every other status, with changes on either side of the past day.
    let add = |name: &'static str, status: Status, programme: bool| {
        let db = &db;
        async move {
            let id = db
                .create_person(
                    &NewPerson {
                        programme_accepted: programme,
                        ..person(name, o.docks2, status, 300, identity("", ""))
                    },
                    None,
                )
                .await
                .unwrap();
            db.record_payment(&payment(id, days_ago(45), 300), None)
                .await
                .unwrap();
            for d in [20, 30, 50] {
                db.record_task(id, o.docks2, days_ago(d), "selling the paper", None)
                    .await
                    .unwrap();
            }
            id
        }
    };
    add("Helper", Status::Supporter, true).await;
    add("Reader", Status::Supporter, false).await;
    add("Asking", Status::Applicant, true).await;
    add("Gone", Status::Left, true).await;
    add("Out", Status::Expelled, true).await;
    add("Tired", Status::Lapsed, true).await;
    let lapsing = add("Lapsing", Status::Member, true).await;
    db.set_status(
        lapsing,
        Status::Lapsed,
        days_ago(10),
        "stopped coming",
        None,
    )
    .await
    .unwrap();
    let joining = add("Joining", Status::Supporter, true).await;
    db.set_status(joining, Status::Member, days_ago(20), "admitted", None)
        .await
        .unwrap();

    let (now, _) = bulk_matches_one_by_one(db, today(), "today, Lenin").await;
    assert!(
        now.voting > 0 && now.members > now.voting && now.no_vote_arrears > 0,
        "{now:?}"
    );
    bulk_matches_one_by_one(db, days_ago(40), "40 days ago, Lenin").await;
    db.adopt_statutes(&martov(), today(), today(), "Congress", None)
        .await
        .unwrap();
    let (m, _) = bulk_matches_one_by_one(db, today(), "today, Martov").await;
    assert!(m.members > 0, "{m:?}");
    // Martov's formula in force for the past day too.
    let mut loose = martov();
    loose.paragraph1.participation_min = 2;
    loose.voting.max_arrears_months = 0;
    loose.voting.min_membership_days = 70;
    db.adopt_statutes(&loose, days_ago(60), days_ago(60), "Earlier congress", None)
        .await
        .unwrap();
    let (p, _) = bulk_matches_one_by_one(db, days_ago(40), "40 days ago, Martov").await;
    assert!(p.members > 0, "{p:?}");
}

async fn roster_matches_standing(db: &TestDb, today: Day, standings: &Standings) {
    for u in db.units().await.unwrap() {
        let roster = db.roster(u.id, today).await.unwrap();
        let people = db.people_of_unit(u.id).await.unwrap();
        assert_eq!(
            roster.iter().map(|(p, _)| p.id).collect::<Vec<_>>(),
            people.iter().map(|p| p.id).collect::<Vec<_>>(),
            "the roster of {} should list its people by pseudonym",
            u.code
        );
        for (p, s) in roster {
            let one = standings
                .get(&p.id)
                .expect("everyone was judged one by one");
            assert_eq!(
                &s, one,
                "roster and standing() disagree on {} ({}) in {}",
                p.pseudonym, p.id, u.code
            );
        }
    }
}
