//! The generator at small scale (issue 8): the same seed writes the same organisation, paper,
//! reports and congress, and a generated edition's circulation reconciles. Runs on SQLite and
//! on PostgreSQL (see `common`): `cargo test -p store --test it scale::`.

use crate::common::*;
use fixtures::generate::paper as generate_paper;
use fixtures::generate::{scale_units, write_people_csv, Scale};
use fixtures::Seeder;
use store::sqlx::{self, Row};

const PEOPLE: u64 = 2_000;
const REPORTS: u64 = 3_000;

/// Builds the whole generated organisation of `seed` in an empty store.
async fn generate(db: &TestDb, seed: u64) -> Scale {
    let today = today();
    let units = scale_units(seed, PEOPLE);
    Seeder(db)
        .seed_units("Generated", &units, today)
        .await
        .unwrap();
    let mut csv = Vec::new();
    write_people_csv(seed, PEOPLE, &units, today, &mut csv).unwrap();
    db.import_people(|| Ok(csv.as_slice()), "people.csv", None, &mut |_| {})
        .await
        .unwrap();
    let scale = Scale::new(seed, PEOPLE, &units, today);
    Seeder(db)
        .seed_scale_activity(&scale, &mut |_| {})
        .await
        .unwrap();
    Seeder(db)
        .seed_scale_paper(&scale, &mut |_| {})
        .await
        .unwrap();
    // Two editors in office: the central organ's and a regional paper's. The reports decided
    // are shared between them.
    let region = units.iter().find(|u| u.kind == "regional").unwrap();
    for (login, code) in [("editor-cc", "cc"), ("editor-region", region.code.as_str())] {
        db.create_account(login, "an editor's password", None, false, None)
            .await
            .unwrap();
        let unit = db.unit_by_code(code).await.unwrap().unwrap();
        db.grant_role(login, unit.id, core_rules::roles::Role::Editor, None)
            .await
            .unwrap();
    }
    Seeder(db)
        .seed_scale_reports(&scale, REPORTS, &mut |_| {})
        .await
        .unwrap();
    Seeder(db)
        .seed_scale_congress(&scale, &mut |_| {})
        .await
        .unwrap();
    scale
}

/// The generated rows, as text, in a fixed order (ids included: they must match too).
async fn dump(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT code || ' ' || name || ' ' || CAST(unit_id AS TEXT) FROM publications ORDER BY id",
        "SELECT CAST(publication_id AS TEXT) || ' ' || CAST(unit_id AS TEXT) || ' ' || CAST(copies AS TEXT) FROM paper_orders ORDER BY publication_id, unit_id",
        "SELECT CAST(id AS TEXT) || ' ' || CAST(number AS TEXT) || ' ' || issued_on || ' ' || headline || ' ' || CAST(print_run AS TEXT) || ' ' || CAST(published AS TEXT) FROM editions ORDER BY id",
        "SELECT CAST(edition_id AS TEXT) || ' ' || CAST(unit_id AS TEXT) || ' ' || CAST(copies AS TEXT) FROM bundles ORDER BY edition_id, unit_id",
        "SELECT CAST(edition_id AS TEXT) || ' ' || CAST(unit_id AS TEXT) || ' ' || CAST(sold AS TEXT) || ' ' || CAST(free AS TEXT) || ' ' || CAST(returned AS TEXT) || ' ' || CAST(remitted_cents AS TEXT) FROM bundle_returns ORDER BY edition_id, unit_id",
        "SELECT CAST(id AS TEXT) || ' ' || category || ' ' || CAST(unit_id AS TEXT) || ' ' || happened_on || ' ' || body || ' ' || COALESCE(CAST(sender_person_id AS TEXT), '-') || ' ' || status || ' ' || COALESCE(CAST(merged_into AS TEXT), '-') || ' ' || COALESCE(CAST(assigned_to AS TEXT), '-') || ' ' || COALESCE(decided_on, '-') FROM reports ORDER BY id",
        "SELECT CAST(person_id AS TEXT) || ' ' || CAST(mandates AS TEXT) || ' ' || credential FROM congress_participants ORDER BY id",
        "SELECT CAST(vote_id AS TEXT) || ' ' || CAST(participant_id AS TEXT) || ' ' || choice FROM congress_roll ORDER BY vote_id, participant_id",
        "SELECT choice || ' ' || CAST(COUNT(*) AS TEXT) FROM congress_ballots GROUP BY choice ORDER BY choice",
    ] {
        for r in sqlx::query(sql).fetch_all(db.pool()).await.unwrap() {
            out.push(r.try_get::<String, _>(0).unwrap());
        }
    }
    out
}

on_every_backend!(the_same_seed_generates_the_same_paper_reports_and_congress);
async fn the_same_seed_generates_the_same_paper_reports_and_congress(db: &TestDb) {
    let scale = generate(db, 7).await;
    let first = dump(db).await;
    let again = db.another().await;
    generate(&again, 7).await;
    assert!(first == dump(&again).await, "seed 7 twice, different rows");
    let other = db.another().await;
    generate(&other, 8).await;
    assert!(first != dump(&other).await, "seeds 7 and 8, the same rows");

    // What was asked for is there, in the proportions described.
    let pubs = generate_paper::publications(&scale);
    assert_eq!(db.count("publications").await, pubs.len() as i64);
    assert!(pubs.len() >= 5, "{}", pubs.len());
    assert_eq!(db.count("reports").await, REPORTS as i64);
    let n = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    // About a third sent anonymously: among the new reports, which keep their senders.
    let new = n("SELECT COUNT(*) FROM reports WHERE status = 'new'").await;
    let anonymous =
        n("SELECT COUNT(*) FROM reports WHERE status = 'new' AND sender_person_id IS NULL").await;
    assert!(
        (20..=50).contains(&(anonymous * 100 / new)),
        "{anonymous} of {new} new reports anonymous"
    );
    // As a desk would hold them: every decided report is an editor's, each editor has some,
    // and no new one is anybody's; a sender is kept only within 30 days of the decision.
    assert_eq!(
        n("SELECT COUNT(*) FROM reports WHERE (decided_on IS NULL) <> (assigned_to IS NULL)").await,
        0
    );
    let editors: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT assigned_to, COUNT(*) FROM reports WHERE assigned_to IS NOT NULL \
         GROUP BY assigned_to ORDER BY assigned_to",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(editors.len(), 2, "{editors:?}");
    assert!(editors.iter().all(|e| e.1 > 50), "{editors:?}");
    let window = today().add_days(-30).to_string();
    let kept = |older: bool| {
        let window = window.clone();
        async move {
            let sql = if older {
                "SELECT COUNT(*) FROM reports WHERE sender_person_id IS NOT NULL AND decided_on <= $1"
            } else {
                "SELECT COUNT(*) FROM reports WHERE sender_person_id IS NOT NULL AND decided_on > $1"
            };
            sqlx::query_scalar::<_, i64>(sql)
                .bind(window)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };
    assert_eq!(
        kept(true).await,
        0,
        "senders decided on 30 days ago are cleared"
    );
    assert!(
        kept(false).await > 50,
        "recent decisions keep their senders"
    );
    let picture = db.single_picture().await.unwrap();
    let counted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE status NOT IN ('merged', 'rejected')",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(picture.total, counted);
    assert!(counted < REPORTS as i64 && picture.by_month.len() >= 12);
    let delegates = db.count("congress_participants").await;
    assert!(delegates >= 2, "{delegates} delegates");
    let mandates: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(mandates) AS BIGINT) FROM congress_participants WHERE kind = 'delegate'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(mandates as u64, generate_paper::CONGRESS_DELEGATES);
}

on_every_backend!(a_generated_edition_reconciles_to_the_copy_and_the_cent);
async fn a_generated_edition_reconciles_to_the_copy_and_the_cent(db: &TestDb) {
    generate(db, 11).await;
    let central = db.publication_by_code("iskra").await.unwrap().unwrap();
    let editions = db.editions(central.id, false).await.unwrap();
    assert!(editions.len() >= 300, "{} editions", editions.len());
    // The oldest edition (all returns in that will come) and yesterday's (some outstanding).
    for e in [editions.last().unwrap(), &editions[1]] {
        let c = db.circulation(e.id).await.unwrap();
        let r = &c.reconciliation;
        assert!(r.copies_balance(), "edition {}: {:?}", e.number, r.total);
        let row = sqlx::query(
            "SELECT CAST(SUM(copies) AS BIGINT) AS sent, COUNT(*) AS n FROM bundles WHERE edition_id = $1",
        )
        .bind(e.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let sent: i64 = row.try_get("sent").unwrap();
        assert_eq!(r.total.sent, sent as u64);
        assert_eq!(r.print_run, e.print_run.unwrap() as u64);
        assert_eq!(r.print_run, r.reserve + sent as u64);
        let money = sqlx::query(
            "SELECT CAST(COALESCE(SUM(sold), 0) AS BIGINT) AS sold, CAST(COALESCE(SUM(remitted_cents), 0) AS BIGINT) AS paid, COUNT(*) AS n \
             FROM bundle_returns WHERE edition_id = $1",
        )
        .bind(e.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let sold: i64 = money.try_get("sold").unwrap();
        let paid: i64 = money.try_get("paid").unwrap();
        let returned: i64 = money.try_get("n").unwrap();
        assert_eq!(r.total.sold, sold as u64);
        assert_eq!(r.total.due_cents, sold * e.price_cents);
        assert_eq!(r.total.remitted_cents, paid);
        let n: i64 = row.try_get("n").unwrap();
        assert_eq!(r.total.outstanding as i64, n - returned);
        // The figures that go up: the central committee's branch holds the whole edition.
        let cc = db.unit_by_code("cc").await.unwrap().unwrap();
        assert_eq!(r.branches[&cc.id], r.total);
    }
    // Returns come in over three weeks: the oldest edition has more in than yesterday's.
    let returns = |id: i64| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bundle_returns WHERE edition_id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    assert!(returns(editions.last().unwrap().id).await > returns(editions[1].id).await);
}
