//! The exposure benchmarks (issue 7), run by `bench/exposure.sh`:
//!
//! 1. the exposure of every account of a generated organisation (1,000,000 people by default):
//!    the access rules asked once per class, then person by person ([`Index::analyse`]); beside
//!    it, the baseline of asking the rules about every unit for each account
//!    ([`Index::exposure_of`]), timed on a sample and scaled to all accounts;
//! 2. the simulation: 1,000 runs over a 10,000-person organisation.
//!
//! The organisation holds issue 8's documents too: as many correspondence reports as people, the
//! paper's bundles, an editor per publication and a congress (see `snapshot`). As a real desk
//! holds them: each decided report assigned to an editor (the nearest above its unit), and
//! those decided more than the statutes' 30 days ago without their senders.
//!
//! The organisation comes from the scale generator (`fixtures::generate`, as `iskra generate`
//! makes it) straight into memory, with no database: the figures are the analysis, not the
//! reading of the tables (which `iskra exposure organisation` reports apart). Every unit that
//! has members gets one account, its first member's, holding the secretary's office there; ten
//! more members hold offices in the central committee; everyone else is analysed as if invited.
//!
//!     cargo run --release -p web --example exposure_bench -- [PEOPLE] [SIM_PEOPLE] [RUNS]

use access::exposure::Index;
use core_rules::exposure::simulate::{Placement, Scenario};
use core_rules::people::Status;
use core_rules::roles::{AccessRules, Role};
use core_rules::units::Category;
use core_rules::Day;
use fixtures::generate::{scale_units, Scale};
use std::time::Instant;
use store::exposure::{AccountRow, GrantRow, MeetingRow, PersonRow, Snapshot};
use store::units::Unit;

const SEED: u64 = 1912;

fn snapshot(people: u64, reports: u64) -> Snapshot {
    let today = Day::today();
    let new_units = scale_units(SEED, people);
    let scale = Scale::new(SEED, people, &new_units, today);
    let id_of: std::collections::HashMap<&str, i64> = new_units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i as i64 + 1))
        .collect();
    let units: Vec<Unit> = new_units
        .iter()
        .enumerate()
        .map(|(i, u)| Unit {
            id: i as i64 + 1,
            parent_id: u.parent.as_deref().map(|p| id_of[p]),
            kind: u.kind.clone(),
            kind_name: u.kind.clone(),
            category: Category::Party,
            level: 0,
            code: u.code.clone(),
            name: u.name.clone(),
            area: u.area.clone(),
            closed: u.closed,
        })
        .collect();
    let mut persons = Vec::with_capacity(people as usize);
    for index in 1..=people {
        let unit = scale.unit_of(index);
        persons.push(PersonRow {
            id: index as i64,
            unit_id: unit as i64 + 1,
            status: scale.status_of(index),
            admitted_on: None,
        });
    }
    // Accounts: each unit's first member is its secretary; ten more sit on the central
    // committee.
    let mut accounts = Vec::new();
    let mut grants = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut grant = |accounts: &mut Vec<AccountRow>, p: &PersonRow, role: Role, unit: i64| {
        let id = accounts.len() as i64 + 1;
        accounts.push(AccountRow {
            id,
            person_id: Some(p.id),
            is_admin: false,
        });
        grants.push(GrantRow {
            account_id: id,
            role,
            unit_id: unit,
            unit_kind: units[unit as usize - 1].kind.clone(),
        });
    };
    let members: Vec<&PersonRow> = persons
        .iter()
        .filter(|p| p.status == Status::Member)
        .collect();
    for p in &members {
        if seen.insert(p.unit_id) {
            grant(&mut accounts, p, Role::Secretary, p.unit_id);
        }
    }
    let cc = units.iter().find(|u| u.parent_id.is_none()).unwrap().id;
    for p in members.iter().rev().take(10) {
        grant(&mut accounts, p, Role::Central, cc);
    }
    let meetings: Vec<MeetingRow> = scale
        .meetings()
        .map(|m| MeetingRow {
            id: m.number as i64,
            unit_id: m.unit as i64 + 1,
            held_on: m.held_on,
        })
        .collect();
    // Attendance as the store gives it: each meeting's people, by position.
    let chunk = 100_000;
    let meeting_at = core_rules::exposure::IdIndex::new(meetings.iter().map(|m| m.id));
    let person_at = core_rules::exposure::IdIndex::new(persons.iter().map(|p| p.id));
    let mut pairs = Vec::new();
    for c in 0..scale.chunks(chunk) {
        pairs.extend(
            scale
                .attendance_chunk(c, chunk)
                .into_iter()
                .filter_map(|a| {
                    Some((
                        meeting_at.get(a.meeting as i64)?,
                        person_at.get(a.person as i64)?,
                    ))
                }),
        );
    }
    let attendance = core_rules::exposure::Csr::from_pairs(meetings.len(), &pairs);
    drop(pairs);
    // The documents of issue 8's organisation, from the same generator as `iskra generate
    // --paper --reports N --congress`: every unit's bundles (one per edition of each
    // publication it orders), the reports on the editors' desk (new and accepted), one
    // editor's account per publication (an editor reads reports from anywhere, so their class
    // is asked about every unit), the senders each editor may ask for (those of the reports
    // assigned to them and not yet cleared, whatever their status), and a congress with its
    // delegates.
    let mut bundles: std::collections::BTreeMap<i64, i64> = Default::default();
    let publications = fixtures::generate::paper::publications(&scale);
    let mut editors: Vec<(usize, i64)> = Vec::new();
    for (i, p) in publications.iter().enumerate() {
        let editions = fixtures::generate::paper::editions(&scale, i, p)
            .iter()
            .filter(|e| e.published)
            .count() as i64;
        for &(unit, _) in &p.orders {
            *bundles.entry(unit as i64 + 1).or_default() += editions;
        }
        if let Some(editor) = members
            .iter()
            .find(|m| m.unit_id == p.unit as i64 + 1)
            .or(members.first())
        {
            grant(&mut accounts, editor, Role::Editor, p.unit as i64 + 1);
            editors.push((p.unit, accounts.last().expect("just granted").id));
        }
    }
    let editors = fixtures::generate::paper::DeskEditors::new(&scale, editors);
    let keep = core_rules::statutes::Correspondence::default().sender_kept_days;
    let mut desk: std::collections::BTreeMap<i64, i64> = Default::default();
    let mut senders: std::collections::BTreeSet<(i64, i64, i64)> = Default::default();
    let step = 100_000;
    let mut start = 1;
    while start <= reports {
        let end = (start + step).min(reports + 1);
        for r in fixtures::generate::paper::reports(&scale, start, end) {
            if matches!(r.status, "new" | "accepted") {
                *desk.entry(r.unit as i64 + 1).or_default() += 1;
            }
            if let (Some(p), Some(editor)) = (r.kept_sender(today, keep), editors.editor_of(&r)) {
                senders.insert((editor, r.unit as i64 + 1, p as i64));
            }
        }
        start = end;
    }
    // The congress: its delegates, one in every `members / 500` members.
    let every = (members.len() / fixtures::generate::paper::CONGRESS_DELEGATES as usize).max(1);
    let participants: Vec<(i64, i64)> = members.iter().step_by(every).map(|m| (1, m.id)).collect();
    Snapshot {
        units,
        people: persons,
        accounts,
        grants,
        meetings,
        attendance,
        bundles: bundles.into_iter().collect(),
        desk_reports: desk.into_iter().collect(),
        report_senders: senders.into_iter().collect(),
        congresses: vec![store::exposure::CongressRow {
            id: 1,
            motions: 3,
            amendments: 12,
        }],
        participants,
        ..Snapshot::default()
    }
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: PEOPLE SIM_PEOPLE RUNS"))
        .collect();
    let people = args.first().copied().unwrap_or(1_000_000);
    let sim_people = args.get(1).copied().unwrap_or(10_000);
    let runs = args.get(2).copied().unwrap_or(1000) as usize;

    let t = Instant::now();
    let snap = snapshot(people, people);
    let (n_units, n_meet, n_att) = (snap.units.len(), snap.meetings.len(), snap.attendance.len());
    let (n_desk, n_senders, n_bundles) = (
        snap.desk_reports.iter().map(|d| d.1).sum::<i64>(),
        snap.report_senders.len(),
        snap.bundles.iter().map(|b| b.1).sum::<i64>(),
    );
    eprintln!(
        "generated {people} people, {n_units} units, {n_meet} meetings, {n_att} attendances, \
         {n_desk} reports on the desk, {n_senders} senders still known to the editors they are \
         assigned to, {n_bundles} bundles in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let ix = Index::new(snap, AccessRules::default());
    let index_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let a = ix.analyse();
    let analyse_s = t.elapsed().as_secs_f64();
    // The account that exposes the most, and what it holds; and the worst of the editors'.
    let offices = |e: &access::exposure::Exposure| -> Vec<&'static str> {
        e.subject
            .account
            .map(|acc| {
                ix.snap
                    .grants
                    .iter()
                    .filter(|g| g.account_id == acc)
                    .map(|g| g.role.code())
                    .collect()
            })
            .unwrap_or_default()
    };
    let worst = a
        .exposures
        .iter()
        .max_by_key(|e| e.people)
        .expect("someone");
    let worst_editor = a
        .exposures
        .iter()
        .filter(|e| offices(e).contains(&"editor"))
        .max_by_key(|e| e.people);
    let worst_json = serde_json::json!({
        "people": worst.people,
        "offices": offices(worst),
        "has_account": worst.subject.has_account,
        "named_in_documents": worst.named_in_documents,
    });
    let worst_editor_json = worst_editor.map(|e| {
        serde_json::json!({
            "people": e.people,
            "named_in_documents": e.named_in_documents,
        })
    });
    let summary = access::exposure::summary(
        &a.exposures
            .iter()
            .map(access::exposure::Brief::of)
            .collect::<Vec<_>>(),
    );
    // The baseline: every unit asked for each account, on a sample spread over all subjects.
    let subjects = ix.subjects();
    let sample = 200.min(subjects.len());
    let step = subjects.len() / sample.max(1);
    let t = Instant::now();
    for i in 0..sample {
        std::hint::black_box(ix.exposure_of(&subjects[i * step]));
    }
    let per_account = t.elapsed().as_secs_f64() / sample as f64;
    let baseline_s = per_account * subjects.len() as f64;

    let sim_snap = snapshot(sim_people, 0);
    let sim_ix = Index::new(sim_snap, AccessRules::default());
    let t = Instant::now();
    let net = sim_ix.network();
    let network_s = t.elapsed().as_secs_f64();
    let mut sims = Vec::new();
    for placement in [Placement::Random, Placement::Targeted] {
        let s = Scenario {
            runs,
            placement: placement.clone(),
            ..Scenario::default()
        };
        let t = Instant::now();
        let r = net.simulate(&s).expect("a valid scenario");
        sims.push((placement, t.elapsed().as_secs_f64(), r.exposed.mean));
    }
    println!(
        "{}",
        serde_json::json!({
            "people": people,
            "subjects": a.exposures.len(),
            "accounts": summary.with_account,
            "units": n_units,
            "attendances": n_att,
            "desk_reports": n_desk,
            "report_senders": n_senders,
            "bundles": n_bundles,
            "index_s": index_s,
            "analyse_s": analyse_s,
            "baseline_s": baseline_s,
            "baseline_per_account_ms": per_account * 1000.0,
            "people_exposed": summary.people,
            "worst": worst_json,
            "worst_editor": worst_editor_json,
            "sim_people": sim_people,
            "runs": runs,
            "network_s": network_s,
            "sim_random_s": sims[0].1,
            "sim_random_exposed": sims[0].2,
            "sim_targeted_s": sims[1].1,
            "sim_targeted_exposed": sims[1].2,
        })
    );
}
