//! The congress.

use super::*;
use core_rules::congress::blocs::Choice;
use core_rules::congress::{ApportionRule, Edit};
use store::congress::Kind;

/// Members with a vote today: admitted 100 days ago, dues paid this month, at a meeting today.
async fn voters(db: &TestDb, unit: i64, prefix: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = db
            .create_person(
                &person(
                    &format!("{prefix} {i}"),
                    unit,
                    Status::Member,
                    100,
                    identity(
                        &format!("{prefix}{i}@example.org")
                            .to_lowercase()
                            .replace(' ', "-"),
                        "",
                    ),
                ),
                None,
            )
            .await
            .unwrap();
        db.record_payment(&payment(id, today(), 300), None)
            .await
            .unwrap();
        ids.push(id);
    }
    db.record_meeting(unit, today(), "Circle meeting", &ids, None)
        .await
        .unwrap();
    ids
}

fn congress_rule(rule: core_rules::congress::ApportionRule) -> store::congress::NewCongress {
    store::congress::NewCongress {
        name: "Second Congress".into(),
        held_on: today().add_days(30),
        membership_on: today(),
        rule: Some(rule),
        quorum: (1, 2),
        supporters_needed: 1,
        motion_states: String::new(),
    }
}

// A congress from convening to its minutes: one fixture, built up to a named point by the steps
// below in order, each with its own assertions; a story for each point.

/// The points the congress is built up to, in the order of its business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Point {
    Convened,
    Delegates,
    Credentials,
    Amendments,
    RollCall,
    SecretVote,
    Statutes,
    Clauses,
    Walkout,
    Election,
    Minutes,
}

/// What the steps share. A step fills in what it makes (the participants, the motion and its
/// amendments); until then those ids are 0, and no step before it reads them.
#[derive(Clone, Debug)]
struct Hall {
    o: Org,
    by: Option<i64>,
    /// Members with a vote, of docks-1 and of docks-2.
    d1: Vec<i64>,
    d2: Vec<i64>,
    /// A member without a vote, and a supporter.
    idle: i64,
    supporter: i64,
    c: i64,
    lenin: i64,
    martov: i64,
    voice: i64,
    guest: i64,
    motion: i64,
    a_lenin: i64,
    a_martov: i64,
    a_sub: i64,
}

/// The congress, built up to `point`, every step's assertions checked on the way.
async fn congress_up_to(db: &TestDb, point: Point) -> Hall {
    let mut h = convened(db).await;
    if point >= Point::Delegates {
        delegates(db, &mut h).await;
    }
    if point >= Point::Credentials {
        credentials(db, &mut h).await;
    }
    if point >= Point::Amendments {
        amendments(db, &mut h).await;
    }
    if point >= Point::RollCall {
        roll_call(db, &mut h).await;
    }
    if point >= Point::SecretVote {
        secret_vote(db, &mut h).await;
    }
    if point >= Point::Statutes {
        statutes(db, &mut h).await;
    }
    if point >= Point::Clauses {
        clauses(db, &mut h).await;
    }
    if point >= Point::Walkout {
        walkout(db, &mut h).await;
    }
    if point >= Point::Election {
        election(db, &mut h).await;
    }
    if point >= Point::Minutes {
        minutes(db, &mut h).await;
    }
    h
}

on_every_backend!(a_congress_is_convened_with_mandates_by_its_rule);
async fn a_congress_is_convened_with_mandates_by_its_rule(db: &TestDb) {
    congress_up_to(db, Point::Convened).await;
}

on_every_backend!(delegates_hold_their_units_mandates_and_no_more);
async fn delegates_hold_their_units_mandates_and_no_more(db: &TestDb) {
    congress_up_to(db, Point::Delegates).await;
}

on_every_backend!(credentials_and_presence_make_the_quorum);
async fn credentials_and_presence_make_the_quorum(db: &TestDb) {
    congress_up_to(db, Point::Credentials).await;
}

on_every_backend!(a_motion_gathers_competing_amendments_in_voting_order);
async fn a_motion_gathers_competing_amendments_in_voting_order(db: &TestDb) {
    congress_up_to(db, Point::Amendments).await;
}

on_every_backend!(a_roll_call_adopts_an_amendment_and_its_rivals_fall);
async fn a_roll_call_adopts_an_amendment_and_its_rivals_fall(db: &TestDb) {
    congress_up_to(db, Point::RollCall).await;
}

on_every_backend!(a_secret_vote_keeps_who_voted_apart_from_the_ballots);
async fn a_secret_vote_keeps_who_voted_apart_from_the_ballots(db: &TestDb) {
    congress_up_to(db, Point::SecretVote).await;
}

on_every_backend!(statutes_adopted_at_a_congress_take_effect_on_its_day);
async fn statutes_adopted_at_a_congress_take_effect_on_its_day(db: &TestDb) {
    congress_up_to(db, Point::Statutes).await;
}

on_every_backend!(statutes_motions_are_read_by_their_clauses);
async fn statutes_motions_are_read_by_their_clauses(db: &TestDb) {
    congress_up_to(db, Point::Clauses).await;
}

on_every_backend!(a_walkout_takes_the_quorum_with_it);
async fn a_walkout_takes_the_quorum_with_it(db: &TestDb) {
    congress_up_to(db, Point::Walkout).await;
}

on_every_backend!(an_election_by_stv_elects_those_who_stand);
async fn an_election_by_stv_elects_those_who_stand(db: &TestDb) {
    congress_up_to(db, Point::Election).await;
}

on_every_backend!(a_congress_from_convening_to_its_minutes);
async fn a_congress_from_convening_to_its_minutes(db: &TestDb) {
    congress_up_to(db, Point::Minutes).await;
}

/// Convening: refused with an impossible rule; by members with a vote (the idle member has
/// none), and by a fixed total. The organisation, its voters and the congress.
async fn convened(db: &TestDb) -> Hall {
    let o = org(db).await;
    let by = Some(o.admin);
    let d1 = voters(db, o.docks1, "Iskrist", 12).await;
    let d2 = voters(db, o.docks2, "Rabochee", 5).await;
    // A member without a vote (never paid) counts for nothing.
    let idle = db
        .create_person(
            &person(
                "Idle",
                o.docks2,
                Status::Member,
                100,
                identity("idle@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let supporter = db
        .create_person(
            &person(
                "Sympathiser",
                o.docks2,
                Status::Supporter,
                100,
                identity("s@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();

    // Convening: one delegate per 5 members with a vote.
    let before = db.count("congresses").await;
    let e = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 0, min: 1 }),
            by,
        )
        .await
        .expect_err("one delegate per 0 members is refused");
    assert!(e.to_string().contains("per 0"), "{e}");
    assert_eq!(
        db.count("congresses").await,
        before,
        "a refused convening wrote a congress"
    );
    let c = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 5, min: 1 }),
            by,
        )
        .await
        .unwrap();
    let m: BTreeMap<i64, u64> = db
        .mandates(c)
        .await
        .unwrap()
        .iter()
        .map(|u| (u.unit_id, u.mandates))
        .collect();
    assert_eq!(
        m,
        BTreeMap::from([(o.docks1, 2), (o.docks2, 1)]),
        "12/5 → 2, 5/5 → 1 (the idle member has no vote)"
    );
    // A fixed total by D'Hondt adds up to the total.
    let fixed = db
        .convene(
            &congress_rule(ApportionRule::Fixed {
                total: 7,
                method: count::apportion::Method::DHondt,
                min: 1,
            }),
            by,
        )
        .await
        .unwrap();
    let fm: Vec<u64> = db
        .mandates(fixed)
        .await
        .unwrap()
        .iter()
        .map(|u| u.mandates)
        .collect();
    assert_eq!(fm.iter().sum::<u64>(), 7);
    Hall {
        o,
        by,
        d1,
        d2,
        idle,
        supporter,
        c,
        lenin: 0,
        martov: 0,
        voice: 0,
        guest: 0,
        motion: 0,
        a_lenin: 0,
        a_martov: 0,
        a_sub: 0,
    }
}

/// Delegates hold their unit's mandates and no more; a supporter is no delegate; each takes
/// part once. Also a consultative voice, a guest and a substitute.
async fn delegates(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (d1, d2, supporter, idle) = (&h.d1, &h.d2, h.supporter, h.idle);
    // Delegates, and those who may not be.
    let lenin = db
        .add_participant(c, d1[0], Kind::Delegate, 2, by)
        .await
        .unwrap();
    let martov = db
        .add_participant(c, d2[0], Kind::Delegate, 1, by)
        .await
        .unwrap();
    let e = db
        .add_participant(c, d1[1], Kind::Delegate, 1, by)
        .await
        .expect_err("the unit's mandates are all held");
    assert!(e.to_string().contains("already held"), "{e}");
    let e = db
        .add_participant(c, supporter, Kind::Delegate, 1, by)
        .await
        .expect_err("a supporter is no delegate");
    assert!(e.to_string().contains("not a member"), "{e}");
    let e = db
        .add_participant(c, d1[0], Kind::Guest, 0, by)
        .await
        .expect_err("once only");
    assert!(e.to_string().contains("already takes part"), "{e}");
    let voice = db
        .add_participant(c, d1[2], Kind::Consultative, 0, by)
        .await
        .unwrap();
    let guest = db
        .add_participant(c, idle, Kind::Guest, 0, by)
        .await
        .unwrap();
    let sub = db
        .add_participant(c, d1[3], Kind::Substitute, 0, by)
        .await
        .unwrap();
    let _ = sub;
    h.lenin = lenin;
    h.martov = martov;
    h.voice = voice;
    h.guest = guest;
}

/// Credentials accepted, the report, presence and the quorum (a consultative voice adds no
/// mandate), and the report approved by vote.
async fn credentials(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (lenin, martov, voice) = (h.lenin, h.martov, h.voice);
    // Credentials.
    db.set_credential(lenin, true, by).await.unwrap();
    db.set_credential(martov, true, by).await.unwrap();
    let r = db.credentials_report(c).await.unwrap();
    assert_eq!(
        (
            r.apportioned,
            r.delegates,
            r.accepted,
            r.accepted_mandates,
            r.pending
        ),
        (3, 2, 2, 3, 0)
    );
    assert!(r.units_short.is_empty());

    // Presence and quorum.
    let q = db.quorum(c).await.unwrap();
    assert_eq!((q.entitled, q.present, q.needed, q.met), (3, 0, 2, false));
    let q = db
        .set_presence(c, &[lenin, martov, voice], true, by)
        .await
        .unwrap();
    assert_eq!(
        (q.present, q.met),
        (3, true),
        "the consultative voice adds no mandate"
    );

    // The credentials report approved by vote.
    let cv = db
        .open_vote(
            c,
            "credentials",
            None,
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(cv, lenin, Choice::Yes, by).await.unwrap();
    db.close_vote(cv, by).await.unwrap();
    assert!(db.congress(c).await.unwrap().unwrap().credentials_approved);
}

/// A motion admitted once supported, and competing amendments (refused ones write nothing),
/// in the order they are put to the vote.
async fn amendments(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (lenin, martov, voice, guest) = (h.lenin, h.martov, h.voice, h.guest);
    // A motion with competing amendments.
    let motion = db
        .submit_motion(
            c,
            "Draft statutes",
            "Paragraph 1.\nA member supports the party.\nParagraph 2.",
            true,
            Some(lenin),
            by,
        )
        .await
        .unwrap();
    let e = db
        .set_motion_state(motion, "admitted", by)
        .await
        .expect_err("needs a supporter");
    assert!(e.to_string().contains("needs 1"), "{e}");
    db.support_motion(motion, martov, by).await.unwrap();
    db.set_motion_state(motion, "admitted", by).await.unwrap();
    let e = db
        .set_motion_state(motion, "tabled", by)
        .await
        .expect_err("not a state");
    assert!(e.to_string().contains("not a state"), "{e}");
    let a_lenin = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("replace", 2, None, "by personal participation").unwrap(),
            Some(lenin),
            by,
        )
        .await
        .unwrap();
    let a_martov = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("replace", 2, None, "by regular personal association").unwrap(),
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let a_sub = db
        .propose_amendment(
            motion,
            Some(a_martov),
            &Edit::parse("replace", 1, None, "by regular association").unwrap(),
            Some(voice),
            by,
        )
        .await
        .unwrap();
    let n = db.count("congress_amendments").await;
    let e = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("delete", 9, None, "").unwrap(),
            Some(lenin),
            by,
        )
        .await
        .expect_err("line 9 does not exist");
    assert!(e.to_string().contains("line 9 does not exist"), "{e}");
    let e = db
        .propose_amendment(
            motion,
            None,
            &Edit::parse("delete", 1, None, "").unwrap(),
            Some(guest),
            by,
        )
        .await
        .expect_err("a guest proposes nothing");
    assert!(e.to_string().contains("only delegates"), "{e}");
    assert_eq!(
        db.count("congress_amendments").await,
        n,
        "refused amendments wrote nothing"
    );
    assert_eq!(
        db.amendment_order(motion).await.unwrap(),
        vec![a_lenin, a_sub, a_martov]
    );
    h.motion = motion;
    h.a_lenin = a_lenin;
    h.a_martov = a_martov;
    h.a_sub = a_sub;
}

/// A roll call on Lenin's wording, announced live: one vote each, by mandate; the adopted
/// amendment stands and those conflicting with it fall.
async fn roll_call(db: &TestDb, h: &mut Hall) {
    let (by, c, motion) = (h.by, h.c, h.motion);
    let (lenin, martov, voice, guest) = (h.lenin, h.martov, h.voice, h.guest);
    let (a_lenin, a_martov, a_sub) = (h.a_lenin, h.a_martov, h.a_sub);
    // A roll call on Lenin's wording.
    let mut live = db.congress_live().await.unwrap().subscribe();
    let v = db
        .open_vote(
            c,
            "amendment",
            Some(a_lenin),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    assert_eq!(
        tokio::time::timeout(std::time::Duration::from_secs(10), live.recv())
            .await
            .expect("the change is announced")
            .unwrap(),
        store::congress::Change {
            congress: c,
            kind: core_rules::congress::record::Part::Vote
        }
    );
    db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
    db.cast_vote(v, martov, Choice::No, by).await.unwrap();
    let e = db
        .cast_vote(v, martov, Choice::Yes, by)
        .await
        .expect_err("a second vote");
    assert!(e.to_string().contains("already voted"), "{e}");
    let e = db
        .cast_vote(v, voice, Choice::Yes, by)
        .await
        .expect_err("no mandate");
    assert!(e.to_string().contains("no mandate"), "{e}");
    let e = db
        .cast_vote(v, guest, Choice::Yes, by)
        .await
        .expect_err("no mandate");
    assert!(e.to_string().contains("no mandate"), "{e}");
    let out = db.close_vote(v, by).await.unwrap();
    assert_eq!(
        (out.yes, out.no, out.decision),
        (2, 1, count::motion::Decision::Adopted),
        "Lenin's 2 mandates carry"
    );
    let e = db
        .cast_vote(v, lenin, Choice::No, by)
        .await
        .expect_err("after the close");
    assert!(e.to_string().contains("closed"), "{e}");
    let roll = db.roll(v).await.unwrap();
    assert_eq!(
        roll.iter()
            .map(|r| (r.pseudonym.as_str(), r.choice, r.weight))
            .collect::<Vec<_>>(),
        vec![("Iskrist 0", Choice::Yes, 2), ("Rabochee 0", Choice::No, 1)],
        "the first vote stands"
    );
    let states: BTreeMap<i64, String> = db
        .amendments(motion)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.amendment.id, a.state))
        .collect();
    assert_eq!(states[&a_lenin], "adopted");
    assert_eq!(states[&a_martov], "fallen");
    assert_eq!(
        states[&a_sub], "fallen",
        "an amendment to a fallen amendment falls with it"
    );
    assert_eq!(
        db.consolidated(motion).await.unwrap(),
        vec!["Paragraph 1.", "by personal participation", "Paragraph 2."]
    );
}

/// A secret vote on the motion: who voted kept apart from the ballots, one per mandate, with
/// no voter and no time.
async fn secret_vote(db: &TestDb, h: &mut Hall) {
    let (by, c, motion) = (h.by, h.c, h.motion);
    let (lenin, martov) = (h.lenin, h.martov);
    // A secret vote on the motion: who voted apart from the ballots.
    let s = db
        .open_vote(
            c,
            "motion",
            Some(motion),
            "",
            true,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(s, lenin, Choice::No, by).await.unwrap();
    db.cast_vote(s, martov, Choice::Yes, by).await.unwrap();
    let e = db
        .cast_vote(s, lenin, Choice::Yes, by)
        .await
        .expect_err("a second secret vote");
    assert!(e.to_string().contains("already voted"), "{e}");
    assert_eq!(db.count("congress_voters").await, 2);
    assert_eq!(
        db.count("congress_ballots").await,
        3,
        "one ballot per mandate"
    );
    let cols: Vec<String> = sqlx::query("SELECT * FROM congress_ballots")
        .fetch_all(db.pool())
        .await
        .unwrap()[0]
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(
        cols,
        vec!["id", "vote_id", "choice"],
        "no voter, no time in a ballot"
    );
    assert!(
        db.roll(s).await.unwrap().is_empty(),
        "a secret vote has no roll"
    );
    let out = db.close_vote(s, by).await.unwrap();
    assert_eq!(
        (out.yes, out.no, out.decision),
        (1, 2, count::motion::Decision::Rejected)
    );
    assert_eq!(db.motion(motion).await.unwrap().unwrap().state, "rejected");
}

/// A statutes motion adopted with Martov's Paragraph 1: the rule changes on the congress's
/// day, and membership and voting rights follow it.
async fn statutes(db: &TestDb, h: &mut Hall) {
    let (o, by, c) = (h.o, h.by, h.c);
    let (lenin, martov) = (h.lenin, h.martov);
    // A statutes motion adopted with Martov's Paragraph 1: the rule changes on the congress's day.
    let draft = db
        .submit_motion(
            c,
            "Statutes, second reading",
            fixtures::demo::DEMO_DRAFT_STATUTES,
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let martov_wording = core_rules::statutes::Formula::Martov.wording();
    let am = db
        .propose_amendment(
            draft,
            None,
            &Edit::parse("replace", 2, None, martov_wording).unwrap(),
            Some(martov),
            by,
        )
        .await
        .unwrap();
    for (subject, id) in [("amendment", am), ("motion", draft)] {
        let v = db
            .open_vote(
                c,
                subject,
                Some(id),
                "",
                false,
                count::motion::Rule::SIMPLE,
                by,
            )
            .await
            .unwrap();
        db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
        assert_eq!(
            db.close_vote(v, by).await.unwrap().decision,
            count::motion::Decision::Adopted
        );
    }
    let held = db.congress(c).await.unwrap().unwrap().held_on;
    assert_eq!(
        db.statutes_on(held).await.unwrap().rules.paragraph1.formula,
        core_rules::statutes::Formula::Martov
    );
    assert_eq!(
        db.statutes_on(held.add_days(-1))
            .await
            .unwrap()
            .rules
            .paragraph1
            .formula,
        core_rules::statutes::Formula::Lenin,
        "not before its day"
    );
    // Membership and voting rights are recomputed under the rule in force: a supporter who
    // recognises the programme, pays and comes to meetings, never admitted, is no member under
    // Lenin's formula and is one (with a vote) under Martov's, from the amendment's day on.
    let mut np = person(
        "Fellow traveller",
        o.docks2,
        Status::Supporter,
        100,
        identity("ft@example.org", ""),
    );
    np.programme_accepted = true;
    let ft = db.create_person(&np, None).await.unwrap();
    db.record_payment(&payment(ft, today(), 300), None)
        .await
        .unwrap();
    db.record_meeting(o.docks2, today(), "Open meeting", &[ft], None)
        .await
        .unwrap();
    let before = db.standing(ft, held.add_days(-1)).await.unwrap().0;
    let after = db.standing(ft, held).await.unwrap().0;
    assert!(!before.member, "{before:?}");
    assert!(after.member && after.vote, "{after:?}");
    let counted =
        |day: Day| async move { db.evaluate_all(day).await.unwrap().per_unit[&o.docks2].members };
    assert_eq!(
        counted(held).await,
        counted(held.add_days(-1)).await + 1,
        "the unit's count of members follows the statutes in force"
    );
}

/// Statutes motions that change figures are read by their clauses; an ambiguous one is not
/// put to the vote.
async fn clauses(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (lenin, martov) = (h.lenin, h.martov);
    let held = db.congress(c).await.unwrap().unwrap().held_on;
    // Statutes motions that change rules held as figures are read by their clauses; one that
    // says two things is not put to the vote until it is amended.
    let ambiguous = db
        .submit_motion(
            c,
            "Dues, two ways",
            "A member's dues are paid up within 6 months.\nA member's dues are paid up within 4 months.",
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let e = db
        .open_vote(
            c,
            "motion",
            Some(ambiguous),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .expect_err("an ambiguous statutes motion");
    assert!(
        e.to_string().contains("line 1 says 6 and line 2 says 4"),
        "{e}"
    );
    let figures = db
        .submit_motion(
            c,
            "Dues and the vote",
            "§7. A member's dues are paid up within six months.\nA new member votes after 60 days of membership.",
            true,
            Some(martov),
            by,
        )
        .await
        .unwrap();
    let v = db
        .open_vote(
            c,
            "motion",
            Some(figures),
            "",
            false,
            count::motion::Rule::SIMPLE,
            by,
        )
        .await
        .unwrap();
    db.cast_vote(v, lenin, Choice::Yes, by).await.unwrap();
    assert_eq!(
        db.close_vote(v, by).await.unwrap().decision,
        count::motion::Decision::Adopted
    );
    let rules = db.statutes_on(held).await.unwrap().rules;
    assert_eq!(rules.paragraph1.dues_within_months, 6);
    assert_eq!(rules.voting.min_membership_days, 60);
    assert_eq!(
        rules.paragraph1.formula,
        core_rules::statutes::Formula::Martov,
        "the earlier motion's change stays"
    );
    assert_eq!(
        db.statutes_on(held.add_days(-1))
            .await
            .unwrap()
            .rules
            .paragraph1
            .dues_within_months,
        3,
        "not before its day"
    );
}

/// A walkout: the quorum follows, and a vote without it decides nothing.
async fn walkout(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (lenin, martov, voice) = (h.lenin, h.martov, h.voice);
    // A walkout: the quorum follows, and a vote without it decides nothing.
    let q = db
        .set_presence(c, &[lenin, voice], false, by)
        .await
        .unwrap();
    assert_eq!((q.present, q.needed, q.met), (1, 2, false));
    let w = db
        .open_vote(
            c,
            "question",
            None,
            "Adjourn",
            false,
            count::motion::Rule {
                quorum: count::motion::Quorum::Fraction { num: 1, den: 2 },
                ..count::motion::Rule::SIMPLE
            },
            by,
        )
        .await
        .unwrap();
    db.cast_vote(w, martov, Choice::Yes, by).await.unwrap();
    let e = db
        .cast_vote(w, lenin, Choice::Yes, by)
        .await
        .expect_err("walked out");
    assert!(e.to_string().contains("not checked in"), "{e}");
    assert_eq!(
        db.close_vote(w, by).await.unwrap().decision,
        count::motion::Decision::NoQuorum
    );
    db.set_presence(c, &[lenin], true, by).await.unwrap();
}

/// An election by STV: nominations accepted by the nominee only, one ranking each.
async fn election(db: &TestDb, h: &mut Hall) {
    let (by, c) = (h.by, h.c);
    let (d1, d2, supporter) = (&h.d1, &h.d2, h.supporter);
    let (lenin, martov) = (h.lenin, h.martov);
    // An election by STV.
    let el = db
        .create_election(c, "Central Committee", 1, "scottish_stv", by)
        .await
        .unwrap();
    let x = db.nominate(el, d1[4], by).await.unwrap();
    let y = db.nominate(el, d2[1], by).await.unwrap();
    let z = db.nominate(el, d2[2], by).await.unwrap();
    let e = db
        .nominate(el, supporter, by)
        .await
        .expect_err("a supporter cannot stand");
    assert!(e.to_string().contains("not a member"), "{e}");
    db.accept_nomination(x, d1[4], true, by).await.unwrap();
    db.accept_nomination(y, d2[1], true, by).await.unwrap();
    assert!(
        db.accept_nomination(z, d1[4], true, by).await.is_err(),
        "only the nominee accepts"
    );
    db.open_election(el, by).await.unwrap();
    let e = db
        .cast_ranking(el, lenin, &[z], by)
        .await
        .expect_err("z did not accept");
    assert!(e.to_string().contains("does not stand"), "{e}");
    db.cast_ranking(el, lenin, &[x, y], by).await.unwrap();
    db.cast_ranking(el, martov, &[y], by).await.unwrap();
    assert!(
        db.cast_ranking(el, martov, &[x], by).await.is_err(),
        "a second ballot"
    );
    let report = db.close_election(el, by).await.unwrap();
    assert_eq!(report.ballots, 3);
    assert_eq!(report.elected, vec!["Iskrist 4".to_string()]);
    assert!(db
        .election(el)
        .await
        .unwrap()
        .unwrap()
        .report
        .unwrap()
        .contains("Iskrist 4"));
}

/// Speakers (a point of order first), the minutes written from the record, and the blocs.
async fn minutes(db: &TestDb, h: &mut Hall) {
    let (by, c, motion) = (h.by, h.c, h.motion);
    let (lenin, martov, guest) = (h.lenin, h.martov, h.guest);
    // Speakers and the minutes.
    let item = db
        .add_agenda_item(c, "The statutes", Some(motion), by)
        .await
        .unwrap();
    db.request_floor(item, martov, false, 5, by).await.unwrap();
    db.request_floor(item, lenin, true, 2, by).await.unwrap();
    assert!(
        db.request_floor(item, guest, false, 5, by).await.is_err(),
        "guests do not speak"
    );
    let s1 = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s1.pseudonym, "Iskrist 0", "a point of order first");
    let s2 = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s2.pseudonym, "Rabochee 0");
    assert_eq!(
        db.current_speaker(c).await.unwrap().unwrap().pseudonym,
        "Rabochee 0"
    );
    // The minutes are the record as data; the pages put them into words (web::words).
    use core_rules::congress::record::{Happening, Presence};
    use count::motion::Decision;
    let minutes = db.minutes(c).await.unwrap();
    let has = |what: &str, f: &dyn Fn(&store::congress::Minute) -> bool| {
        assert!(
            minutes.iter().any(f),
            "the minutes lack {what}:\n{minutes:#?}"
        )
    };
    has("3 mandates apportioned", &|m| {
        m.happening == Happening::Convened { mandates: 3 }
    });
    has("Iskrist 0 moved an amendment", &|m| {
        m.happening == Happening::Amendment
            && m.who.as_deref() == Some("Iskrist 0")
            && m.edit.is_some()
    });
    has(
        "yes 2, no 1, abstain 0",
        &|m| matches!(&m.happening, Happening::VoteClosed(t) if (t.yes, t.no, t.abstain) == (2, 1, 0)),
    );
    has("a walkout leaving 1 of 3 mandates present", &|m| {
        matches!(&m.happening, Happening::Walkout { presence, .. }
            if *presence == Presence { present: 1, entitled: 3 })
    });
    has(
        "a vote without quorum",
        &|m| matches!(&m.happening, Happening::VoteClosed(t) if t.decision == Decision::NoQuorum),
    );
    has("Rabochee 0 spoke on “The statutes”", &|m| {
        m.happening == Happening::Spoke
            && m.who.as_deref() == Some("Rabochee 0")
            && m.about.as_deref() == Some("The statutes")
    });
    has("Iskrist 4 elected", &|m| {
        matches!(m.happening, Happening::BallotClosed { .. }) && m.elected == ["Iskrist 4"]
    });
    has(
        "the statutes amended by “Statutes, second reading”",
        &|m| {
            matches!(m.happening, Happening::StatutesAmended { .. })
                && m.about.as_deref() == Some("Statutes, second reading")
        },
    );
    assert!(
        !format!("{minutes:?}").contains("Legal name"),
        "no identities in the minutes"
    );
    let (blocs, names) = db.blocs(c).await.unwrap();
    assert_eq!(blocs.delegates.len(), 2);
    assert_eq!(names[&lenin], "Iskrist 0");
}

on_every_backend!(the_demo_prepares_a_congress_on_the_draft_statutes);
async fn the_demo_prepares_a_congress_on_the_draft_statutes(db: &TestDb) {
    use core_rules::statutes::Formula;
    let today = today();
    assert!(fixtures::Seeder(db)
        .seed_demo(&fixtures::demo::demo(7, today), today)
        .await
        .unwrap());
    let congresses = db.congresses().await.unwrap();
    assert_eq!(congresses.len(), 1);
    let c = &congresses[0];
    let mandates = db.mandates(c.id).await.unwrap();
    let eval = db.evaluate_all(today).await.unwrap();
    // Every unit with members with a vote has its mandates, by the statutes' rule (1 per 10, at
    // least 1), and each has a delegate holding them.
    let with_vote = eval.per_unit.values().filter(|u| u.voting > 0).count();
    assert_eq!(mandates.len(), with_vote);
    for m in &mandates {
        assert_eq!(m.mandates, (m.voting / 10).max(1), "{}", m.unit_name);
        assert_eq!(m.assigned, m.mandates, "{} has its delegate", m.unit_name);
    }
    let member = db.account_by_login("member").await.unwrap().unwrap();
    let person: Option<i64> = sqlx::query_scalar("SELECT person_id FROM accounts WHERE id = $1")
        .bind(member)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let me = db.participant_for(c.id, person.unwrap()).await.unwrap();
    assert_eq!(
        me.map(|p| p.kind),
        Some(store::congress::Kind::Delegate),
        "the demo's member is a delegate"
    );
    let motions = db.motions(c.id).await.unwrap();
    assert_eq!(motions[0].title, "Draft statutes");
    let ams = db.amendments(motions[0].id).await.unwrap();
    assert_eq!(ams.len(), 2);
    assert!(
        ams[0].amendment.competes_with(&ams[1].amendment),
        "Lenin's and Martov's wordings compete"
    );
    let texts: Vec<String> = ams
        .iter()
        .map(|a| a.amendment.edit.text().unwrap()[0].clone())
        .collect();
    assert_eq!(
        texts,
        vec![
            Formula::Lenin.wording().to_string(),
            Formula::Martov.wording().to_string()
        ]
    );
    assert_eq!(db.agenda(c.id).await.unwrap().len(), 3);
}

on_every_backend!(speakers_lists_keep_time_and_alternate_tags);
async fn speakers_lists_keep_time_and_alternate_tags(db: &TestDb) {
    use core_rules::congress::ApportionRule;
    use store::congress::Kind;
    let o = org(db).await;
    let by = Some(o.admin);
    let d = voters(db, o.docks1, "Speaker", 4).await;
    let c = db
        .convene(
            &congress_rule(ApportionRule::PerMembers { per: 1, min: 1 }),
            by,
        )
        .await
        .unwrap();
    let mut parts = Vec::new();
    for p in &d {
        parts.push(
            db.add_participant(c, *p, Kind::Delegate, 1, by)
                .await
                .unwrap(),
        );
    }
    let item = db.add_agenda_item(c, "Discussion", None, by).await.unwrap();
    // The time limit per speech: refused out of bounds, with nothing changed.
    assert!(db.set_speaking_rules(item, 0, true, by).await.is_err());
    let a = &db.agenda(c).await.unwrap()[0];
    assert_eq!((a.speech_minutes, a.alternate_tags), (5, false));
    db.set_speaking_rules(item, 3, true, by).await.unwrap();
    // Requests in order: two men, then two women (tags given by the presidium).
    let mut ids = Vec::new();
    for p in &parts {
        ids.push(db.request_floor(item, *p, false, 0, by).await.unwrap());
    }
    for (s, tag) in ids.iter().zip(["M", "m", "w", "w"]) {
        db.tag_speaker(*s, tag, by).await.unwrap();
    }
    assert!(db.tag_speaker(ids[0], &"x".repeat(41), by).await.is_err());
    let a = db.agenda(c).await.unwrap()[0].clone();
    let names =
        |v: Vec<store::congress::Speaker>| v.into_iter().map(|s| s.pseudonym).collect::<Vec<_>>();
    assert_eq!(
        names(db.speaking_order(&a).await.unwrap()),
        ["Speaker 0", "Speaker 2", "Speaker 1", "Speaker 3"],
        "the projected list alternates the tags"
    );
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(
        (s.pseudonym.as_str(), s.minutes, s.tag.as_str()),
        ("Speaker 0", 3, "m")
    );
    assert!(
        s.started_at.is_some(),
        "the clock starts when the floor is given"
    );
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s.pseudonym, "Speaker 2", "a woman after a man");
    // Without the quota, the list is in order of request again.
    db.set_speaking_rules(item, 3, false, by).await.unwrap();
    db.request_floor(item, parts[2], false, 0, by)
        .await
        .unwrap();
    let a = db.agenda(c).await.unwrap()[0].clone();
    assert_eq!(
        names(db.speaking_order(&a).await.unwrap())[..4],
        ["Speaker 2", "Speaker 1", "Speaker 3", "Speaker 2"]
    );
    db.set_speaking_rules(item, 2, true, by).await.unwrap();
    // With it: after a woman, the man waiting, then the women in order.
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!((s.pseudonym.as_str(), s.minutes), ("Speaker 1", 2));
    let s = db.next_speaker(item, by).await.unwrap().unwrap();
    assert_eq!(s.pseudonym, "Speaker 3");
}
