//! Two Iskra servers on one PostgreSQL database, as behind a load balancer: a vote opened on
//! one server reaches the delegates' live pages on the other, and a vote cast on the other shows
//! live on the first's projector. Nothing passes between the servers but the database.
//!
//! Needs `ISKRA_TEST_POSTGRES_URL` (a maintenance URL; the test makes its own database and drops
//! it). Without it the test says so and passes, except under CI=true, where it fails.

use std::time::Duration;

use axum::http::StatusCode;
use core_rules::Day;
use store::sqlx::{Connection, Executor};
use store::{Create, DatabaseUrl, Store};

use crate::common::{ends, receives, under_ci, App};

/// The first server's store, and the two servers: each its own store handle on the one
/// database, holding the same key file's key, as they would in production.
async fn servers(url: &str) -> (Store, App, App) {
    let url = DatabaseUrl::parse(url).unwrap();
    let key = store::vault::MasterKey::generate();
    let first = Store::open(&url, Create::IfMissing)
        .await
        .unwrap()
        .unlock(&store::vault::KeySource::Key(key.clone()))
        .await
        .unwrap();
    let today = Day::today();
    assert!(fixtures::Seeder(&first)
        .seed_demo(&fixtures::demo::demo(7, today), today)
        .await
        .unwrap());
    let second = Store::open(&url, Create::Never)
        .await
        .unwrap()
        .unlock(&store::vault::KeySource::Key(key))
        .await
        .unwrap();
    let one = App::on(first.clone(), None).await;
    let two = App::on(second, None).await;
    (first, one, two)
}

/// How long an event may take to reach the other server.
const WAIT: Duration = Duration::from_secs(10);

/// A fresh database on the test server, dropped at the end.
struct PgDatabase {
    admin: String,
    name: String,
}

impl PgDatabase {
    async fn create() -> Option<(PgDatabase, String)> {
        let Ok(admin) = std::env::var("ISKRA_TEST_POSTGRES_URL") else {
            assert!(
                !under_ci(),
                "ISKRA_TEST_POSTGRES_URL is not set under CI: the two-server test needs PostgreSQL"
            );
            eprintln!("ISKRA_TEST_POSTGRES_URL is not set: the two-server test did not run");
            return None;
        };
        let name = format!(
            "iskra_two_servers_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        let mut c = store::sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin}: {e}"));
        c.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (base, _) = admin.rsplit_once('/').expect("a URL with a database name");
        let url = format!("{base}/{name}");
        Some((PgDatabase { admin, name }, url))
    }

    async fn drop_it(self) {
        if let Ok(mut c) = store::sqlx::PgConnection::connect(&self.admin).await {
            let _ = c
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_cast_on_one_server_shows_live_on_the_other() {
    let Some((db, url)) = PgDatabase::create().await else {
        return;
    };
    let (first, one, two) = servers(&url).await;

    let congress = first.congresses().await.unwrap()[0].id;
    let base = format!("/congresses/{congress}");
    // The presidium works on server one; the delegate (the demo's `member`) on server two.
    let presidium = one.login_demo("presidium").await;
    let delegate = two.login_demo("member").await;
    let delegate_page = format!("{base}/delegate");
    two.ok(&delegate_page, &delegate, &[("do", "check_in")])
        .await;

    // The delegate's live page is served by server two; the vote opens on server one.
    let mut on_two = two.stream(&format!("{base}/live"), &delegate).await;
    one.ok(
        &format!("{base}/presidium"),
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "credentials"),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    receives(&mut on_two, "vote", WAIT).await;

    // The projector, with the count, is served by server one; the vote is cast on server two.
    let mut on_one = one
        .stream(&format!("{base}/live?tally=1"), &presidium)
        .await;
    let page = two.page(&delegate_page, &delegate).await;
    // The vote form: `<button name="do" value="vote">` with the vote's number in a hidden field.
    let at = page
        .find("value=\"vote\"")
        .expect("the delegate's page offers the open vote");
    let key = "name=\"vote\" value=\"";
    let v = page[at..].find(key).expect("the vote's number") + at + key.len();
    let vote: String = page[v..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    two.ok(
        &delegate_page,
        &delegate,
        &[("do", "vote"), ("vote", &vote), ("choice", "yes")],
    )
    .await;
    receives(&mut on_one, "tally", WAIT).await;
    // And the count on server one has the vote cast on server two.
    let v: i64 = vote.parse().unwrap();
    assert_eq!(first.votes_cast(v).await.unwrap(), 1);

    drop((one, two, first));
    db.drop_it().await;
}

/// A live stream served by server two ends when the office it depended on is ended through
/// server one (issue 17, finding 11): the signal that access narrowed goes through the database
/// to every server. A stream whose viewer keeps their access goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_on_one_server_ends_when_the_office_is_ended_on_the_other() {
    let Some((db, url)) = PgDatabase::create().await else {
        return;
    };
    let (first, one, two) = servers(&url).await;
    let congress = first.congresses().await.unwrap()[0].id;
    let base = format!("/congresses/{congress}");

    let central = two.login_demo("central").await;
    let member = two.login_demo("member").await;
    let mut theirs = two.stream(&format!("{base}/live"), &central).await;
    let mut others = two.stream(&format!("{base}/live"), &member).await;

    // The administrator ends the office on server one.
    let admin = one.login_demo("admin").await;
    let account = first.account_by_login("central").await.unwrap().unwrap();
    let grant = first.roles_of(account).await.unwrap()[0].id;
    one.ok(&format!("/admin/roles/{grant}/end"), &admin, &[])
        .await;

    // Well within the streams' periodic check (30 s and more): the signal ended it.
    let seen = ends(
        &mut theirs,
        "the office ended on server one",
        Duration::from_secs(20),
    )
    .await;
    assert!(!seen.contains("event:"), "nothing more was sent: {seen:?}");

    // The delegate's stream on server two goes on, and hears a vote opened on server one.
    let presidium = one.login_demo("presidium").await;
    one.ok(
        &format!("{base}/presidium"),
        &presidium,
        &[
            ("do", "open_vote"),
            ("subject", "credentials"),
            ("secret", "0"),
            ("majority", "simple"),
            ("quorum", "1"),
        ],
    )
    .await;
    receives(&mut others, "vote", WAIT).await;

    drop((one, two, first));
    db.drop_it().await;
}

/// The public edition's page, which must be shown.
async fn public(app: &App) -> String {
    let r = app.get("/paper/iskra/5", None).await;
    assert_eq!(r.status, StatusCode::OK);
    r.body
}

/// The public edition is kept rendered on each server; an article published into it through
/// server one shows on server two within moments, with no request to server one in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_a_published_edition_on_one_server_shows_on_the_other() {
    let Some((db, url)) = PgDatabase::create().await else {
        return;
    };
    let (first, one, two) = servers(&url).await;
    // Both servers have the page rendered and kept.
    assert!(!public(&two).await.contains("Late news from the yard"));
    assert!(!public(&one).await.contains("Late news from the yard"));

    let editor = one.login_demo("editor").await;
    let p = first.publication_by_code("iskra").await.unwrap().unwrap();
    let five = first.edition_by_number(p.id, 5).await.unwrap().unwrap();
    let a = first
        .create_article(
            None,
            p.id,
            Some(five.id),
            "Late news from the yard",
            "The night shift walked out.",
        )
        .await
        .unwrap();
    for to in ["edited", "approved", "published"] {
        one.ok(
            &format!("/editor/articles/{a}/state"),
            &editor,
            &[("to", to)],
        )
        .await;
    }
    assert!(public(&one).await.contains("Late news from the yard"));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if public(&two).await.contains("Late news from the yard") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "server two still serves the old edition 10 s after the change"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    db.drop_it().await;
}
