//! Need-to-know, tested as the promise it is: every route, as every role, against objects in
//! every relation to the viewer, in every membership state; and canaries that must show up only
//! where the rules allow.
//!
//! The expectations below are written out independently of the `access` crate, in the words of the
//! issue, so that a slip in the rules module shows up as a disagreement here. The list of routes
//! is taken from `web::ROUTES`: a route added without an entry here fails the test.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use core_rules::people::{Identity, Status};
use core_rules::roles::Role;
use core_rules::units::NewUnit;
use core_rules::Day;
use store::people::NewPerson;
use store::Store;

use crate::common::{empty_store, App, Res, User};

/// How an object relates to the viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rel {
    /// The viewer's own person, account or unit.
    Own,
    /// Another person of the viewer's unit (the unit itself, for unit routes).
    Same,
    /// A unit below the viewer's unit, and its people.
    Below,
    /// A unit elsewhere in the tree.
    Other,
    /// A closed unit (below the viewer's own unit), and its people.
    Closed,
}

const RELS: [Rel; 5] = [Rel::Own, Rel::Same, Rel::Below, Rel::Other, Rel::Closed];

/// The viewer's membership state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Applicant,
    Member,
    Lapsed,
    /// A member whose account is suspended.
    Suspended,
    /// A member whose office was ended.
    Removed,
}

const STATES: [State; 5] = [
    State::Applicant,
    State::Member,
    State::Lapsed,
    State::Suspended,
    State::Removed,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Sent to the login page: no session.
    Login,
    /// "Not found", as if the object did not exist.
    Denied,
    /// Let through to the handler (which may still refuse the form's content).
    Allowed,
}

/// What the issue says each route allows, for a viewer holding `role` in their own unit.
fn expected(method: &str, path: &str, role: Role, state: State, rel: Rel) -> Option<Expect> {
    use Expect::*;
    let public = matches!(
        (method, path),
        ("GET", "/login")
            | ("POST", "/login")
            | ("GET", "/static/iskra.css")
            | ("GET", "/static/congress.js")
            | ("GET", "/healthz")
            // The paper's public face: the published editions, their feed, and the
            // report form, for anyone.
            | ("GET", "/paper")
            | ("GET", "/paper/{code}")
            | ("GET", "/paper/{code}/feed.atom")
            | ("GET", "/paper/{code}/{number}")
            | ("GET", "/paper/{code}/{number}/pdf")
            | ("GET", "/report")
            | ("POST", "/report")
    );
    if public {
        return Some(Allowed);
    }
    if path.starts_with("/invite/") {
        return Some(Denied);
    }
    if state == State::Suspended {
        return Some(Login);
    }
    // Officers are members: an office counts only for a member whose office was not ended.
    let office = role != Role::Member && state == State::Member;
    let member_here = matches!(state, State::Member | State::Removed);
    let here = matches!(rel, Rel::Own | Rel::Same);
    let secretary = office && role == Role::Secretary;
    let yes = |b: bool| Some(if b { Allowed } else { Denied });
    match (method, path) {
        ("GET", "/") | ("POST", "/logout") | ("GET", "/statutes") | ("GET", "/account") => {
            Some(Allowed)
        }
        ("POST", "/account/password") => Some(Allowed),
        // Only one's own sessions can be ended.
        ("POST", "/account/sessions/end") => yes(rel == Rel::Own),
        ("GET", "/units") => yes(office),
        // Figures: one's own unit as a member or officer; units below as an officer; never
        // another branch; never a closed unit the statutes do not open to a local committee.
        ("GET", "/units/{id}") => {
            yes((here && (member_here || office)) || (rel == Rel::Below && office))
        }
        // Searching a unit's people: whoever may see its roster (no statutes here let an office
        // reach names below, so never a unit below).
        ("GET", "/units/{id}/search") => yes(here && (member_here || office)),
        // A unit's election of its delegates: whoever sees its people by party name; the
        // secretary's own actions are refused further on by the handler (not by this matrix's
        // empty form, which is refused for its content).
        ("GET", "/units/{id}/delegates") | ("POST", "/units/{id}/delegates") => {
            yes(here && (member_here || office))
        }
        ("POST", "/units/{id}/meetings")
        | ("POST", "/units/{id}/applications")
        | ("POST", "/units/{id}/export")
        | ("POST", "/applications/{id}/decide") => yes(secretary && here),
        ("POST", "/units/{id}/payments") => {
            yes(office && here && matches!(role, Role::Secretary | Role::Treasurer))
        }
        // Reversing a payment recorded in error: whoever may record payments in the unit the
        // payment was recorded in, and nobody else.
        ("POST", "/units/{id}/payments/{payment}/reverse") => {
            yes(office && here && matches!(role, Role::Secretary | Role::Treasurer))
        }
        ("GET", "/people/{id}") => yes(rel == Rel::Own || (secretary && rel == Rel::Same)),
        ("POST", "/people/{id}/invitation") => yes(secretary && here),
        // The link's token is the credential; nobody in this matrix holds one.
        ("GET", "/invite/{token}") | ("POST", "/invite/{token}") => Some(Denied),
        ("POST", "/people/{id}/status")
        | ("POST", "/people/{id}/transfer")
        | ("POST", "/people/{id}/tasks") => yes(secretary && here),
        // A transfer asked into a unit is answered by that unit's secretary, and by nobody
        // else: not by the secretary of the unit above it, nor of the unit it comes from.
        ("POST", "/transfers/{id}/decide") => yes(secretary && here),
        ("GET", "/admin/roles") => yes(office && role == Role::Admin),
        ("POST", "/admin/roles") | ("POST", "/admin/roles/{id}/end") => {
            yes(office && role == Role::Admin && matches!(rel, Rel::Own | Rel::Same | Rel::Below))
        }
        // The security officer: the exposure of their unit's and the units below's people, in
        // counts (a closed unit below only for the bodies the statutes name).
        ("GET", "/exposure") | ("GET", "/exposure/meeting") => {
            yes(office && role == Role::Security)
        }
        ("GET", "/exposure/people/{id}") => yes(office
            && role == Role::Security
            && matches!(rel, Rel::Own | Rel::Same | Rel::Below)),
        // The whole organisation simulated: a security officer at the top; nobody in this matrix.
        ("GET", "/exposure/simulate") => Some(Denied),
        // The congress: anyone signed in sees the list (of the congresses they may see); the
        // central committee convenes and registers; its pages are for those who run it
        // (central committee, presidium, credentials committee) and those who take part
        // (nobody in this matrix takes part).
        ("GET", "/congresses") => Some(Allowed),
        ("POST", "/congresses") | ("POST", "/congresses/{id}/participants") => {
            yes(office && role == Role::Central)
        }
        ("GET", "/congresses/{id}")
        | ("GET", "/congresses/{id}/motions/{motion}")
        | ("GET", "/congresses/{id}/projector")
        | ("GET", "/congresses/{id}/live")
        | ("GET", "/congresses/{id}/minutes")
        | ("GET", "/congresses/{id}/minutes/pdf") => {
            yes(office && matches!(role, Role::Central | Role::Presidium | Role::Credentials))
        }
        ("GET", "/congresses/{id}/credentials") | ("POST", "/congresses/{id}/credentials") => {
            yes(office && role == Role::Credentials)
        }
        ("GET", "/congresses/{id}/presidium") | ("POST", "/congresses/{id}/presidium") => {
            yes(office && role == Role::Presidium)
        }
        ("GET", "/congresses/{id}/delegate") | ("POST", "/congresses/{id}/delegate") => {
            Some(Denied)
        }
        // The paper (run by the viewer's own unit in this fixture): its editors edit it, read
        // the reports and see the single picture; the figures of its circulation are figures
        // of its unit; an agent or the secretary records the unit's own return.
        ("GET", "/editor")
        | ("GET", "/editor/picture")
        | ("POST", "/editor/editions")
        | ("POST", "/editor/editions/{id}/publish")
        | ("POST", "/editor/editions/{id}/plan")
        | ("POST", "/editor/articles")
        | ("GET", "/editor/articles/{id}")
        | ("POST", "/editor/articles/{id}")
        | ("POST", "/editor/articles/{id}/state")
        | ("POST", "/editor/reports/{id}")
        // The orders of every unit in figures, and the reserve.
        | ("GET", "/editor/orders")
        | ("POST", "/editor/orders") => yes(office && role == Role::Editor),
        // Who sent a report: only the editor it is assigned to (the report of relation Own is
        // assigned to the viewer; the others to other editors, or, for the closed unit's, to
        // the viewer, who as a local committee's editor does not know of that unit).
        ("POST", "/editor/reports/{id}/sender") => {
            yes(office && role == Role::Editor && rel == Rel::Own)
        }
        ("GET", "/paper/{code}/{number}/circulation") => yes(member_here || office),
        ("GET", "/units/{id}/paper") => {
            yes((here && (member_here || office)) || (rel == Rel::Below && office))
        }
        // The unit's standing order and its subscribers: its own agent or secretary.
        ("POST", "/units/{id}/paper")
        | ("POST", "/units/{id}/paper/order")
        | ("POST", "/units/{id}/paper/subscribers") => {
            yes(office && here && matches!(role, Role::Agent | Role::Secretary))
        }
        // The whole organisation's administrator only: nobody in this matrix.
        ("POST", "/admin/accounts/{id}/suspend") | ("GET", "/import") | ("POST", "/import") => {
            Some(Denied)
        }
        _ => None,
    }
}

/// Whether a viewer sees the people of a unit in relation `rel` by pseudonym: one's own unit,
/// as a member or an officer there.
fn sees_pseudonyms(role: Role, state: State, rel: Rel) -> bool {
    let office = role != Role::Member && state == State::Member;
    let member_here = matches!(state, State::Member | State::Removed);
    matches!(rel, Rel::Own | Rel::Same) && (member_here || office)
}

/// Whether a viewer sees the identities of a unit's people: the secretary of the unit only.
fn sees_identities(role: Role, state: State, rel: Rel) -> bool {
    let office = role != Role::Member && state == State::Member;
    matches!(rel, Rel::Own | Rel::Same) && office && role == Role::Secretary
}

struct Fixture {
    app: App,
    store: Store,
    /// Unit ids by relation (Own and Same are the viewer's unit).
    unit: BTreeMap<Rel, i64>,
    unit_code: BTreeMap<Rel, String>,
    /// A member in each unit (for Own: filled per viewer), with an account and a session.
    target: BTreeMap<Rel, i64>,
    target_account: BTreeMap<Rel, i64>,
    /// A pending application in each unit.
    application: BTreeMap<Rel, i64>,
    /// A dues payment recorded in each unit.
    payment: BTreeMap<Rel, i64>,
    /// An office held by a bystander in each unit, for the routes that end offices.
    grant: BTreeMap<Rel, i64>,
    /// A transfer asked into each unit, waiting for its answer.
    transfer: BTreeMap<Rel, i64>,
    /// The paper run by the viewer's own unit: a published edition (with returns in, so that
    /// its bundles cannot be planned again), a published article and a report.
    edition: i64,
    article: i64,
    report: i64,
    /// Reports sent under a party name, decided (rejected, so that they are on no list) and
    /// assigned: for Own and Closed, one per viewer's account, to that account (Own's about the
    /// viewer's unit, sent by Below's member; Closed's about the closed unit, sent by its
    /// member); for Same, Below and Other, about the relation's unit, sent by Other's member and
    /// assigned to the relation's own editor (every target holds an editor's office).
    sender_report: BTreeMap<Rel, i64>,
    sender_report_of: BTreeMap<(i64, Rel), i64>,
    publication: i64,
    viewers: Vec<Viewer>,
    /// A congress and a motion at it.
    congress: i64,
    motion: i64,
}

struct Viewer {
    role: Role,
    state: State,
    person: i64,
    account: i64,
}

fn canary_identity(tag: &str) -> Identity {
    Identity {
        legal_name: format!("CANARY-NAME-{tag}"),
        email: format!("canary-{tag}@example.org").to_lowercase(),
        phone: String::new(),
        address: format!("CANARY-ADDRESS-{tag}"),
        workplace: format!("CANARY-WORK-{tag}"),
        notes: String::new(),
    }
}

async fn person(store: &Store, unit: i64, pseudonym: &str, status: Status, tag: &str) -> i64 {
    let since = Day::parse("2020-01-01").unwrap();
    store
        .create_person(
            &NewPerson {
                card: None,
                pseudonym: pseudonym.into(),
                unit_id: unit,
                status,
                since,
                admitted_on: (status != Status::Applicant).then_some(since),
                programme_accepted: true,
                monthly_income_cents: Some(150_000),
                reduced_rate: false,
                identity: canary_identity(tag),
            },
            None,
        )
        .await
        .unwrap()
}

async fn insert_grant(store: &Store, account: i64, unit: i64, role: Role) -> i64 {
    store::sqlx::query_scalar(
        "INSERT INTO roles (account_id, unit_id, role, granted_at) VALUES ($1, $2, $3, 0) RETURNING id",
    )
    .bind(account)
    .bind(unit)
    .bind(role.code())
    .fetch_one(store.pool())
    .await
    .unwrap()
}

async fn fixture() -> Fixture {
    let (store, dir) = empty_store().await;
    store::init_organisation(
        &store,
        "Test Party",
        "Central Committee",
        "admin",
        "admin password 1",
        Day::parse("2010-01-01").unwrap(),
    )
    .await
    .unwrap();
    let mk = |code: &str, kind: &str, parent: &str, closed: bool| NewUnit {
        code: code.into(),
        name: format!("CANARY-UNIT-{code}"),
        kind: kind.into(),
        parent: Some(parent.into()),
        area: String::new(),
        closed,
    };
    for u in [
        mk("reg", "regional", "cc", false),
        mk("own", "local", "reg", false),
        mk("below", "circle", "own", false),
        mk("hidden", "circle", "own", true),
        mk("other", "local", "reg", false),
    ] {
        store.create_unit(&u, None).await.unwrap();
    }
    let id = |code: &'static str| {
        let store = store.clone();
        async move { store.unit_by_code(code).await.unwrap().unwrap().id }
    };
    let mut unit = BTreeMap::new();
    let mut unit_code = BTreeMap::new();
    for (rel, code) in [
        (Rel::Own, "own"),
        (Rel::Same, "own"),
        (Rel::Below, "below"),
        (Rel::Other, "other"),
        (Rel::Closed, "hidden"),
    ] {
        unit.insert(rel, id(code).await);
        unit_code.insert(rel, code.to_string());
    }
    let mut target = BTreeMap::new();
    let mut target_account = BTreeMap::new();
    let mut application = BTreeMap::new();
    let mut grant = BTreeMap::new();
    let mut payment = BTreeMap::new();
    for rel in [Rel::Same, Rel::Below, Rel::Other, Rel::Closed] {
        let u = unit[&rel];
        let tag = format!("{rel:?}").to_uppercase();
        let p = person(
            &store,
            u,
            &format!("CANARY-PSEUDO-{tag}"),
            Status::Member,
            &tag,
        )
        .await;
        let login = format!("target-{tag}").to_lowercase();
        let a = store
            .create_account(&login, "target password", Some(p), false, None)
            .await
            .unwrap();
        store.start_session(a).await.unwrap();
        target.insert(rel, p);
        target_account.insert(rel, a);
        let app = store
            .apply(
                u,
                &format!("CANARY-APPLICANT-{tag}"),
                &canary_identity(&format!("APPLICANT-{tag}")),
                "",
                Day::today(),
                None,
            )
            .await
            .unwrap();
        application.insert(rel, app);
        grant.insert(rel, insert_grant(&store, a, u, Role::Editor).await);
        let paid = store
            .record_payment(
                &store::dues::NewPayment {
                    person: p,
                    period: Day::today().month(),
                    paid_on: Day::today(),
                    amount_cents: 300,
                    source: "treasurer",
                    reference: None,
                },
                None,
            )
            .await
            .unwrap();
        payment.insert(rel, paid);
    }
    application.insert(Rel::Own, application[&Rel::Same]);
    payment.insert(Rel::Own, payment[&Rel::Same]);
    grant.insert(Rel::Own, grant[&Rel::Same]);
    // Someone of another unit asked into each unit: their party name is for the receiving
    // unit's secretary, their identity for nobody here.
    let mut transfer = BTreeMap::new();
    for rel in [Rel::Same, Rel::Below, Rel::Other, Rel::Closed] {
        let tag = format!("{rel:?}").to_uppercase();
        let from = if rel == Rel::Other {
            unit[&Rel::Below]
        } else {
            unit[&Rel::Other]
        };
        let p = person(
            &store,
            from,
            &format!("CANARY-MOVER-{tag}"),
            Status::Member,
            &format!("MOVER-{tag}"),
        )
        .await;
        let t = store
            .request_transfer(p, unit[&rel], Day::today(), "moving", None)
            .await
            .unwrap();
        transfer.insert(rel, t);
    }
    transfer.insert(Rel::Own, transfer[&Rel::Same]);

    let publication = store
        .create_publication(None, "spark", "The Spark", unit[&Rel::Own], 5)
        .await
        .unwrap();
    let edition = store
        .create_edition(
            None,
            publication,
            &core_rules::paper::NewEdition {
                number: 1,
                date: Day::today(),
                price_cents: 100,
                headline: "First".into(),
            },
        )
        .await
        .unwrap();
    let article = store
        .create_article(None, publication, Some(edition), "Opening", "Text.")
        .await
        .unwrap();
    for to in [
        core_rules::paper::ArticleState::Edited,
        core_rules::paper::ArticleState::Approved,
    ] {
        store.move_article(None, article, to).await.unwrap();
    }
    store.publish_edition(None, edition).await.unwrap();
    // A draft, not public: what exposure analysis counts among the editors' documents.
    store
        .create_article(None, publication, None, "A draft", "Text.")
        .await
        .unwrap();
    for rel in [Rel::Own, Rel::Below] {
        store
            .set_order(None, publication, unit[&rel], 10)
            .await
            .unwrap();
    }
    // A unit takes a paper only from a body above it that may know of it: not the other local
    // committee's, and not the closed circle, which the local committee may not know of.
    for rel in [Rel::Other, Rel::Closed] {
        assert!(matches!(
            store.set_order(None, publication, unit[&rel], 10).await,
            Err(store::StoreError::NotFound(_))
        ));
    }
    store.plan_edition(None, edition).await.unwrap();
    store
        .record_return(
            None,
            edition,
            &core_rules::paper::AgentReturn {
                unit: unit[&Rel::Own],
                received: 10,
                sold: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let report = store
        .submit_report(
            store::paper::Sender::Anonymous,
            &store::paper::NewReport {
                category: core_rules::paper::ReportCategory::Strike,
                unit_id: unit[&Rel::Own],
                happened_on: Day::today(),
                body: "A strike.".into(),
            },
        )
        .await
        .unwrap();

    let mut viewers = Vec::new();
    for role in Role::ALL {
        for state in STATES {
            let status = match state {
                State::Applicant => Status::Applicant,
                State::Lapsed => Status::Lapsed,
                _ => Status::Member,
            };
            let tag = format!("{}-{state:?}", role.code()).to_uppercase();
            let p = person(
                &store,
                unit[&Rel::Own],
                &format!("viewer {tag}"),
                status,
                &tag,
            )
            .await;
            let login = format!("v-{tag}").to_lowercase();
            let account = store
                .create_account(&login, "viewer password", Some(p), false, None)
                .await
                .unwrap();
            if role != Role::Member {
                let g = insert_grant(&store, account, unit[&Rel::Own], role).await;
                if state == State::Removed {
                    store.end_role(g, None).await.unwrap();
                }
            }
            viewers.push(Viewer {
                role,
                state,
                person: p,
                account,
            });
        }
    }
    // Reports under a party name, decided and assigned (see `Fixture::sender_report`).
    let named = |unit: i64, sender: i64, assignee: i64| {
        let store = store.clone();
        async move {
            let id = store
                .submit_report(
                    store::paper::Sender::Person {
                        person: sender,
                        account: 0,
                    },
                    &store::paper::NewReport {
                        category: core_rules::paper::ReportCategory::Police,
                        unit_id: unit,
                        happened_on: Day::today(),
                        body: "A raid.".into(),
                    },
                )
                .await
                .unwrap();
            store
                .triage_report(Some(assignee), id, core_rules::paper::Triage::Reject)
                .await
                .unwrap();
            id
        }
    };
    let mut sender_report = BTreeMap::new();
    for rel in [Rel::Same, Rel::Below, Rel::Other] {
        let id = named(unit[&rel], target[&Rel::Other], target_account[&rel]).await;
        sender_report.insert(rel, id);
    }
    let mut sender_report_of = BTreeMap::new();
    for v in &viewers {
        let own = named(unit[&Rel::Own], target[&Rel::Below], v.account).await;
        sender_report_of.insert((v.account, Rel::Own), own);
        let closed = named(unit[&Rel::Closed], target[&Rel::Closed], v.account).await;
        sender_report_of.insert((v.account, Rel::Closed), closed);
    }
    // A congress, written directly: convening needs members with a vote, which this fixture
    // does not make.
    let congress: i64 = store::sqlx::query_scalar(
        "INSERT INTO congresses (name, held_on, membership_on, rule, quorum_num, quorum_den, \
         motion_states, supporters_needed, created_at) VALUES ('CANARY-CONGRESS', '2030-01-01', \
         '2029-12-01', '{\"rule\":\"per_members\",\"per\":10,\"min\":1}', 1, 2, \
         'submitted,adopted,rejected', 0, 0) RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let motion = store
        .submit_motion(
            congress,
            "Draft statutes",
            "Line one.\nLine two.",
            true,
            None,
            None,
        )
        .await
        .unwrap();
    Fixture {
        app: App::on(store.clone(), Some(dir)).await,
        congress,
        motion,
        store,
        unit,
        unit_code,
        target,
        target_account,
        application,
        payment,
        grant,
        transfer,
        edition,
        article,
        report,
        sender_report,
        sender_report_of,
        publication,
        viewers,
    }
}

impl Fixture {
    async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        form: &[(&str, String)],
    ) -> Res {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header(header::HOST, "127.0.0.1:8080");
        if method == "GET" {
            return self.app.send(b.body(Body::empty()).unwrap()).await;
        }
        b = b
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin");
        if path == "/import" {
            let csrf = &form.iter().find(|(k, _)| *k == "csrf").unwrap().1;
            let body = format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\nnot,a,people,file\r\n--XyZ--\r\n"
            );
            b = b.header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ");
            return self.app.send(b.body(Body::from(body)).unwrap()).await;
        }
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.app.send(b.body(Body::from(body)).unwrap()).await
    }
}

/// The path with its object filled in for the relation, and the form to send: one that the
/// handler refuses for its content (so nothing changes) once access has let it through.
async fn concrete(
    fx: &Fixture,
    viewer: &Viewer,
    method: &str,
    path: &str,
    rel: Rel,
) -> (String, Vec<(&'static str, String)>) {
    let unit = fx.unit[&rel];
    let person = if rel == Rel::Own {
        viewer.person
    } else {
        fx.target[&rel]
    };
    let account = if rel == Rel::Own {
        viewer.account
    } else {
        fx.target_account[&rel]
    };
    let p = path
        .replace("/units/{id}", &format!("/units/{unit}"))
        .replace("/people/{id}", &format!("/people/{person}"))
        .replace(
            "/applications/{id}",
            &format!("/applications/{}", fx.application[&rel]),
        )
        .replace("/roles/{id}", &format!("/roles/{}", fx.grant[&rel]))
        .replace(
            "/transfers/{id}",
            &format!("/transfers/{}", fx.transfer[&rel]),
        )
        .replace("{payment}", &fx.payment[&rel].to_string())
        .replace("/accounts/{id}", &format!("/accounts/{account}"))
        .replace("{token}", &"0".repeat(64))
        .replace("/congresses/{id}", &format!("/congresses/{}", fx.congress))
        .replace("{motion}", &fx.motion.to_string())
        .replace(
            "/editor/editions/{id}",
            &format!("/editor/editions/{}", fx.edition),
        )
        .replace(
            "/editor/articles/{id}",
            &format!("/editor/articles/{}", fx.article),
        )
        .replace(
            "/editor/reports/{id}",
            &format!("/editor/reports/{}", fx.report),
        )
        .replace("{code}", "spark")
        .replace("{number}", "1");
    let p = if path == "/editor/reports/{id}/sender" {
        let id = match rel {
            Rel::Own | Rel::Closed => fx.sender_report_of[&(viewer.account, rel)],
            _ => fx.sender_report[&rel],
        };
        format!("/editor/reports/{id}/sender")
    } else {
        p
    };
    let form: Vec<(&'static str, String)> = match (method, path) {
        ("POST", "/login") => vec![("login", "nobody".into()), ("password", "x".into())],
        ("POST", "/units/{id}/export") => vec![("password", "not the password".into())],
        ("POST", "/account/sessions/end") => {
            // Another session of the object's account: only one's own may be ended.
            fx.app.session(account).await;
            let sessions = fx.store.sessions_of(account, "").await.unwrap();
            vec![("session", sessions[0].handle.clone())]
        }
        ("POST", "/admin/roles") => vec![
            ("login", "no-such-login".into()),
            ("role", "editor".into()),
            ("unit", fx.unit_code[&rel].clone()),
        ],
        ("POST", "/admin/accounts/{id}/suspend") => vec![("suspended", "0".into())],
        // Each refused for its content once let through: no title, no headline, no decision.
        ("POST", "/editor/editions") | ("POST", "/editor/articles") => {
            vec![("publication", fx.publication.to_string())]
        }
        _ => Vec::new(),
    };
    (p, form)
}

fn outcome(method: &str, path: &str, r: &Res) -> Expect {
    if r.status == StatusCode::NOT_FOUND {
        return Expect::Denied;
    }
    // An administrator naming a unit outside their reach is told it does not exist.
    if (method, path) == ("POST", "/admin/roles") && r.body.contains("there is no unit") {
        return Expect::Denied;
    }
    let to_login = r.location.as_deref() == Some("/login");
    if r.status == StatusCode::SEE_OTHER && to_login && !r.headers.contains_key(header::SET_COOKIE)
    {
        return Expect::Login;
    }
    Expect::Allowed
}

#[tokio::test]
async fn every_route_every_role_every_relation_every_state() {
    let fx = fixture().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for &(method, path) in web::ROUTES {
        assert!(
            expected(method, path, Role::Member, State::Member, Rel::Own).is_some(),
            "{method} {path} has no entry in the authorisation matrix: say who may use it"
        );
        for v in &fx.viewers {
            for rel in RELS {
                let want = expected(method, path, v.role, v.state, rel).unwrap();
                let User { cookie, csrf } = fx.app.session(v.account).await;
                if v.state == State::Suspended {
                    fx.store.set_suspended(v.account, true, None).await.unwrap();
                }
                let (p, mut form) = concrete(&fx, v, method, path, rel).await;
                form.push(("csrf", csrf));
                let r = fx.request(method, &p, &cookie, &form).await;
                let got = outcome(method, path, &r);
                checked += 1;
                if got != want {
                    failures.push(format!(
                        "{method} {path} as {} ({:?}) on {rel:?}: expected {want:?}, got {got:?} ({})",
                        v.role.code(),
                        v.state,
                        r.status
                    ));
                }
                // Put back anything an allowed request changed.
                if (method, path) == ("POST", "/admin/roles/{id}/end") && got == Expect::Allowed {
                    let g = fx.grant[&rel];
                    store::sqlx::query("UPDATE roles SET ended_at = NULL WHERE id = $1")
                        .bind(g)
                        .execute(fx.store.pool())
                        .await
                        .unwrap();
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} decisions disagree with the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn canaries_show_only_where_the_rules_allow() {
    let fx = fixture().await;
    let mut leaks = Vec::new();
    for v in &fx.viewers {
        if v.state == State::Suspended {
            continue;
        }
        let User { cookie, csrf } = fx.app.session(v.account).await;
        let mut pages = String::new();
        // Asking who sent each report with a named sender, as the viewer: only the one assigned
        // to them, and only to an editor (its sender is Below's member).
        for rel in RELS {
            let id = match rel {
                Rel::Own | Rel::Closed => fx.sender_report_of[&(v.account, rel)],
                _ => fx.sender_report[&rel],
            };
            let asked = fx
                .request(
                    "POST",
                    &format!("/editor/reports/{id}/sender"),
                    &cookie,
                    &[("csrf", csrf.clone())],
                )
                .await;
            pages.push_str(&asked.body);
        }
        let asks_own_sender = expected(
            "POST",
            "/editor/reports/{id}/sender",
            v.role,
            v.state,
            Rel::Own,
        ) == Some(Expect::Allowed);
        let mut paths = vec![
            "/".to_string(),
            "/units".into(),
            "/statutes".into(),
            "/account".into(),
            "/admin/roles".into(),
            format!("/people/{}", v.person),
            "/exposure".into(),
            "/exposure/meeting".into(),
            format!("/exposure/meeting?unit={}", fx.unit[&Rel::Own]),
        ];
        for rel in RELS {
            paths.push(format!("/units/{}", fx.unit[&rel]));
            // A search for every canary at once, from each unit: it lists only what the
            // unit's page would.
            paths.push(format!("/units/{}/search?q=CANARY", fx.unit[&rel]));
            if rel != Rel::Own {
                paths.push(format!("/people/{}", fx.target[&rel]));
                paths.push(format!("/exposure/people/{}", fx.target[&rel]));
            }
        }
        for p in &paths {
            pages.push_str(&fx.request("GET", p, &cookie, &[]).await.body);
        }
        for rel in [Rel::Same, Rel::Below, Rel::Other, Rel::Closed] {
            let tag = format!("{rel:?}").to_uppercase();
            // Below's member also sent the report assigned to the viewer.
            let names =
                sees_pseudonyms(v.role, v.state, rel) || (rel == Rel::Below && asks_own_sender);
            let identities = sees_identities(v.role, v.state, rel);
            let checks = [
                (format!("CANARY-PSEUDO-{tag}"), names),
                (format!("CANARY-NAME-{tag}"), identities),
                (format!("CANARY-ADDRESS-{tag}"), identities),
                (format!("CANARY-WORK-{tag}"), identities),
                // Applicants, and who they are: those who decide on them.
                (format!("CANARY-APPLICANT-{tag}"), identities),
                (format!("CANARY-NAME-APPLICANT-{tag}"), identities),
                // Someone asked into the unit: by party name to its secretary, who answers;
                // who they are, to nobody until they are the unit's.
                (format!("CANARY-MOVER-{tag}"), identities),
                (format!("CANARY-NAME-MOVER-{tag}"), false),
                (format!("CANARY-ADDRESS-MOVER-{tag}"), false),
            ];
            for (marker, allowed) in checks {
                if pages.contains(&marker) != allowed {
                    leaks.push(format!(
                        "{marker} {} to {} ({:?})",
                        if allowed { "missing" } else { "shown" },
                        v.role.code(),
                        v.state
                    ));
                }
            }
        }
        // The closed unit's name: nobody here belongs to it or sits on a body that the
        // statutes let see it.
        if pages.contains("CANARY-UNIT-hidden") {
            leaks.push(format!(
                "the closed unit shown to {} ({:?})",
                v.role.code(),
                v.state
            ));
        }
    }
    // The organisation's administrator sits at the top, on the central committee: figures of
    // the closed unit, no names anywhere.
    let admin = fx.store.account_by_login("admin").await.unwrap().unwrap();
    let User { cookie, .. } = fx.app.session(admin).await;
    let mut pages = fx.request("GET", "/units", &cookie, &[]).await.body;
    for rel in RELS {
        for p in [
            format!("/units/{}", fx.unit[&rel]),
            format!("/units/{}/search?q=CANARY", fx.unit[&rel]),
        ] {
            pages.push_str(&fx.request("GET", &p, &cookie, &[]).await.body);
        }
        if rel != Rel::Own {
            pages.push_str(
                &fx.request("GET", &format!("/people/{}", fx.target[&rel]), &cookie, &[])
                    .await
                    .body,
            );
        }
    }
    assert!(
        pages.contains("CANARY-UNIT-hidden"),
        "the top body sees the closed unit's figures"
    );
    assert!(
        !pages.contains("CANARY-PSEUDO"),
        "the administrator sees no names"
    );
    assert!(
        !pages.contains("CANARY-NAME"),
        "the administrator sees no identities"
    );
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// Exposure analysis asks the same rules: for every role in every state, what it counts as
/// exposed in each unit is what this file's matrix (the routes' and the canaries'
/// expectations) allows, and the whole-organisation computation agrees with the one-account one.
#[tokio::test]
async fn exposure_is_what_the_matrix_allows() {
    use access::exposure::{Index, KINDS};
    let fx = fixture().await;
    for v in &fx.viewers {
        if v.state == State::Suspended {
            fx.store.set_suspended(v.account, true, None).await.unwrap();
        }
    }
    let rules = fx.store.access_rules(Day::today()).await.unwrap();
    let ix = Index::new(fx.store.exposure_snapshot().await.unwrap(), rules);
    let kind = |name: &str| KINDS.iter().position(|k| k.name == name).unwrap();
    let mut wrong = Vec::new();
    for v in &fx.viewers {
        let subjects = ix.subjects_of_person(v.person);
        if v.state == State::Suspended {
            // A suspended account exposes nothing; the person counts as not yet invited.
            assert!(subjects.iter().all(|s| !s.has_account), "{:?}", v.state);
            continue;
        }
        assert_eq!(subjects.len(), 1);
        let (e, class) = ix.exposure_of(&subjects[0]);
        let editor = v.role == Role::Editor && v.state == State::Member;
        let editor_routes =
            |m: &str, p: &str| expected(m, p, v.role, v.state, Rel::Same) == Some(Expect::Allowed);
        for rel in [Rel::Same, Rel::Below, Rel::Other, Rel::Closed] {
            let u = ix.unit_ix[&fx.unit[&rel]] as u32;
            let bits = class
                .units
                .iter()
                .find(|(x, _)| *x == u)
                .map_or(0, |(_, b)| *b);
            let has = |k: &str| bits & (1 << kind(k)) != 0;
            let figures =
                expected("GET", "/units/{id}", v.role, v.state, rel) == Some(Expect::Allowed);
            for (what, got, want) in [
                (
                    "names",
                    has("people_by_pseudonym"),
                    sees_pseudonyms(v.role, v.state, rel),
                ),
                (
                    "identities",
                    has("people_by_identity"),
                    sees_identities(v.role, v.state, rel),
                ),
                (
                    "meetings",
                    has("meetings"),
                    sees_pseudonyms(v.role, v.state, rel),
                ),
                ("figures", has("units"), figures),
                ("bundles", has("bundles"), figures),
                // An editor edits the papers of their unit and of the units below (a closed one
                // only for the bodies the statutes name); on their unit's, the article routes.
                (
                    "articles",
                    has("articles"),
                    editor && matches!(rel, Rel::Same | Rel::Below),
                ),
                (
                    "articles (routes)",
                    rel != Rel::Same || has("articles"),
                    rel != Rel::Same || editor_routes("GET", "/editor/articles/{id}"),
                ),
                // An editor reads the reports about every unit they may know of: not a closed
                // one, for a local committee. On their unit's, the report's route.
                ("reports", has("reports"), editor && rel != Rel::Closed),
                (
                    "reports (routes)",
                    rel != Rel::Same || has("reports"),
                    rel != Rel::Same || editor_routes("POST", "/editor/reports/{id}"),
                ),
                (
                    "closed",
                    has("closed_units") && ix.closed_branch[u as usize],
                    figures && rel == Rel::Closed,
                ),
                // The transfers asked into a unit, with the people by party name: its
                // secretary, who answers them.
                (
                    "transfers",
                    has("transfer_requests"),
                    expected("POST", "/transfers/{id}/decide", v.role, v.state, rel)
                        == Some(Expect::Allowed),
                ),
            ] {
                if got != want {
                    wrong.push(format!(
                        "{what} of {rel:?} for {} ({:?}): exposure says {got}, the matrix {want}",
                        v.role.code(),
                        v.state
                    ));
                }
            }
        }
        // In counts: the viewer's own unit holds every viewer and one target; whoever may not
        // see its roster still learns their own pseudonym (and identity) from their page.
        let own_people = ix.unit_people.row(ix.unit_ix[&fx.unit[&Rel::Own]]).len() as u64;
        let names = if sees_pseudonyms(v.role, v.state, Rel::Same) {
            own_people
        } else {
            1
        };
        let identities = if sees_identities(v.role, v.state, Rel::Same) {
            own_people
        } else {
            1
        };
        // The sender of the report assigned to the viewer (Below's member, known from nothing
        // else), exposed where the matrix lets the viewer ask for it.
        let sender = u64::from(
            expected(
                "POST",
                "/editor/reports/{id}/sender",
                v.role,
                v.state,
                Rel::Own,
            ) == Some(Expect::Allowed),
        );
        // Someone of another unit asked into the viewer's: by party name to the secretary who
        // answers (the matrix's CANARY-MOVER), known from nothing else.
        let mover = u64::from(
            expected("POST", "/transfers/{id}/decide", v.role, v.state, Rel::Same)
                == Some(Expect::Allowed),
        );
        assert_eq!(
            e.count("people_by_pseudonym"),
            names + sender + mover,
            "{} {:?}",
            v.role.code(),
            v.state
        );
        assert_eq!(
            e.count("people_by_identity"),
            identities,
            "{} {:?}",
            v.role.code(),
            v.state
        );
        assert_eq!(
            e.people,
            names + sender + mover,
            "{} {:?}",
            v.role.code(),
            v.state
        );
        // Documents in counts: the own unit's paper has one draft (the published article is
        // public), one report on the desk, none used; the congress one motion, no amendment, its
        // minutes, seen by whoever may open their pages (nobody here takes part).
        let congress = |p: &str| {
            u64::from(expected("GET", p, v.role, v.state, Rel::Same) == Some(Expect::Allowed))
        };
        let want = [
            ("articles", u64::from(editor)),
            ("reports", u64::from(editor)),
            ("reports_in_articles", 0),
            ("transfer_requests", mover),
            ("motions", congress("/congresses/{id}/motions/{motion}")),
            ("amendments", 0),
            ("minutes", congress("/congresses/{id}/minutes")),
        ];
        for (kind, n) in want {
            if e.count(kind) != n {
                wrong.push(format!(
                    "{kind} for {} ({:?}): exposure counts {}, the matrix {n}",
                    v.role.code(),
                    v.state,
                    e.count(kind)
                ));
            }
        }
        assert_eq!(
            e.named_in_documents,
            sender + mover,
            "only the report assigned to an editor names its sender to them, and the transfers \
             waiting for a unit the people asked for to its secretary: {} {:?}",
            v.role.code(),
            v.state
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The whole organisation at once (rules asked per class, about candidate units only) gives
    // what asking about every unit for each account gives.
    let all = ix.everyone();
    let subjects = ix.subjects();
    assert_eq!(all.len(), subjects.len());
    for (e, s) in all.iter().zip(&subjects) {
        assert_eq!(e, &ix.exposure_of(s).0);
    }
}

/// What a probe's one variable field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Names {
    /// A person, by number.
    Person,
    /// A unit, by number.
    Unit,
    /// A unit, by its code.
    UnitCode,
}

/// A form that names one person or unit, with every other field filled in so that the named
/// object is what decides the answer.
struct Probe {
    path: String,
    /// The fixed fields of the form.
    fixed: Vec<(&'static str, String)>,
    /// The field that names the object, and what it names.
    field: &'static str,
    names: Names,
}

/// Refusals name nothing the viewer may not see (issue 17, finding 1). Every form that names a
/// person or a unit, posted as every role in every membership state with the number (or code)
/// of someone or something outside the viewer's reach, gets exactly what a number that belongs
/// to nothing gets: the same status and the same body. And no refusal of any of these forms,
/// whatever it names, carries a name from the database (no canary at all: a refusal is made of
/// fixed words and what the person typed).
///
/// One form is left out of the comparison on purpose: the central committee registers a
/// congress's participants by the person numbers their units report (README, "Who sees what"),
/// and a registered person is named at the congress by design. Its refusals are still checked
/// for canaries.
#[tokio::test]
async fn refusals_name_nothing_outside_reach() {
    let fx = fixture().await;
    let own = fx.unit[&Rel::Own];
    // Something to nominate in: the viewer's unit electing its delegate to the congress, and
    // an election at the congress itself.
    store::sqlx::query(
        "INSERT INTO congress_mandates (congress_id, unit_id, voting, mandates) VALUES ($1, $2, 1, 1)",
    )
    .bind(fx.congress)
    .bind(own)
    .execute(fx.store.pool())
    .await
    .unwrap();
    let delegate_election = fx
        .store
        .call_delegate_election(fx.congress, own, "scottish_stv", None)
        .await
        .unwrap();
    let election = fx
        .store
        .create_election(fx.congress, "Central Committee", 1, "scottish_stv", None)
        .await
        .unwrap();
    let today = Day::today().to_string();
    let month = today[..7].to_string();
    let probes = [
        Probe {
            path: format!("/units/{own}/meetings"),
            fixed: vec![("held_on", today.clone()), ("title", "A meeting".into())],
            field: "attendee",
            names: Names::Person,
        },
        Probe {
            path: format!("/units/{own}/payments"),
            fixed: vec![
                ("amount", "1.00".into()),
                ("period", month.clone()),
                ("paid_on", today.clone()),
            ],
            field: "person",
            names: Names::Person,
        },
        Probe {
            path: format!("/units/{own}/delegates"),
            fixed: vec![
                ("do", "nominate".into()),
                ("election", delegate_election.to_string()),
            ],
            field: "person",
            names: Names::Person,
        },
        Probe {
            path: format!("/units/{own}/paper/subscribers"),
            fixed: vec![
                ("publication", fx.publication.to_string()),
                ("copies", "1".into()),
            ],
            field: "person",
            names: Names::Person,
        },
        Probe {
            path: format!("/congresses/{}/presidium", fx.congress),
            fixed: vec![
                ("do", "nominate".into()),
                ("election", election.to_string()),
            ],
            field: "person",
            names: Names::Person,
        },
        Probe {
            path: format!("/people/{}/transfer", fx.target[&Rel::Same]),
            fixed: vec![("on", today.clone()), ("reason", "moving".into())],
            field: "unit",
            names: Names::Unit,
        },
        Probe {
            path: "/admin/roles".into(),
            fixed: vec![("login", "target-same".into()), ("role", "editor".into())],
            field: "unit",
            names: Names::UnitCode,
        },
        Probe {
            path: "/report".into(),
            fixed: vec![
                ("category", "strike".into()),
                ("happened_on", today.clone()),
                ("text", "A strike at the gate.".into()),
            ],
            field: "place",
            names: Names::UnitCode,
        },
    ];
    // Registered by person number, by design (see above): canaries only.
    let registration = Probe {
        path: format!("/congresses/{}/participants", fx.congress),
        fixed: vec![("kind", "delegate".into()), ("mandates", "1".into())],
        field: "person",
        names: Names::Person,
    };
    let missing = |names: Names| match names {
        Names::Person | Names::Unit => "9999999".to_string(),
        Names::UnitCode => "no-such-unit".to_string(),
    };
    let value = |names: Names, rel: Rel| match names {
        Names::Person => fx.target[&rel].to_string(),
        Names::Unit => fx.unit[&rel].to_string(),
        Names::UnitCode => fx.unit_code[&rel].clone(),
    };
    let mut failures = Vec::new();
    let mut compared = 0;
    for v in &fx.viewers {
        if v.state == State::Suspended {
            continue;
        }
        let User { cookie, csrf } = fx.app.session(v.account).await;
        let fx = &fx;
        let post = |p: &Probe, named: String| {
            let mut form = p.fixed.clone();
            form.push((p.field, named));
            form.push(("csrf", csrf.clone()));
            let path = p.path.clone();
            let cookie = cookie.clone();
            async move { fx.request("POST", &path, &cookie, &form).await }
        };
        for p in probes.iter().chain(std::iter::once(&registration)) {
            // Out of reach: people the viewer does not see by party name; units in a closed
            // branch that nobody in this matrix may know of.
            let outside: Vec<Rel> = [Rel::Same, Rel::Below, Rel::Other, Rel::Closed]
                .into_iter()
                .filter(|&rel| match p.names {
                    Names::Person => !sees_pseudonyms(v.role, v.state, rel),
                    Names::Unit | Names::UnitCode => rel == Rel::Closed,
                })
                .collect();
            let gone = missing(p.names);
            let baseline = post(p, gone.clone()).await;
            // A refusal may show back what was typed (quoted): that, and only that, may differ.
            let shape = |r: &Res, named: &str| {
                let quoted = format!("&quot;{named}&quot;");
                (r.status, r.body.replace(&quoted, "&quot;…&quot;"))
            };
            for rel in outside {
                let named = value(p.names, rel);
                let r = post(p, named.clone()).await;
                for res in [&r, &baseline] {
                    if res.status.is_client_error() && res.body.contains("CANARY") {
                        failures.push(format!(
                            "POST {} as {} ({:?}) naming {rel:?}: a {} refusal carries a canary: {}",
                            p.path,
                            v.role.code(),
                            v.state,
                            res.status,
                            res.body
                        ));
                    }
                }
                if std::ptr::eq(p, &registration) {
                    continue;
                }
                compared += 1;
                if shape(&r, &named) != shape(&baseline, &gone) {
                    failures.push(format!(
                        "POST {} as {} ({:?}): {} {:?} outside reach got {} but a missing one got {}:\n  {}\n  {}",
                        p.path,
                        v.role.code(),
                        v.state,
                        p.field,
                        rel,
                        r.status,
                        baseline.status,
                        excerpt(&r.body),
                        excerpt(&baseline.body)
                    ));
                }
            }
        }
    }
    assert!(compared > 0);
    assert!(
        failures.is_empty(),
        "{} of {compared} answers tell more than 'not found':\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The part of a page that says what happened: its first paragraph of error, or its start.
fn excerpt(body: &str) -> String {
    match body.find("class=\"error\"") {
        Some(at) => body[at..].chars().take(200).collect(),
        None => body.chars().take(120).collect(),
    }
}
