//! Transfers and a closed unit's money, through the real router on the demo organisation
//! (issue 17, findings 4 and 7).
//!
//! A secretary who sends themself to another circle lands nowhere until that circle's
//! secretary accepts, and then keeps nothing of the unit they left; a unit above a closed circle
//! sees none of its money.

use axum::http::StatusCode;
use core_rules::people::Status;
use core_rules::roles::Role;
use core_rules::Day;
use store::dues::NewPayment;

use crate::common::{App, User, OFFICER_PASSWORD};

#[tokio::test]
async fn a_secretary_sending_themself_elsewhere_lands_nowhere_until_the_circle_accepts() {
    // Identities are checked by email: the demo's invented legal names may repeat.
    let app = App::demo().await;
    let own = app.unit_id("clyde-govan-yard").await;
    let there = app.unit_id("clyde-springburn-depot").await;
    let closed = app.unit_id("mersey-bootle-seaforth").await;
    let me = app.person_of("secretary").await;
    let my_account = app
        .store
        .account_by_login("secretary")
        .await
        .unwrap()
        .unwrap();
    let User { cookie, csrf } = app.login("secretary", "demo-secretary-iskra").await;
    let a_member_there = app.store.people_of_unit(there).await.unwrap()[0].clone();
    let my_people = app.store.people_of_unit(own).await.unwrap();
    let someone_of_mine = my_people.iter().find(|p| p.id != me).unwrap().id;
    let their_identity = app.store.identity(someone_of_mine).await.unwrap();
    assert!(!their_identity.email.is_empty());

    // The demo's member of Govan Cross asks to come to the yard: the secretary sees them by
    // party name on the circle's page, and refuses; nothing moves.
    let asked = app.store.transfers_waiting_for(own).await.unwrap();
    assert_eq!(asked.len(), 1);
    let asker = asked[0].clone();
    let asker_identity = app.store.identity(asker.person_id).await.unwrap();
    assert!(!asker_identity.email.is_empty());
    let page = app.get(&format!("/units/{own}"), &cookie).await.body;
    assert!(page.contains("Transfers asked into this unit"), "{page}");
    assert!(page.contains(&asker.pseudonym));
    assert!(page.contains("Govan Cross circle"), "where they come from");
    assert!(
        !page.contains(&asker_identity.email),
        "who they are is not the unit's until they are its people"
    );
    let r = app
        .post(
            &format!("/transfers/{}/decide", asker.id),
            &cookie,
            &[("decision", "refuse"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = app.store.person(asker.person_id).await.unwrap().unwrap();
    assert_eq!(p.unit_id, asker.from_unit, "a refusal moves nobody");
    assert!(app
        .store
        .transfers_waiting_for(own)
        .await
        .unwrap()
        .is_empty());

    // The finding's attack: the secretary posts a transfer of themself to another circle.
    let requests = app.count("transfer_requests").await;
    let r = app
        .post(
            &format!("/people/{me}/transfer"),
            &cookie,
            &[
                ("unit", &there.to_string()),
                ("on", &Day::today().to_string()),
                ("reason", "moved to Springburn"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // They land nowhere: still in their circle, still its secretary; the other circle's page
    // and people are as closed to them as before.
    assert_eq!(app.store.person(me).await.unwrap().unwrap().unit_id, own);
    let there_page = app.get(&format!("/units/{there}"), &cookie).await;
    assert_eq!(there_page.status, StatusCode::NOT_FOUND);
    assert!(!there_page.body.contains(&a_member_there.pseudonym));
    let search = app
        .get(&format!("/units/{there}/search?q=a"), &cookie)
        .await;
    assert_eq!(search.status, StatusCode::NOT_FOUND);
    // The request waits for the receiving circle.
    let waiting = app.store.transfers_waiting_for(there).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!((waiting[0].person_id, waiting[0].from_unit), (me, own));
    assert_eq!(app.count("transfer_requests").await, requests + 1);
    let mine = app.get(&format!("/people/{me}"), &cookie).await.body;
    assert!(mine.contains("Transfers asked for") && mine.contains("waiting"));

    // A closed circle they may not know of is "not found", exactly as a unit that does not
    // exist, and nothing is written.
    let post_to = |unit: i64| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        let app = &app;
        async move {
            app.post(
                &format!("/people/{me}/transfer"),
                &cookie,
                &[
                    ("unit", &unit.to_string()),
                    ("on", &Day::today().to_string()),
                    ("reason", "moved"),
                    ("csrf", &csrf),
                ],
            )
            .await
        }
    };
    let to_closed = post_to(closed).await;
    let to_nowhere = post_to(987_654).await;
    assert_eq!(to_closed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (to_closed.status, &to_closed.body),
        (to_nowhere.status, &to_nowhere.body)
    );
    assert_eq!(app.count("transfer_requests").await, requests + 1);
    assert_eq!(app.store.person(me).await.unwrap().unwrap().unit_id, own);
    // And the form offers no closed unit.
    assert!(!mine.contains("Seaforth"));

    // The receiving circle's secretary sees the request, by party name only, and accepts it.
    app.officer(there, "depot-secretary", Role::Secretary).await;
    let User {
        cookie: theirs,
        csrf: their_csrf,
    } = app.login("depot-secretary", OFFICER_PASSWORD).await;
    let my_pseudonym = app.store.person(me).await.unwrap().unwrap().pseudonym;
    let my_identity = app.store.identity(me).await.unwrap();
    let page = app.get(&format!("/units/{there}"), &theirs).await.body;
    assert!(page.contains("Transfers asked into this unit") && page.contains(&my_pseudonym));
    assert!(!my_identity.email.is_empty());
    assert!(!page.contains(&my_identity.email));
    let r = app
        .post(
            &format!("/transfers/{}/decide", waiting[0].id),
            &theirs,
            &[("decision", "accept"), ("csrf", &their_csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(&*format!("/units/{there}")));
    assert_eq!(app.store.person(me).await.unwrap().unwrap().unit_id, there);

    // The mover keeps nothing of the unit they left: the office ended (and signed them out),
    // and signed in again they see neither its page nor its people's identities.
    assert!(app.store.roles_of(my_account).await.unwrap().is_empty());
    let r = app.get(&format!("/units/{own}"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/login"), "signed out");
    let User { cookie, .. } = app.login("secretary", "demo-secretary-iskra").await;
    let old = app.get(&format!("/units/{own}"), &cookie).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    let old_person = app
        .get(&format!("/people/{someone_of_mine}"), &cookie)
        .await;
    assert_eq!(old_person.status, StatusCode::NOT_FOUND);
    // In the new circle they are a member like any other: names, no identities.
    let new = app.get(&format!("/units/{there}"), &cookie).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains(&a_member_there.pseudonym));
    let their = app.store.identity(a_member_there.id).await.unwrap();
    assert!(!their.email.is_empty() && !new.body.contains(&their.email));
    assert!(!new.body.contains(&their_identity.email));
}

/// The Dues section of a unit's page: what its officers see of the unit's money.
fn dues_section(page: &str) -> &str {
    let from = page.find("<h2>Dues</h2>").expect("a Dues section");
    let to = page[from..]
        .find("</table>")
        .map_or(page.len(), |i| from + i);
    &page[from..to]
}

#[tokio::test]
async fn the_units_above_a_closed_circle_see_none_of_its_money() {
    let app = App::demo().await;
    let bootle = app.unit_id("mersey-bootle").await;
    let mersey = app.unit_id("mersey").await;
    let cc = app.unit_id("cc").await;
    let closed = app.unit_id("mersey-bootle-seaforth").await;
    app.officer(bootle, "bootle-secretary", Role::Secretary)
        .await;
    app.officer(mersey, "mersey-secretary", Role::Secretary)
        .await;
    let User {
        cookie: bootle_cookie,
        ..
    } = app.login("bootle-secretary", OFFICER_PASSWORD).await;
    let User {
        cookie: mersey_cookie,
        ..
    } = app.login("mersey-secretary", OFFICER_PASSWORD).await;
    let User {
        cookie: cc_cookie, ..
    } = app.login("central", "demo-central-iskra").await;

    // A year of the demo's dues: none of the closed circle's money reached Bootle or
    // Merseyside.
    let leaked: i64 = store::sqlx::query_scalar(
        "SELECT COUNT(*) FROM dues_shares s JOIN dues_payments p ON p.id = s.payment_id \
         WHERE p.unit_id = $1 AND s.unit_id IN ($2, $3)",
    )
    .bind(closed)
    .bind(bootle)
    .bind(mersey)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(leaked, 0);

    // A payment in the closed circle today changes nothing either sees; the central committee,
    // which may know of the circle, receives what they would have.
    let before: Vec<String> = {
        let mut v = Vec::new();
        for (unit, cookie) in [
            (bootle, &bootle_cookie),
            (mersey, &mersey_cookie),
            (cc, &cc_cookie),
        ] {
            let page = app.get(&format!("/units/{unit}"), cookie).await;
            assert_eq!(page.status, StatusCode::OK);
            v.push(dues_section(&page.body).to_string());
        }
        v
    };
    let member = app
        .store
        .people_of_unit(closed)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.status == Status::Member)
        .unwrap();
    let cc_before = app
        .store
        .unit_dues_by_month(cc, Day::today().month().first_day())
        .await
        .unwrap();
    app.store
        .record_payment(
            &NewPayment {
                person: member.id,
                period: Day::today().month(),
                paid_on: Day::today(),
                amount_cents: 1_234_567,
                source: "treasurer",
                reference: None,
            },
            None,
        )
        .await
        .unwrap();
    for (i, (unit, cookie)) in [(bootle, &bootle_cookie), (mersey, &mersey_cookie)]
        .into_iter()
        .enumerate()
    {
        let page = app.get(&format!("/units/{unit}"), cookie).await.body;
        assert_eq!(
            dues_section(&page),
            before[i],
            "unit {unit}'s dues moved with a payment in the closed circle below it"
        );
    }
    let page = app.get(&format!("/units/{cc}"), &cc_cookie).await.body;
    assert_ne!(dues_section(&page), before[2]);
    let cc_after = app
        .store
        .unit_dues_by_month(cc, Day::today().month().first_day())
        .await
        .unwrap();
    let this_month = |v: &[(String, i64)]| {
        v.iter()
            .find(|(m, _)| *m == Day::today().month().to_string())
            .map_or(0, |(_, c)| *c)
    };
    // 20% of its own, and the 25% and 15% of the two bodies that may not know.
    assert_eq!(this_month(&cc_after) - this_month(&cc_before), 740_739);
}

/// The dues split and the access rules agree: every share of every payment of the demo goes to
/// a unit whose offices may see the figures of the unit the payment was made in.
#[tokio::test]
async fn every_dues_share_goes_to_a_unit_that_may_know_of_the_payer() {
    use web::access::{allowed, Action, Held, Place, Who};
    let app = App::demo().await;
    let units = app.store.units().await.unwrap();
    let chains = web::pages::chains(&units);
    let rules = app.store.access_rules(Day::today()).await.unwrap();
    let rows = store::sqlx::query(
        "SELECT DISTINCT p.unit_id AS paid_in, s.unit_id AS share_to FROM dues_shares s \
         JOIN dues_payments p ON p.id = s.payment_id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(rows.len() > 30);
    let mut wrong = Vec::new();
    for r in rows {
        use store::sqlx::Row;
        let (paid_in, share_to): (i64, i64) = (r.get("paid_in"), r.get("share_to"));
        let to = &chains[&share_to][0];
        let who = Who {
            is_admin: false,
            own: None,
            held: vec![Held {
                role: Role::Treasurer,
                unit_id: share_to,
                unit_kind: to.kind.clone(),
            }],
            rules: rules.clone(),
        };
        if !allowed(
            &who,
            Action::ViewFigures(Place {
                chain: &chains[&paid_in],
            }),
        ) {
            wrong.push(format!("{} receives dues paid in unit {paid_in}", to.code));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
