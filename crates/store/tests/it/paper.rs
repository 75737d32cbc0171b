//! The paper's stories: each runs on SQLite and on PostgreSQL (see `common`).
//! `cargo test -p store --test it paper::` runs them.

use crate::common::*;
use core_rules::paper::{AgentReturn, ArticleState, NewEdition, ReportCategory, Triage};
use core_rules::people::Status;
use store::paper::{NewReport, Sender};
use store::sqlx::{self, Row};
use store::StoreError;

async fn central_paper(db: &TestDb, o: &Org) -> (i64, i64) {
    let p = db
        .create_publication(Some(o.admin), "spark", "The Spark", o.cc, 10)
        .await
        .unwrap();
    let e = db
        .create_edition(
            Some(o.admin),
            p,
            &NewEdition {
                number: 7,
                date: days_ago(3),
                price_cents: 150,
                headline: "All out".into(),
            },
        )
        .await
        .unwrap();
    (p, e)
}

fn report(unit: i64, category: ReportCategory, body: &str) -> NewReport {
    NewReport {
        category,
        unit_id: unit,
        happened_on: days_ago(5),
        body: body.into(),
    }
}

on_every_backend!(from_a_report_to_a_published_article);
async fn from_a_report_to_a_published_article(db: &TestDb) {
    let o = org(db).await;
    let (p, e) = central_paper(db, &o).await;
    let member = db
        .create_person(
            &person(
                "Spark",
                o.docks1,
                Status::Member,
                100,
                identity("s@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let r1 = db
        .submit_report(
            Sender::Person {
                person: member,
                account: o.admin,
            },
            &report(
                o.docks1,
                ReportCategory::Strike,
                "The yard walked out at noon.",
            ),
        )
        .await
        .unwrap();
    let r2 = db
        .submit_report(
            Sender::Anonymous,
            &report(o.docks1, ReportCategory::Strike, "Yard strike, day one."),
        )
        .await
        .unwrap();
    assert!(db.report(r1).await.unwrap().unwrap().has_sender);
    assert!(!db.report(r2).await.unwrap().unwrap().has_sender);
    assert_eq!(db.reports(Some("new"), 10).await.unwrap().len(), 2);

    // The editors merge the second into the first and write the article.
    db.triage_report(Some(o.admin), r2, Triage::MergeInto(r1))
        .await
        .unwrap();
    let a = db
        .create_article(
            Some(o.admin),
            p,
            None,
            "The yard is out",
            "The **whole** yard <script>alert(1)</script>",
        )
        .await
        .unwrap();
    db.triage_report(Some(o.admin), r1, Triage::UseIn(a))
        .await
        .unwrap();
    assert_eq!(
        db.reports_of_article(a)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![r1]
    );
    // A merged report is final.
    assert!(db
        .triage_report(Some(o.admin), r2, Triage::Accept)
        .await
        .is_err());

    // The workflow, step by step; skipping a step and publishing without an edition are refused.
    assert!(db
        .move_article(Some(o.admin), a, ArticleState::Approved)
        .await
        .is_err());
    db.move_article(Some(o.admin), a, ArticleState::Edited)
        .await
        .unwrap();
    db.move_article(Some(o.admin), a, ArticleState::Approved)
        .await
        .unwrap();
    let err = db
        .move_article(Some(o.admin), a, ArticleState::Published)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("edition"), "{err}");
    // An edition with nothing approved in it cannot be published.
    assert!(db.publish_edition(Some(o.admin), e).await.is_err());
    assert!(!db.edition(e).await.unwrap().unwrap().published);

    let art = db.article(a).await.unwrap().unwrap();
    db.edit_article(Some(o.admin), a, &art.title, &art.body_md, Some(e))
        .await
        .unwrap();
    assert!(
        db.editions(p, true).await.unwrap().is_empty(),
        "nothing public before publishing"
    );
    assert_eq!(db.publish_edition(Some(o.admin), e).await.unwrap(), 1);
    let public = db.editions(p, true).await.unwrap();
    assert_eq!(public.len(), 1);
    let arts = db.edition_articles(e).await.unwrap();
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0].state, ArticleState::Published);
    assert!(arts[0].body_html.contains("<strong>whole</strong>"));
    assert!(
        !arts[0].body_html.contains("script"),
        "{}",
        arts[0].body_html
    );
    // A published article is not changed any more.
    assert!(db
        .edit_article(Some(o.admin), a, "New title", "x", Some(e))
        .await
        .is_err());
    assert!(db
        .move_article(Some(o.admin), a, ArticleState::Draft)
        .await
        .is_err());

    // The single picture counts the event once (the merged report is not counted again).
    let pic = db.single_picture().await.unwrap();
    assert_eq!(pic.total, 1);
    assert_eq!(pic.by_category.get("strike"), Some(&1));
    assert_eq!(pic.by_unit.get(&o.docks1), Some(&1));
    assert_eq!(pic.by_month.get(&days_ago(5).month().to_string()), Some(&1));
}

on_every_backend!(an_anonymous_report_keeps_nothing_about_its_sender);
async fn an_anonymous_report_keeps_nothing_about_its_sender(db: &TestDb) {
    let o = org(db).await;
    let canary = "Canary Report Text 4417";
    let before = db.audit_entries(1000).await.unwrap().len();
    let id = db
        .submit_report(
            Sender::Anonymous,
            &report(o.docks2, ReportCategory::Police, canary),
        )
        .await
        .unwrap();
    let row = sqlx::query("SELECT * FROM reports WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let sender: Option<i64> = row.try_get("sender_person_id").unwrap();
    assert_eq!(sender, None);
    // Only the day of arrival: no finer time anywhere in the row.
    let received: String = row.try_get("received_on").unwrap();
    assert_eq!(received.len(), 10);
    let mut cols: Vec<String> = (0..row.len())
        .map(|i| store::sqlx::Column::name(&row.columns()[i]).to_string())
        .collect();
    cols.sort();
    assert_eq!(
        cols,
        [
            "article_id",
            "assigned_to",
            "body",
            "category",
            "counted",
            "decided_on",
            "happened_on",
            "id",
            "merged_into",
            "month",
            // Where it happened in the sender's words, if they gave any: like the body, about
            // the event, not the sender.
            "place_text",
            "received_on",
            "sender_person_id",
            "status",
            "unit_id"
        ]
    );
    // The audit entry names neither an actor nor the report.
    let entries = db.audit_entries(1000).await.unwrap();
    assert_eq!(entries.len(), before + 1);
    let last = &entries[0];
    assert_eq!(last.action, "report.anonymous");
    assert_eq!((last.actor, last.object_id), (None, None));
    assert!(entries.iter().all(|e| !e.detail.contains("4417")));
}

on_every_backend!(bad_reports_are_refused_and_write_nothing);
async fn bad_reports_are_refused_and_write_nothing(db: &TestDb) {
    let o = org(db).await;
    let future = NewReport {
        happened_on: days_ago(-2),
        ..report(o.docks1, ReportCategory::Other, "x")
    };
    assert!(db.submit_report(Sender::Anonymous, &future).await.is_err());
    assert!(db
        .submit_report(
            Sender::Anonymous,
            &report(o.docks1, ReportCategory::Other, "  ")
        )
        .await
        .is_err());
    assert!(matches!(
        db.submit_report(
            Sender::Anonymous,
            &report(999_999, ReportCategory::Other, "x")
        )
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(db.reports(None, 10).await.unwrap().len(), 0);
    let id = db
        .submit_report(
            Sender::Anonymous,
            &report(o.docks1, ReportCategory::Eviction, "Evicted."),
        )
        .await
        .unwrap();
    assert!(db
        .triage_report(None, id, Triage::MergeInto(id))
        .await
        .is_err());
    assert!(db
        .triage_report(None, id, Triage::UseIn(424242))
        .await
        .is_err());
    assert_eq!(db.report(id).await.unwrap().unwrap().status, "new");
    db.triage_report(None, id, Triage::Reject).await.unwrap();
    assert_eq!(db.single_picture().await.unwrap().total, 0);
}

on_every_backend!(a_report_placed_in_the_senders_words_is_kept_and_placed_by_the_editors);
async fn a_report_placed_in_the_senders_words_is_kept_and_placed_by_the_editors(db: &TestDb) {
    let o = org(db).await;
    // Sent from the public form with none of the places offered: filed at the top.
    let id = db
        .submit_report_with_place(
            Sender::Anonymous,
            &report(o.cc, ReportCategory::Strike, "A walk-out."),
            "  the second dock gate  ",
        )
        .await
        .unwrap();
    let r = db.report(id).await.unwrap().unwrap();
    assert_eq!(r.place_text.as_deref(), Some("the second dock gate"));
    assert_eq!(r.unit_id, o.cc);
    // Bounded; nothing written when refused.
    let long = "x".repeat(core_rules::paper::reports::MAX_PLACE + 1);
    assert!(matches!(
        db.submit_report_with_place(
            Sender::Anonymous,
            &report(o.cc, ReportCategory::Strike, "Another."),
            &long,
        )
        .await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(db.reports(None, 10).await.unwrap().len(), 1);
    // No words: none kept.
    let plain = db
        .submit_report(
            Sender::Anonymous,
            &report(o.docks1, ReportCategory::Strike, "Plain."),
        )
        .await
        .unwrap();
    assert_eq!(db.report(plain).await.unwrap().unwrap().place_text, None);
    // The editor places it; the audit log says which report went to which unit, nothing more.
    db.place_report(Some(o.admin), id, o.docks2).await.unwrap();
    assert_eq!(db.report(id).await.unwrap().unwrap().unit_id, o.docks2);
    let last = &db.audit_entries(1).await.unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.object_id),
        ("report.place", Some(id))
    );
    assert!(!last.detail.contains("dock gate"));
    assert!(matches!(
        db.place_report(None, id, 999_999).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        db.place_report(None, 424_242, o.docks1).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        db.single_picture().await.unwrap().by_unit.get(&o.docks2),
        Some(&1)
    );
}

on_every_backend!(an_editions_circulation_balances_to_the_copy_and_the_cent);
async fn an_editions_circulation_balances_to_the_copy_and_the_cent(db: &TestDb) {
    let o = org(db).await;
    let (p, e) = central_paper(db, &o).await;
    db.set_order(Some(o.admin), p, o.docks1, 40).await.unwrap();
    db.set_order(Some(o.admin), p, o.docks2, 25).await.unwrap();
    db.set_order(Some(o.admin), p, o.south, 30).await.unwrap();
    db.set_order(Some(o.admin), p, o.docks, 5).await.unwrap();
    db.subscribe(Some(o.admin), p, o.docks2, None, 2)
        .await
        .unwrap();
    let plan = db.plan_edition(Some(o.admin), e).await.unwrap();
    // 102 ordered, reserve 10% rounded up.
    assert_eq!(plan.reserve, 11);
    assert_eq!(plan.print_run, 113);
    let ed = db.edition(e).await.unwrap().unwrap();
    assert_eq!((ed.print_run, ed.reserve), (Some(113), Some(11)));
    assert_eq!(db.bundle_copies(e, o.docks2).await.unwrap(), 27);

    // The north region receives its locals' and circles' bundles and passes them on.
    let c = db.circulation(e).await.unwrap();
    let leg = |u| c.plan.legs.iter().find(|l| l.to == u).unwrap().copies;
    assert_eq!(leg(o.north), 40 + 27 + 5);
    assert_eq!(leg(o.docks), 40 + 27 + 5);
    assert_eq!(leg(o.cc), 102);

    // Bad returns are refused and write nothing.
    let too_many = AgentReturn {
        unit: o.docks1,
        received: 40,
        sold: 35,
        free: 2,
        returned: 4,
        remitted_cents: 0,
    };
    let err = db.record_return(None, e, &too_many).await.unwrap_err();
    assert!(err.to_string().contains("more than the 40"), "{err}");
    let no_bundle = AgentReturn {
        unit: o.women,
        remitted_cents: 300,
        ..AgentReturn::default()
    };
    let err = db.record_return(None, e, &no_bundle).await.unwrap_err();
    assert!(err.to_string().contains("never received"), "{err}");
    assert!(db.circulation(e).await.unwrap().returned.is_empty());

    let returns = [
        AgentReturn {
            unit: o.docks1,
            received: 40,
            sold: 30,
            free: 4,
            returned: 6,
            remitted_cents: 4500,
        },
        AgentReturn {
            unit: o.docks2,
            received: 25,
            sold: 20,
            free: 0,
            returned: 3,
            remitted_cents: 2800,
        },
        AgentReturn {
            unit: o.south,
            received: 30,
            sold: 30,
            free: 0,
            returned: 0,
            remitted_cents: 4600,
        },
        AgentReturn {
            unit: o.docks,
            received: 5,
            sold: 5,
            free: 0,
            returned: 0,
            remitted_cents: 750,
        },
    ];
    for r in &returns {
        db.record_return(None, e, r).await.unwrap();
    }
    let c = db.circulation(e).await.unwrap();
    let rec = &c.reconciliation;
    assert!(rec.copies_balance());
    assert_eq!(rec.total.sent, 102);
    assert_eq!(rec.total.lost, 2); // docks-2 received 25 of 27
    assert_eq!(rec.total.unaccounted, 2); // docks-2 accounted for 23 of 25
    assert_eq!(rec.total.sold, 85);
    assert_eq!(rec.total.due_cents, 85 * 150);
    assert_eq!(rec.total.remitted_cents, 4500 + 2800 + 4600 + 750);
    assert_eq!(rec.units[&o.docks2].arrears_cents(), 200);
    assert_eq!(rec.units[&o.south].balance_cents(), 100);
    // The region sees its branch's totals.
    let north = rec.branches[&o.north];
    assert_eq!(
        (north.sold, north.due_cents, north.remitted_cents),
        (55, 8250, 8050)
    );
    // After returns are in, the bundles can no longer change.
    assert!(db.plan_edition(None, e).await.is_err());
    // A correction replaces the return.
    db.record_return(
        None,
        e,
        &AgentReturn {
            remitted_cents: 3000,
            ..returns[1]
        },
    )
    .await
    .unwrap();
    let acc = db.paper_accounts(p).await.unwrap();
    assert_eq!(acc[&o.docks2], (3000, 3000));
    assert_eq!(db.circulation_series(p).await.unwrap(), vec![(7, 102, 85)]);
}

on_every_backend!(the_demo_papers_editions_balance_across_the_tree);
async fn the_demo_papers_editions_balance_across_the_tree(db: &TestDb) {
    let today = core_rules::Day::today();
    let plan = fixtures::demo::demo(7, today);
    assert!(fixtures::Seeder(db).seed_demo(&plan, today).await.unwrap());
    let p = db
        .publication_by_code("iskra")
        .await
        .unwrap()
        .expect("the demo has its paper");
    let editions = db.editions(p.id, false).await.unwrap();
    assert_eq!(editions.len(), 6);
    assert_eq!(db.editions(p.id, true).await.unwrap().len(), 5);
    let mut checked = 0;
    for e in editions.iter().filter(|e| e.published) {
        let c = db.circulation(e.id).await.unwrap();
        let r = &c.reconciliation;
        // Independently of the reconciliation: the stored bundles, returns and print run.
        let sums = sqlx::query(
            "SELECT CAST(COALESCE(SUM(copies), 0) AS BIGINT) AS sent, COUNT(*) AS n FROM bundles WHERE edition_id = $1",
        )
        .bind(e.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let sent: i64 = sums.try_get("sent").unwrap();
        let bundles: i64 = sums.try_get("n").unwrap();
        assert!(
            bundles > 20,
            "the demo tree has many bundles, got {bundles}"
        );
        assert_eq!(e.print_run, Some(sent + e.reserve.unwrap()));
        let ret = sqlx::query(
            "SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(sold), 0) AS BIGINT) AS sold, \
             CAST(COALESCE(SUM(free), 0) AS BIGINT) AS free, CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned, \
             CAST(COALESCE(SUM(remitted_cents), 0) AS BIGINT) AS remitted, \
             CAST(COALESCE(SUM(b.copies), 0) AS BIGINT) AS sent_reported \
             FROM bundle_returns r JOIN bundles b ON b.edition_id = r.edition_id AND b.unit_id = r.unit_id WHERE r.edition_id = $1",
        )
        .bind(e.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let get = |k: &str| ret.try_get::<i64, _>(k).unwrap() as u64;
        let t = r.total;
        // To the copy: every printed copy is in the reserve, lost, sold, free, returned or
        // unaccounted (an outstanding unit's whole bundle).
        assert_eq!(r.print_run, e.print_run.unwrap() as u64);
        assert_eq!(t.sent, sent as u64);
        assert_eq!(
            r.print_run,
            r.reserve + t.lost + t.sold + t.free + t.returned + t.unaccounted
        );
        assert_eq!(
            (t.sold, t.free, t.returned),
            (get("sold"), get("free"), get("returned"))
        );
        assert_eq!(t.lost, get("sent_reported") - get("received"));
        // To the cent: what is due is the copies sold at the price; the balance is what was
        // remitted less that, whatever arrears there are.
        assert_eq!(t.due_cents, get("sold") as i64 * e.price_cents);
        assert_eq!(t.remitted_cents, get("remitted") as i64);
        assert_eq!(
            t.balance_cents(),
            get("remitted") as i64 - get("sold") as i64 * e.price_cents
        );
        // Figures go up: the top unit's branch is the whole edition.
        assert_eq!(r.branches[&p.unit_id], t);
        checked += 1;
    }
    assert_eq!(checked, 5);
    // The latest edition still has returns to come, including the demo agent's circle.
    let latest = &editions.iter().find(|e| e.published).unwrap();
    let c = db.circulation(latest.id).await.unwrap();
    assert!(c.reconciliation.total.outstanding > 0);
    let yard = db
        .unit_by_code("clyde-govan-yard")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(c.plan.bundles.iter().any(|b| b.unit == yard));
    assert!(!c.returned.contains(&yard));
    // Some arrears, and reports in the single picture.
    assert!(db
        .paper_accounts(p.id)
        .await
        .unwrap()
        .values()
        .any(|(due, paid)| due > paid));
    assert!(db.single_picture().await.unwrap().total >= 10);
}

on_every_backend!(a_units_subscribers_are_its_own_and_the_orders_go_up_as_figures);
async fn a_units_subscribers_are_its_own_and_the_orders_go_up_as_figures(db: &TestDb) {
    let o = org(db).await;
    let (p, _) = central_paper(db, &o).await;
    let here = db
        .create_person(
            &person(
                "Reader",
                o.docks1,
                Status::Supporter,
                0,
                identity("r@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let there = db
        .create_person(
            &person(
                "Elsewhere",
                o.docks2,
                Status::Supporter,
                0,
                identity("e@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    db.set_order(None, p, o.docks1, 12).await.unwrap();
    assert!(db.set_order(None, p, o.docks1, -1).await.is_err());
    assert_eq!(db.order_of(p, o.docks1).await.unwrap(), 12);
    let s = db
        .subscribe_in_unit(None, p, o.docks1, Some(here), 2)
        .await
        .unwrap();
    db.subscribe_in_unit(None, p, o.docks1, None, 1)
        .await
        .unwrap();
    // A person of another unit is not this unit's to record; nothing is written.
    assert!(matches!(
        db.subscribe_in_unit(None, p, o.docks1, Some(there), 1)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let subs = db.subscriptions_of_unit(p, o.docks1).await.unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(
        subs.iter()
            .find(|x| x.id == s)
            .unwrap()
            .pseudonym
            .as_deref(),
        Some("Reader")
    );
    let totals = db.orders_by_unit(p).await.unwrap();
    let d = totals[&o.docks1];
    assert_eq!((d.ordered, d.subscribers, d.subscriber_copies), (12, 2, 3));
    // Another unit cannot end this unit's subscription.
    assert!(db.end_subscription(None, o.docks2, s).await.is_err());
    db.end_subscription(None, o.docks1, s).await.unwrap();
    let d = db.orders_by_unit(p).await.unwrap()[&o.docks1];
    assert_eq!((d.subscribers, d.subscriber_copies), (1, 1));
    assert!(db.set_reserve(None, p, -5).await.is_err());
    db.set_reserve(None, p, 20).await.unwrap();
    assert_eq!(
        db.publication(p).await.unwrap().unwrap().reserve_percent,
        20
    );
}

on_every_backend!(the_single_picture_without_some_units_leaves_out_all_their_reports);
async fn the_single_picture_without_some_units_leaves_out_all_their_reports(db: &TestDb) {
    let o = org(db).await;
    for (unit, cat) in [
        (o.docks1, ReportCategory::Strike),
        (o.docks1, ReportCategory::Police),
        (o.docks2, ReportCategory::Strike),
        (o.south, ReportCategory::Housing),
    ] {
        db.submit_report(Sender::Anonymous, &report(unit, cat, "Something happened."))
            .await
            .unwrap();
    }
    let all = db.single_picture().await.unwrap();
    assert_eq!(db.single_picture_without(&[]).await.unwrap(), all);
    let without = db.single_picture_without(&[o.docks1]).await.unwrap();
    assert_eq!(without.total, all.total - 2);
    assert_eq!(without.by_category.get("strike"), Some(&1));
    assert_eq!(without.by_category.get("police"), None);
    assert_eq!(without.by_unit.get(&o.docks1), None);
    assert_eq!(without.by_unit.get(&o.docks2), Some(&1));
    assert_eq!(without.by_month.values().sum::<i64>(), without.total);
}

/// Sets the day a report was decided, as if the decision had been taken then (there is no clock
/// to move: the day is written where the store keeps it).
async fn decided_days_ago(db: &TestDb, report: i64, days: i64) {
    sqlx::query("UPDATE reports SET decided_on = $2 WHERE id = $1")
        .bind(report)
        .bind(days_ago(days).to_string())
        .execute(db.pool())
        .await
        .unwrap();
}

async fn sender_id(db: &TestDb, report: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT sender_person_id FROM reports WHERE id = $1")
        .bind(report)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

on_every_backend!(a_correspondent_is_known_to_one_editor_and_cleared_after_the_statutes_days);
async fn a_correspondent_is_known_to_one_editor_and_cleared_after_the_statutes_days(db: &TestDb) {
    let o = org(db).await;
    let correspondent = db
        .create_person(
            &person(
                "Canary Correspondent",
                o.docks1,
                Status::Member,
                100,
                identity("c@example.org", ""),
            ),
            None,
        )
        .await
        .unwrap();
    let sent_by = db
        .create_account(
            "correspondent",
            "a password of theirs",
            Some(correspondent),
            false,
            None,
        )
        .await
        .unwrap();
    let mut editors = Vec::new();
    for login in ["first-editor", "second-editor"] {
        let a = db
            .create_account(login, "a password of theirs", None, false, None)
            .await
            .unwrap();
        db.grant_role(login, o.cc, core_rules::roles::Role::Editor, None)
            .await
            .unwrap();
        editors.push(a);
    }
    let (first, second) = (editors[0], editors[1]);
    let named = |body: &'static str| async move {
        db.submit_report(
            Sender::Person {
                person: correspondent,
                account: sent_by,
            },
            &report(o.docks1, ReportCategory::Workplace, body),
        )
        .await
        .unwrap()
    };
    let r = named("The canteen is closed.").await;
    // The log says a named report came, and nothing links it to its sender's account.
    let last = &db.audit_entries(1).await.unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.actor, last.object_id),
        ("report.received", None, None)
    );

    // New: nobody is assigned it, and nobody reads its sender, whoever asks.
    let new = db.report(r).await.unwrap().unwrap();
    assert!(new.has_sender);
    assert_eq!((new.assigned_to, new.decided_on), (None, None));
    for e in [first, second] {
        assert!(matches!(
            db.report_sender(e, r).await,
            Err(StoreError::NotFound(_))
        ));
    }

    // The first editor to decide on it is assigned it; a later decision by another leaves it
    // with the first.
    db.triage_report(Some(first), r, Triage::Accept)
        .await
        .unwrap();
    let accepted = db.report(r).await.unwrap().unwrap();
    assert_eq!(accepted.assigned_to, Some(first));
    assert_eq!(accepted.decided_on, Some(today()));
    // Only the assigned editor reads the name, and each view is recorded first: their account
    // and the report, nothing of the person.
    let before = db.audit_entries(1000).await.unwrap().len();
    assert!(matches!(
        db.report_sender(second, r).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        db.audit_entries(1000).await.unwrap().len(),
        before,
        "a refusal writes nothing"
    );
    assert_eq!(
        db.report_sender(first, r).await.unwrap(),
        "Canary Correspondent"
    );
    let entries = db.audit_entries(1000).await.unwrap();
    assert_eq!(entries.len(), before + 1);
    let shown = &entries[0];
    assert_eq!(shown.action, "report.sender_shown");
    assert_eq!(shown.actor, Some(first));
    assert_eq!(
        (shown.object_kind.as_deref(), shown.object_id),
        (Some("report"), Some(r))
    );
    assert_eq!(shown.detail, "", "no person in the log");
    let article = db
        .create_article(
            Some(second),
            central_paper(db, &o).await.0,
            None,
            "Canteen",
            "Text.",
        )
        .await
        .unwrap();
    db.triage_report(Some(second), r, Triage::UseIn(article))
        .await
        .unwrap();
    assert_eq!(
        db.report(r).await.unwrap().unwrap().assigned_to,
        Some(first)
    );
    assert!(db.report_sender(second, r).await.is_err());
    // A decision from the command line assigns nobody.
    let nobody = named("The gate is locked.").await;
    db.triage_report(None, nobody, Triage::Reject)
        .await
        .unwrap();
    assert_eq!(db.report(nobody).await.unwrap().unwrap().assigned_to, None);

    // Cleared 30 days (the founding statutes' number) after the decision: 29 days on it is
    // still kept, 30 days on it is not shown even before the clearing runs, and the clearing
    // removes the link for good, with one entry that counts.
    let old = named("The roof leaks.").await;
    db.triage_report(Some(first), old, Triage::Reject)
        .await
        .unwrap();
    decided_days_ago(db, r, 29).await;
    decided_days_ago(db, old, 30).await;
    assert_eq!(
        db.report_sender(first, r).await.unwrap(),
        "Canary Correspondent"
    );
    assert!(matches!(
        db.report_sender(first, old).await,
        Err(StoreError::NotFound(_))
    ));
    let before = db.audit_entries(1000).await.unwrap().len();
    // `nobody` was decided today: kept (though nobody can read it) until its day.
    assert_eq!(db.clear_report_senders(today()).await.unwrap(), 1);
    let entries = db.audit_entries(1000).await.unwrap();
    assert_eq!(entries.len(), before + 1);
    assert_eq!(entries[0].action, "report.senders_cleared");
    assert_eq!((entries[0].actor, entries[0].object_id), (None, None));
    assert_eq!(entries[0].detail, "reports=1 days=30");
    assert_eq!(sender_id(db, old).await, None);
    assert_eq!(sender_id(db, r).await, Some(correspondent));
    let cleared = db.report(old).await.unwrap().unwrap();
    assert!(!cleared.has_sender);
    assert_eq!(
        (cleared.body.as_str(), cleared.status.as_str()),
        ("The roof leaks.", "rejected"),
        "the report stays"
    );
    // Nothing left to clear: no change and no entry.
    assert_eq!(db.clear_report_senders(today()).await.unwrap(), 0);
    assert_eq!(db.audit_entries(1000).await.unwrap().len(), before + 1);
    // A day later the other one goes too.
    assert_eq!(
        db.clear_report_senders(today().add_days(1)).await.unwrap(),
        1
    );
    assert_eq!(sender_id(db, r).await, None);
    assert!(db.report_sender(first, r).await.is_err());

    // The statutes hold the number: adopted at 7 days, a report decided 7 days ago is cleared,
    // one decided 6 days ago is kept.
    let mut rules = db.statutes_on(today()).await.unwrap().rules;
    rules.correspondence.sender_kept_days = 7;
    db.adopt_statutes(&rules, today(), today(), "Conference", None)
        .await
        .unwrap();
    let (six, seven) = (named("Six.").await, named("Seven.").await);
    for (id, days) in [(six, 6), (seven, 7)] {
        db.triage_report(Some(first), id, Triage::Accept)
            .await
            .unwrap();
        decided_days_ago(db, id, days).await;
    }
    assert_eq!(db.clear_report_senders(today()).await.unwrap(), 1);
    assert_eq!(sender_id(db, seven).await, None);
    assert_eq!(
        db.report_sender(first, six).await.unwrap(),
        "Canary Correspondent"
    );
    // Statutes that would keep a sender beyond ten years are refused by name.
    rules.correspondence.sender_kept_days = 4000;
    let err = db
        .adopt_statutes(&rules, today(), today(), "Conference", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("4000 days"), "{err}");
}

on_every_backend!(a_closed_circles_bundle_is_known_only_where_it_may_be);
/// A closed circle takes a paper only from a body that may know of it, and its bundle comes
/// from that body, past the units that may not: the region and the local carry none of its
/// copies, the reserve grows with none of them, and a viewer who may not know of it finds it in
/// no figure, the print run and the series included (issue 17, finding 7's class).
async fn a_closed_circles_bundle_is_known_only_where_it_may_be(db: &TestDb) {
    let o = org(db).await;
    let cell = db
        .create_unit(
            &core_rules::units::NewUnit {
                closed: true,
                ..new_unit("docks-cell", "Docks Cell", "circle", Some("docks"))
            },
            Some(o.admin),
        )
        .await
        .unwrap();
    let (p, e) = central_paper(db, &o).await;
    let north_paper = db
        .create_publication(Some(o.admin), "north", "North Worker", o.north, 10)
        .await
        .unwrap();
    // The regional committee may not know of the cell: it takes no order, no subscriber from
    // it, exactly as from a unit that does not exist, and nothing is written.
    let refused = db.set_order(Some(o.admin), north_paper, cell, 9).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    let refused = db
        .subscribe(Some(o.admin), north_paper, cell, None, 1)
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    assert_eq!(db.order_of(north_paper, cell).await.unwrap(), 0);
    // A unit outside the paper's branch takes none either.
    let refused = db.set_order(Some(o.admin), north_paper, o.south, 9).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    // The central committee may know of it.
    db.set_order(Some(o.admin), p, o.docks1, 40).await.unwrap();
    db.set_order(Some(o.admin), p, o.docks2, 25).await.unwrap();
    db.set_order(Some(o.admin), p, cell, 7).await.unwrap();
    db.subscribe(Some(o.admin), p, cell, None, 1).await.unwrap();
    let plan = db.plan_edition(Some(o.admin), e).await.unwrap();
    // 65 copies in the open at 10%, rounded up: 7; the cell's 8 get no reserve.
    assert_eq!((plan.reserve, plan.print_run), (7, 65 + 8 + 7));
    let c = db.circulation(e).await.unwrap();
    let into = |u: i64| -> Vec<(Option<i64>, u64)> {
        c.plan
            .legs
            .iter()
            .filter(|l| l.to == u)
            .map(|l| (l.from, l.copies))
            .collect()
    };
    assert_eq!(into(o.north), vec![(Some(o.cc), 65)]);
    assert_eq!(into(o.docks), vec![(Some(o.north), 65)]);
    assert_eq!(into(cell), vec![(Some(o.cc), 8)]);
    assert_eq!(into(o.cc), vec![(None, 73)]);
    db.record_return(
        None,
        e,
        &AgentReturn {
            unit: cell,
            received: 8,
            sold: 6,
            free: 0,
            returned: 2,
            remitted_cents: 900,
        },
    )
    .await
    .unwrap();
    db.record_return(
        None,
        e,
        &AgentReturn {
            unit: o.docks1,
            received: 40,
            sold: 30,
            free: 0,
            returned: 10,
            remitted_cents: 4500,
        },
    )
    .await
    .unwrap();
    // Whoever may not know of the cell: its copies and money are in no figure.
    let c = db.circulation(e).await.unwrap();
    let tree = db.circulation_tree().await.unwrap();
    let seen = c.reconciliation.seen_by(&tree, |u| u != cell);
    assert!(seen.copies_balance());
    assert_eq!(
        (seen.print_run, seen.total.sent, seen.total.sold),
        (72, 65, 30)
    );
    assert_eq!(seen.total.remitted_cents, 4500);
    assert_eq!(seen.branches[&o.north], seen.total);
    assert_eq!(seen.branches[&o.docks].sent, 65);
    // The whole, for those who may.
    let all = &c.reconciliation;
    assert_eq!(
        (all.print_run, all.total.sent, all.total.sold),
        (80, 73, 36)
    );
    // The series less the cell's copies, per edition.
    let theirs = db.copies_in_units(p, &[cell]).await.unwrap();
    assert_eq!(theirs.get(&e), Some(&(8, 6)));
    assert_eq!(db.circulation_series(p).await.unwrap(), vec![(7, 73, 36)]);
    // An order left from before the rule (the cell ordering the regional paper) is ignored
    // when the edition is planned: nobody prints for a unit they may not know of.
    sqlx::query("INSERT INTO paper_orders (publication_id, unit_id, copies) VALUES ($1, $2, 9)")
        .bind(north_paper)
        .bind(cell)
        .execute(db.pool())
        .await
        .unwrap();
    db.set_order(Some(o.admin), north_paper, o.docks1, 20)
        .await
        .unwrap();
    let ne = db
        .create_edition(
            Some(o.admin),
            north_paper,
            &NewEdition {
                number: 1,
                date: days_ago(1),
                price_cents: 100,
                headline: "North".into(),
            },
        )
        .await
        .unwrap();
    let plan = db.plan_edition(Some(o.admin), ne).await.unwrap();
    assert_eq!(plan.bundles.len(), 1);
    assert_eq!((plan.reserve, plan.print_run), (2, 22));
}
