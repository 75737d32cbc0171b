//! The hot lists use indexes on both backends.

use super::exchange::import;
use super::*;

enum Bind {
    Int(i64),
    Text(String),
}

/// The planner's account of a query, line by line, with the store's own SQL and arguments.
/// On PostgreSQL sequential scans are switched off for this one transaction: on a table this
/// small a scan is cheaper, and the question is whether an index *can* serve the query.
async fn explain(db: &TestDb, sql: &str, binds: &[Bind]) -> Vec<String> {
    let mut tx = db.pool().begin().await.unwrap();
    let text = match db.backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => {
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap();
            format!("EXPLAIN {sql}")
        }
    };
    let mut q = sqlx::query(&text);
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(t) => q.bind(t.clone()),
        };
    }
    let rows = q.fetch_all(&mut *tx).await.unwrap();
    let lines = rows
        .iter()
        .map(|r| match db.backend {
            Backend::Sqlite => r.get::<String, _>("detail"),
            Backend::Postgres => r.get::<String, _>(0),
        })
        .collect();
    tx.rollback().await.unwrap();
    lines
}

/// Whether the plan reads `persons` through an index and never scans it whole.
fn persons_by_index(backend: Backend, lines: &[String]) -> bool {
    match backend {
        Backend::Sqlite => {
            // "SEARCH p USING INDEX persons_by_unit_pseudonym (unit_id=? ...)"; older SQLite
            // writes "SEARCH TABLE persons AS p USING ...".
            let on_persons = |l: &String, verb: &str| {
                let mut words = l.split_whitespace().filter(|w| *w != "TABLE");
                words.next() == Some(verb) && matches!(words.next(), Some("p" | "persons"))
            };
            !lines.iter().any(|l| on_persons(l, "SCAN"))
                && lines
                    .iter()
                    .any(|l| on_persons(l, "SEARCH") && l.contains("INDEX"))
        }
        Backend::Postgres => {
            !lines.iter().any(|l| l.contains("Seq Scan on persons"))
                && lines.iter().any(|l| {
                    ((l.contains("Index Scan") || l.contains("Index Only Scan"))
                        && l.contains(" on persons"))
                        || l.contains("Bitmap Index Scan on persons_")
                })
        }
    }
}

on_every_backend!(the_unit_list_and_the_branch_search_use_indexes);
async fn the_unit_list_and_the_branch_search_use_indexes(db: &TestDb) {
    let o = org(db).await;
    // Twenty thousand people spread over the units, through the ordinary import: enough that
    // SQLite's import builds the secondary indexes after the rows, which must leave them all as
    // they were (and used, below).
    let indexes = |db: &'_ TestDb| {
        let pool = db.pool().clone();
        async move {
            let mut v: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ('persons', 'identities') ORDER BY name",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            v.sort();
            v
        }
    };
    let before = if db.backend == Backend::Sqlite {
        indexes(db).await
    } else {
        Vec::new()
    };
    let units = [
        "docks-1", "docks-2", "docks", "north", "south", "women", "union",
    ];
    let prefixes = ["Ma", "Ka", "Ve", "Ro", "Bo", "Li", "Sa", "Yu"];
    let mut csv = String::from("pseudonym,unit,status\n");
    for i in 0..20_000 {
        csv += &format!(
            "{}{i:05},{},supporter\n",
            prefixes[i % prefixes.len()],
            units[i % units.len()]
        );
    }
    import(db, csv.as_bytes(), "many.csv").await.unwrap();
    if db.backend == Backend::Sqlite {
        let after = indexes(db).await;
        assert_eq!(
            after, before,
            "the import put back every index it set aside"
        );
        assert!(after.iter().any(|(n, _)| n == "persons_by_unit_pseudonym"));
    }
    // Planner statistics as a running organisation would have them.
    sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    let (circle, region) = (o.docks1, o.north);

    let lines = explain(db, store::people::PEOPLE_OF_UNIT_SQL, &[Bind::Int(circle)]).await;
    assert!(
        persons_by_index(db.backend, &lines),
        "a unit's people list should read persons through an index:\n{}",
        lines.join("\n")
    );
    let lines = explain(
        db,
        store::people::SEARCH_BRANCH_SQL,
        &[
            Bind::Int(region),
            Bind::Text("Ma".into()),
            Bind::Text("Ma\u{10ffff}".into()),
            Bind::Int(20),
        ],
    )
    .await;
    assert!(
        persons_by_index(db.backend, &lines),
        "the branch search should read persons through an index:\n{}",
        lines.join("\n")
    );
    // And the constants are what the store runs: the search finds what the plan was for.
    let found = db.search_branch(region, "Ma", 20).await.unwrap();
    assert_eq!(found.len(), 20);
    assert!(found.iter().all(|p| p.pseudonym.starts_with("Ma")));

    // The officer's search with every option on (whole branch, members only, a closed branch
    // left out) reads persons through the index too.
    let sql = store::people::search_people_sql(true, true, 2);
    let lines = explain(
        db,
        &sql,
        &[
            Bind::Int(region),
            Bind::Text("Ma".into()),
            Bind::Text("Ma\u{10ffff}".into()),
            Bind::Int(50),
            Bind::Int(circle),
            Bind::Int(o.docks2),
        ],
    )
    .await;
    assert!(
        persons_by_index(db.backend, &lines),
        "the officer's branch search should read persons through an index:\n{}",
        lines.join("\n")
    );
}

on_every_backend!(a_branch_search_finds_what_the_viewer_may_see_and_nothing_else);
async fn a_branch_search_finds_what_the_viewer_may_see_and_nothing_else(db: &TestDb) {
    use store::people::BranchSearch;
    let o = org(db).await;
    let by = Some(o.admin);
    let mut ids = std::collections::HashMap::new();
    for (name, unit, status) in [
        ("Marat", o.north, Status::Member),
        ("Martov", o.docks, Status::Member),
        ("Maria", o.docks1, Status::Member),
        ("Makar", o.docks2, Status::Applicant),
        ("mayakovsky", o.docks2, Status::Member),
        ("Mandelstam", o.south, Status::Member),
        ("Lenin", o.docks1, Status::Member),
    ] {
        let id = db
            .create_person(
                &person(
                    name,
                    unit,
                    status,
                    30,
                    core_rules::people::Identity::default(),
                ),
                by,
            )
            .await
            .unwrap();
        ids.insert(name, id);
    }
    let names = |found: Vec<store::people::Person>| -> Vec<String> {
        found.into_iter().map(|p| p.pseudonym).collect()
    };
    let search = |prefix: &'static str, below: bool, members_only: bool, hidden: Vec<i64>| async move {
        db.search_people(&BranchSearch {
            top: o.north,
            prefix,
            below,
            members_only,
            hidden: &hidden,
            limit: 50,
        })
        .await
        .unwrap()
    };
    // The whole branch, either case of the first letter, in order; never another branch.
    assert_eq!(
        names(search("ma", true, false, vec![]).await),
        ["Makar", "Marat", "Maria", "Martov", "mayakovsky"]
    );
    assert_eq!(
        names(search("Ma", true, false, vec![]).await),
        ["Makar", "Marat", "Maria", "Martov", "mayakovsky"]
    );
    // The top unit only.
    assert_eq!(names(search("Ma", false, false, vec![]).await), ["Marat"]);
    // Members only: the applicant is left out.
    assert_eq!(
        names(search("Ma", true, true, vec![]).await),
        ["Marat", "Maria", "Martov", "mayakovsky"]
    );
    // A hidden circle's people are left out.
    assert_eq!(
        names(search("Ma", true, false, vec![o.docks2]).await),
        ["Marat", "Maria", "Martov"]
    );
    // A longer prefix narrows; the limit holds; an empty prefix finds nobody.
    assert_eq!(names(search("Mart", true, false, vec![]).await), ["Martov"]);
    let two = db
        .search_people(&BranchSearch {
            top: o.north,
            prefix: "Ma",
            below: true,
            members_only: false,
            hidden: &[],
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(names(two), ["Makar", "Marat"]);
    assert!(search("  ", true, false, vec![]).await.is_empty());
    // Characters that mean something in SQL patterns are only characters here.
    assert!(search("%", true, false, vec![]).await.is_empty());
    assert!(search("_a", true, false, vec![]).await.is_empty());
}
