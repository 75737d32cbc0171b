//! Issue 17, findings 5 and 9, through the real router on a SQLite store seeded with the demo:
//! the attacks as they were made (a standing order of 9,223,372,036,854,775,807 copies, a
//! payment of 92,233,720,368,547,758.07 twice, a megabyte party name and task), each refused
//! with the bound named, nothing written and the pages still answering for everyone; and a
//! payment recorded in error reversed from the unit page.

use axum::http::StatusCode;
use core_rules::people::Status;
use core_rules::Day;

use crate::common::{App, User};

/// The demo's circle, where the agent, treasurer and secretary hold office.
async fn circle(app: &App) -> i64 {
    app.unit_id("clyde-govan-yard").await
}

async fn a_member_of(app: &App, unit: i64) -> i64 {
    app.store
        .people_of_unit(unit)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.status == Status::Member)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_huge_standing_order_is_refused_and_the_orders_still_answer() {
    let app = App::demo().await;
    let unit = circle(&app).await;
    let paper = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    let before = app.store.order_of(paper.id, unit).await.unwrap();
    let User {
        cookie: agent,
        csrf,
    } = app.session_for("agent").await;
    let r = app
        .post(
            &format!("/units/{unit}/paper/order"),
            &agent,
            &[
                ("csrf", &csrf),
                ("publication", &paper.id.to_string()),
                ("copies", "9223372036854775807"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(
            "The standing order is 9,223,372,036,854,775,807 copies; at most 1,000,000 copies"
        ),
        "{}",
        r.body
    );
    assert_eq!(app.store.order_of(paper.id, unit).await.unwrap(), before);
    // The largest order there may be is taken, and a subscription past its bound is not.
    let r = app
        .post(
            &format!("/units/{unit}/paper/order"),
            &agent,
            &[
                ("csrf", &csrf),
                ("publication", &paper.id.to_string()),
                ("copies", "1000000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post(
            &format!("/units/{unit}/paper/subscribers"),
            &agent,
            &[
                ("csrf", &csrf),
                ("publication", &paper.id.to_string()),
                ("copies", "9223372036854775807"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at most 1,000 copies"), "{}", r.body);

    // The editors' pages answer, and the edition in preparation is planned.
    let User {
        cookie: editor,
        csrf,
    } = app.session_for("editor").await;
    let r = app.get("/editor/orders", &editor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("1000000"), "the largest order is listed");
    let six = app
        .store
        .edition_by_number(paper.id, 6)
        .await
        .unwrap()
        .unwrap();
    let r = app
        .post(
            &format!("/editor/editions/{}/plan", six.id),
            &editor,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.get("/paper/iskra/6/circulation", &editor).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_huge_payment_twice_is_refused_and_the_unit_page_still_answers() {
    let app = App::demo().await;
    let unit = circle(&app).await;
    let member = a_member_of(&app, unit).await;
    let User {
        cookie: treasurer,
        csrf,
    } = app.session_for("treasurer").await;
    let payments = app.count("dues_payments").await;
    let today = Day::today();
    for _ in 0..2 {
        let r = app
            .post(
                &format!("/units/{unit}/payments"),
                &treasurer,
                &[
                    ("csrf", &csrf),
                    ("person", &member.to_string()),
                    ("period", &today.month().to_string()),
                    ("paid_on", &today.to_string()),
                    ("amount", "92233720368547758.07"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body
                .contains("The payment is 92,233,720,368,547,758.07; at most 1,000,000.00"),
            "{}",
            r.body
        );
    }
    assert_eq!(app.count("dues_payments").await, payments);
    for login in ["treasurer", "secretary", "member"] {
        let User { cookie, .. } = app.session_for(login).await;
        let r = app.get(&format!("/units/{unit}"), &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{login}: {}", r.body);
    }
    // The central committee takes a share of every payment: its page sums them all.
    let top = app.store.unit_by_code("cc").await.unwrap().unwrap();
    let User {
        cookie: central, ..
    } = app.session_for("central").await;
    assert_eq!(
        app.get(&format!("/units/{}", top.id), &central)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_megabyte_party_name_and_task_are_refused_and_nothing_is_written() {
    let app = App::demo().await;
    let unit = circle(&app).await;
    let member = a_member_of(&app, unit).await;
    let User {
        cookie: secretary,
        csrf,
    } = app.session_for("secretary").await;
    let mega = "x".repeat(1_000_000);
    let people = app.count("persons").await;
    let applications = app.count("applications").await;
    let r = app
        .post(
            &format!("/units/{unit}/applications"),
            &secretary,
            &[("csrf", &csrf), ("pseudonym", &mega), ("statement", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        &r.body[..r.body.len().min(200)]
    );
    assert!(
        r.body
            .contains("The party name is 1,000,000 characters; at most 80"),
        "{}",
        &r.body[..r.body.len().min(2_000)]
    );
    assert!(
        r.body.len() < 10_000,
        "the refusal does not echo the megabyte"
    );
    assert_eq!(app.count("persons").await, people);
    assert_eq!(app.count("applications").await, applications);

    let tasks = app.count("tasks").await;
    let r = app
        .post(
            &format!("/people/{member}/tasks"),
            &secretary,
            &[
                ("csrf", &csrf),
                ("done_on", &Day::today().to_string()),
                ("description", &mega),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("The task is 1,000,000 characters; at most 1,000"),
        "{}",
        &r.body[..r.body.len().min(2_000)]
    );
    assert_eq!(app.count("tasks").await, tasks);

    // The member's delegates page stays its usual size.
    let User { cookie: m, .. } = app.session_for("member").await;
    let r = app.get(&format!("/units/{unit}/delegates"), &m).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.len() < 200_000, "{} bytes", r.body.len());
}

#[tokio::test]
async fn a_payment_recorded_in_error_is_reversed_from_the_unit_page() {
    let app = App::demo().await;
    let unit = circle(&app).await;
    let member = a_member_of(&app, unit).await;
    let User {
        cookie: treasurer,
        csrf,
    } = app.session_for("treasurer").await;
    let today = Day::today();
    let r = app
        .post(
            &format!("/units/{unit}/payments"),
            &treasurer,
            &[
                ("csrf", &csrf),
                ("person", &member.to_string()),
                ("period", &today.month().to_string()),
                ("paid_on", &today.to_string()),
                ("amount", "123.45"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let payment = app.store.payments_of(member).await.unwrap()[0].clone();
    assert_eq!(payment.amount_cents, 12_345);
    let action = format!("/units/{unit}/payments/{}/reverse", payment.id);
    let page = app.get(&format!("/units/{unit}"), &treasurer).await;
    assert!(
        page.body.contains(&action),
        "a reverse form beside the payment"
    );

    // A plain member may not; nor may anyone through another unit's address.
    let User {
        cookie: m,
        csrf: m_csrf,
    } = app.session_for("member").await;
    let r = app
        .post(&action, &m, &[("csrf", &m_csrf), ("reason", "not mine")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = app
        .store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id != unit && u.kind == "circle")
        .unwrap();
    let theirs = app
        .store
        .record_payment(
            &store::dues::NewPayment {
                person: a_member_of(&app, other.id).await,
                period: today.month(),
                paid_on: today,
                amount_cents: 500,
                source: "treasurer",
                reference: None,
            },
            None,
        )
        .await
        .unwrap();
    let r = app
        .post(
            &format!("/units/{unit}/payments/{theirs}/reverse"),
            &treasurer,
            &[("csrf", &csrf), ("reason", "not ours")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another unit's payment");
    assert_eq!(app.count("dues_reversals").await, 0);

    let r = app
        .post(
            &action,
            &treasurer,
            &[("csrf", &csrf), ("reason", "recorded for the wrong member")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/units/{unit}"), &treasurer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("reversed on {today}")));
    assert!(!page.body.contains(&action), "no second reverse form");
    let r = app
        .post(&action, &treasurer, &[("csrf", &csrf), ("reason", "again")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("reversed already"), "{}", r.body);
    assert_eq!(app.count("dues_reversals").await, 1);
    assert_eq!(
        app.store.payments_of(member).await.unwrap()[0]
            .reversed_on
            .as_deref(),
        Some(&*today.to_string())
    );
}
