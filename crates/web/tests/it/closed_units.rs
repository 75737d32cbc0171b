//! What a closed unit shows of itself to those outside it, through the real router on the demo
//! organisation (issue 17, the class of finding 7): nothing, in the paper's figures as in its
//! dues, and nothing of its officers or their words in the history of a person who has left it.
//! Each test has a viewer who may not know of the closed circle and one who may.

use axum::http::StatusCode;
use core_rules::people::Status;
use core_rules::roles::Role;
use core_rules::Day;

use crate::common::{App, User, OFFICER_PASSWORD};

/// The text between a page's first `<h2>` naming `heading` and the end of the table after it.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let from = page
        .find(&format!("<h2>{heading}</h2>"))
        .unwrap_or_else(|| panic!("a section {heading}"));
    let to = page[from..]
        .find("</table>")
        .map_or(page.len(), |i| from + i);
    &page[from..to]
}

/// The central paper's circulation: a plain member of the central committee sees the figures
/// of its unit (the paper's), but may not know of the closed circle that takes the paper; the
/// central committee's officers may. The circle's copies and money are in no figure the member
/// sees: not the print run, not the totals of all bundles, not the series per edition.
#[tokio::test]
async fn the_papers_figures_count_a_closed_circle_only_for_those_who_may_know_of_it() {
    let app = App::demo().await;
    let cc = app.unit_id("cc").await;
    let closed = app.unit_id("mersey-bootle-seaforth").await;
    app.member(cc, "cc-member").await;
    let User { cookie: member, .. } = app.login("cc-member", OFFICER_PASSWORD).await;
    let User {
        cookie: central, ..
    } = app.login("central", "demo-central-iskra").await;
    let p = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap();
    // Edition 4: every return is in, the closed circle's too.
    let e = app.store.edition_by_number(p.id, 4).await.unwrap().unwrap();
    let c = app.store.circulation(e.id).await.unwrap();
    let all = c.reconciliation.total;
    let theirs = c.reconciliation.units[&closed];
    assert!(
        theirs.sent > 0 && theirs.sold > 0,
        "the closed circle takes the paper"
    );
    let reserve = c.reconciliation.reserve;
    let path = format!("/paper/iskra/{}/circulation", e.number);

    let page = app.get(&path, &member).await;
    assert_eq!(page.status, StatusCode::OK);
    let open_sent = all.sent - theirs.sent;
    assert!(
        page.body.contains(&format!(
            "Print run {} = {open_sent} in bundles + {reserve} reserve.",
            reserve + open_sent
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("The copies balance."));
    let whole = &page.body[page.body.find("All bundles").unwrap()..];
    let row = &whole[..whole.find("</tr>").unwrap()];
    assert!(
        row.contains(&format!("<td>{open_sent}</td>"))
            && row.contains(&format!("<td>{}</td>", all.sold - theirs.sold)),
        "{row}"
    );
    assert!(!page.body.contains(&format!("= {} in bundles", all.sent)));
    assert!(page
        .body
        .contains(&format!("No. {}: {open_sent}<", e.number)));
    assert!(!page
        .body
        .contains(&format!("No. {}: {}<", e.number, all.sent)));

    // The central committee's officer may know of the circle: the whole edition.
    let page = app.get(&path, &central).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(
        "Print run {} = {} in bundles + {reserve} reserve.",
        reserve + all.sent,
        all.sent
    )));
    assert!(page
        .body
        .contains(&format!("No. {}: {}<", e.number, all.sent)));
}

/// A regional committee's paper: the closed circle below the region may not take it (its
/// editors and its agents may not know of the circle), only the central committee's; and the
/// regional committee's officers see the members of the local committee above the circle
/// without the circle's, where the central committee sees them all.
#[tokio::test]
async fn a_closed_circle_takes_no_paper_from_a_body_that_may_not_know_of_it() {
    let app = App::demo().await;
    let mersey = app.unit_id("mersey").await;
    let bootle = app.unit_id("mersey-bootle").await;
    let closed = app.unit_id("mersey-bootle-seaforth").await;
    app.officer(mersey, "mersey-secretary", Role::Secretary)
        .await;
    app.officer(closed, "cell-agent", Role::Agent).await;
    let regional = app
        .store
        .create_publication(None, "mersey-worker", "Mersey Worker", mersey, 5)
        .await
        .unwrap();
    let iskra = app
        .store
        .publication_by_code("iskra")
        .await
        .unwrap()
        .unwrap()
        .id;
    let User {
        cookie: agent,
        csrf: agent_csrf,
    } = app.login("cell-agent", OFFICER_PASSWORD).await;
    // The circle's page offers the central paper, not the region's.
    let page = app.get(&format!("/units/{closed}/paper"), &agent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("id=\"orders-{iskra}\"")));
    assert!(!page.body.contains(&format!("id=\"orders-{regional}\"")));
    let order = format!("/units/{closed}/paper/order");
    for (paper, status) in [
        (regional, StatusCode::NOT_FOUND),
        (iskra, StatusCode::SEE_OTHER),
    ] {
        let r = app
            .post(
                &order,
                &agent,
                &[
                    ("csrf", &agent_csrf),
                    ("publication", &paper.to_string()),
                    ("copies", "31"),
                ],
            )
            .await;
        assert_eq!(r.status, status, "{}", r.body);
        if status == StatusCode::SEE_OTHER {
            let back = format!("/units/{closed}/paper#orders-{iskra}");
            assert_eq!(r.location.as_deref(), Some(back.as_str()));
        }
    }
    let r = app
        .post(
            &format!("/units/{closed}/paper/subscribers"),
            &agent,
            &[
                ("csrf", &agent_csrf),
                ("publication", &regional.to_string()),
                ("person", ""),
                ("copies", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.order_of(regional, closed).await.unwrap(), 0);
    assert_eq!(app.store.order_of(iskra, closed).await.unwrap(), 31);

    // The region's paper goes out to Bootle; its reach against membership counts Bootle's
    // members without the circle's for the region's secretary, with them for the central
    // committee.
    app.store
        .set_order(None, regional, bootle, 12)
        .await
        .unwrap();
    let e = app
        .store
        .create_edition(
            None,
            regional,
            &core_rules::paper::NewEdition {
                number: 1,
                date: Day::today(),
                price_cents: 100,
                headline: "The docks".into(),
            },
        )
        .await
        .unwrap();
    app.store.plan_edition(None, e).await.unwrap();
    let members = app.store.members_per_unit().await.unwrap();
    let units = app.store.units().await.unwrap();
    let branch: i64 = units
        .iter()
        .filter(|u| u.id == bootle || u.parent_id == Some(bootle))
        .map(|u| members.get(&u.id).copied().unwrap_or(0))
        .sum();
    let cell = members[&closed];
    assert!(cell > 0);
    let name = &units.iter().find(|u| u.id == bootle).unwrap().name;
    let reach = |page: &str| -> String {
        let table = section(page, "Reach against membership");
        let at = table
            .find(&format!("<td>{name}</td>"))
            .expect("Bootle's row");
        table[at..at + table[at..].find("</tr>").unwrap()].to_string()
    };
    let User {
        cookie: secretary, ..
    } = app.login("mersey-secretary", OFFICER_PASSWORD).await;
    let page = app
        .get("/paper/mersey-worker/1/circulation", &secretary)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let row = reach(&page.body);
    assert!(
        row.starts_with(&format!("<td>{name}</td><td>{}</td>", branch - cell)),
        "{row}"
    );
    let User {
        cookie: central, ..
    } = app.login("central", "demo-central-iskra").await;
    let page = app
        .get("/paper/mersey-worker/1/circulation", &central)
        .await;
    let row = reach(&page.body);
    assert!(
        row.starts_with(&format!("<td>{name}</td><td>{branch}</td>")),
        "{row}"
    );
}

/// A person's history, read by the secretary of the circle they moved to from the closed
/// circle: the changes, each day and what changed, but not who recorded them there, not their
/// words there (a status's reason, a task's description), not the closed circle's code. Read by
/// the closed circle's own secretary before the move, all of it.
#[tokio::test]
async fn a_history_keeps_a_closed_circles_officers_and_words_to_those_who_may_know_of_it() {
    let app = App::demo().await;
    let closed = app.unit_id("mersey-bootle-seaforth").await;
    let yard = app.unit_id("clyde-govan-yard").await;
    app.officer(closed, "cell-keeper", Role::Secretary).await;
    let User {
        cookie: keeper,
        csrf: keeper_csrf,
    } = app.login("cell-keeper", OFFICER_PASSWORD).await;
    let ida = app
        .store
        .people_of_unit(closed)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.status == Status::Member && !p.pseudonym.starts_with("Officer"))
        .unwrap();
    let today = Day::today().to_string();
    let id = ida.id;
    for (path, form) in [
        (
            format!("/people/{id}/tasks"),
            vec![
                ("done_on", today.as_str()),
                ("description", "CANARY-TASK at the cell's dock gate"),
            ],
        ),
        (
            format!("/people/{id}/status"),
            vec![
                ("status", "lapsed"),
                ("on", today.as_str()),
                ("reason", "CANARY-REASON missed the cell's meetings"),
            ],
        ),
        (
            format!("/people/{id}/status"),
            vec![
                ("status", "member"),
                ("on", today.as_str()),
                ("reason", "CANARY-REASON came back to the cell"),
            ],
        ),
    ] {
        let mut form = form;
        form.push(("csrf", &keeper_csrf));
        let r = app.post(&path, &keeper, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
    }
    // The closed circle's secretary sees the whole history of their own member.
    let page = app.get(&format!("/people/{id}"), &keeper).await;
    assert_eq!(page.status, StatusCode::OK);
    for seen in ["cell-keeper", "CANARY-REASON", "CANARY-TASK"] {
        assert!(
            page.body.contains(seen),
            "{seen} not shown to the cell's secretary"
        );
    }
    // The member asks to move to the yard; its secretary accepts.
    let r = app
        .post(
            &format!("/people/{id}/transfer"),
            &keeper,
            &[
                ("unit", &yard.to_string()),
                ("on", &today),
                ("reason", "works at the yard now"),
                ("csrf", &keeper_csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/people/{id}").as_str())
    );
    let asked = app.store.transfers_waiting_for(yard).await.unwrap();
    let asked = asked.iter().find(|r| r.person_id == id).unwrap();
    let User {
        cookie: secretary,
        csrf,
    } = app.login("secretary", "demo-secretary-iskra").await;
    let r = app
        .post(
            &format!("/transfers/{}/decide", asked.id),
            &secretary,
            &[("decision", "accept"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/people/{id}"), &secretary).await;
    assert_eq!(page.status, StatusCode::OK);
    // (Where the member lives is theirs now, as every identity of the unit's people.)
    let circle = app.store.unit(closed).await.unwrap().unwrap().name;
    for hidden in [
        "cell-keeper",
        "CANARY-REASON",
        "CANARY-TASK",
        "mersey-bootle-seaforth",
        circle.as_str(),
    ] {
        assert!(
            !page.body.contains(hidden),
            "{hidden} shown to the yard's secretary"
        );
    }
    // The changes are there: the days, the statuses, the transfer and its reason.
    let history = section(&page.body, "History");
    assert!(history.contains("lapsed") && history.contains("an officer"));
    assert!(history.contains("works at the yard now"));
    assert!(history.contains("a unit not shown") && history.contains("clyde-govan-yard"));
    assert!(page.body.contains("recorded in a unit not shown"));
}
