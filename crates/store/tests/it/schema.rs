//! The two migration sets agree: after every migration, SQLite and PostgreSQL hold the same
//! tables, with the same columns (by name, in order, of the same kind of type, NULL or NOT NULL
//! alike), primary keys, foreign keys (with what a deletion does), unique constraints, and
//! indexes (by name, unique or not, on the same columns, partial or not). Each schema is read
//! from the database itself: SQLite's `sqlite_master` and its `pragma_*` functions,
//! PostgreSQL's `information_schema` and `pg_indexes`; never by reading the SQL files.
//!
//! Where they differ on purpose, the difference is listed in `INTENDED` with its reason. Needs
//! PostgreSQL (see `common`): outside CI, without `ISKRA_TEST_POSTGRES_URL`, it says so and
//! checks nothing.

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};
use store::sqlx::{self, Row};
use store::Store;

/// Differences between the backends that are meant: (table, column, what differs), and why.
const INTENDED: &[(&str, &str, &str, &str)] = &[
    // SQLite lets a primary-key column hold NULL unless it is declared NOT NULL, or is the
    // rowid (`INTEGER PRIMARY KEY`), or its table is `WITHOUT ROWID`: a quirk SQLite keeps for
    // compatibility. PostgreSQL's primary keys are never NULL. The store never writes a NULL
    // key, and adding NOT NULL on SQLite means rebuilding each table.
    (
        "unit_kinds",
        "code",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
    (
        "sessions",
        "token_hash",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
    (
        "statutes",
        "version",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
    ("vault", "id", "nullable primary key", SQLITE_NULLABLE_KEY),
    (
        "audit_log",
        "seq",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
    (
        "chores",
        "name",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
    (
        "dues_reversals",
        "payment_id",
        "nullable primary key",
        SQLITE_NULLABLE_KEY,
    ),
];

const SQLITE_NULLABLE_KEY: &str =
    "SQLite lets this primary key hold NULL (it is declared without NOT NULL and is not the \
     rowid); PostgreSQL never does";

/// A column's type, as far as the two backends can be compared: SQLite's INTEGER and BIGINT and
/// PostgreSQL's integer and bigint are all 64-bit integers to the store (sqlx's `Any` reads
/// them as `i64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Integer,
    Text,
    Bytes,
    Other,
}

fn kind(declared: &str) -> Kind {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int" | "smallint" => Kind::Integer,
        "text" => Kind::Text,
        "blob" | "bytea" => Kind::Bytes,
        _ => Kind::Other,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Column {
    name: String,
    kind: Kind,
    /// The declared type, for the message when kinds differ.
    declared: String,
    not_null: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Index {
    unique: bool,
    columns: Vec<String>,
    partial: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// (column, referenced table, referenced column, on delete).
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// The columns of each unique constraint (their names differ by backend).
    unique: BTreeSet<Vec<String>>,
    /// Indexes made by CREATE INDEX, by name (not those behind a key or a constraint).
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

async fn strings(store: &Store, sql: &str, bind: Option<&str>) -> Vec<Vec<String>> {
    let mut q = sqlx::query(sql);
    if let Some(b) = bind {
        q = q.bind(b.to_string());
    }
    q.fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .unwrap_or_else(|e| panic!("{sql}, column {i}: {e}"))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// The schema as SQLite holds it. Every number is read as text, so that one reader serves.
async fn sqlite_schema(store: &Store) -> Schema {
    let mut schema = Schema::new();
    let tables = strings(
        store,
        "SELECT name, CASE WHEN sql LIKE '%WITHOUT ROWID%' THEN '1' ELSE '0' END FROM sqlite_master \
         WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND name <> '_sqlx_migrations' ORDER BY name",
        None,
    )
    .await;
    for t in tables {
        let (name, without_rowid) = (&t[0], t[1] == "1");
        let mut table = Table::default();
        let cols = strings(
            store,
            "SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk AS TEXT) \
             FROM pragma_table_info($1) ORDER BY cid",
            Some(name),
        )
        .await;
        let mut key: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let pk: i64 = c[3].parse().unwrap();
            if pk > 0 {
                key.push((pk, c[0].clone()));
            }
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        let rowid_alias = |c: &Vec<String>| {
            !without_rowid
                && table.primary_key == [c[0].clone()]
                && c[1].eq_ignore_ascii_case("integer")
        };
        for c in &cols {
            // The rowid, or a key of a WITHOUT ROWID table: SQLite never stores NULL there,
            // whatever the declaration says.
            let never_null = rowid_alias(c) || (without_rowid && c[3] != "0");
            table.columns.push(Column {
                name: c[0].clone(),
                kind: kind(&c[1]),
                declared: c[1].clone(),
                not_null: c[2] == "1" || never_null,
            });
        }
        for f in strings(
            store,
            "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list($1)",
            Some(name),
        )
        .await
        {
            table
                .foreign_keys
                .insert((f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()));
        }
        for i in strings(
            store,
            "SELECT name, CAST(\"unique\" AS TEXT), origin, CAST(partial AS TEXT) \
             FROM pragma_index_list($1)",
            Some(name),
        )
        .await
        {
            let columns: Vec<String> = strings(
                store,
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                Some(&i[0]),
            )
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
            match i[2].as_str() {
                "c" => {
                    table.indexes.insert(
                        i[0].clone(),
                        Index {
                            unique: i[1] == "1",
                            columns,
                            partial: i[3] == "1",
                        },
                    );
                }
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {} // the primary key's own index
            }
        }
        schema.insert(name.clone(), table);
    }
    schema
}

/// The schema as PostgreSQL holds it.
async fn postgres_schema(store: &Store) -> Schema {
    let mut schema = Schema::new();
    let tables = strings(
        store,
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
        None,
    )
    .await;
    for t in tables {
        let name = &t[0];
        let mut table = Table::default();
        for c in strings(
            store,
            "SELECT column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 \
             ORDER BY ordinal_position",
            Some(name),
        )
        .await
        {
            table.columns.push(Column {
                name: c[0].clone(),
                kind: kind(&c[1]),
                declared: c[1].clone(),
                not_null: c[2] == "NO",
            });
        }
        table.primary_key = strings(
            store,
            "SELECT kcu.column_name::text FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu \
               ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
             WHERE tc.table_schema = 'public' AND tc.table_name = $1 \
               AND tc.constraint_type = 'PRIMARY KEY' ORDER BY kcu.ordinal_position",
            Some(name),
        )
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        for f in strings(
            store,
            "SELECT kcu.column_name::text, rku.table_name::text, rku.column_name::text, \
               rc.delete_rule::text \
             FROM information_schema.referential_constraints rc \
             JOIN information_schema.key_column_usage kcu \
               ON kcu.constraint_name = rc.constraint_name \
              AND kcu.constraint_schema = rc.constraint_schema \
             JOIN information_schema.key_column_usage rku \
               ON rku.constraint_name = rc.unique_constraint_name \
              AND rku.constraint_schema = rc.unique_constraint_schema \
              AND rku.ordinal_position = kcu.position_in_unique_constraint \
             WHERE rc.constraint_schema = 'public' AND kcu.table_name = $1",
            Some(name),
        )
        .await
        {
            table
                .foreign_keys
                .insert((f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()));
        }
        let mut unique: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for u in strings(
            store,
            "SELECT tc.constraint_name::text, kcu.column_name::text \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu \
               ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
             WHERE tc.table_schema = 'public' AND tc.table_name = $1 \
               AND tc.constraint_type = 'UNIQUE' ORDER BY 1, kcu.ordinal_position",
            Some(name),
        )
        .await
        {
            unique.entry(u[0].clone()).or_default().push(u[1].clone());
        }
        table.unique = unique.into_values().collect();
        // The indexes behind a key or a unique constraint carry the constraint's name.
        for i in strings(
            store,
            "SELECT indexname::text, indexdef FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename = $1 \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            Some(name),
        )
        .await
        {
            table
                .indexes
                .insert(i[0].clone(), index_of_definition(&i[1]));
        }
        schema.insert(name.clone(), table);
    }
    schema
}

/// An index from PostgreSQL's own definition of it, e.g.
/// `CREATE UNIQUE INDEX x ON public.t USING btree (a, b COLLATE "C") WHERE (c IS NOT NULL)`.
fn index_of_definition(def: &str) -> Index {
    let open = def
        .find(" USING ")
        .and_then(|u| def[u..].find('(').map(|p| u + p))
        .unwrap_or_else(|| panic!("an index definition without columns: {def}"));
    let mut depth = 0;
    let mut close = open;
    for (i, ch) in def[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let columns = def[open + 1..close]
        .split(',')
        .map(|c| {
            // The column's name, without a collation or an order.
            let c = c.trim();
            c.split_whitespace()
                .next()
                .unwrap_or(c)
                .trim_matches('"')
                .to_string()
        })
        .collect();
    Index {
        unique: def.starts_with("CREATE UNIQUE INDEX"),
        columns,
        partial: def[close..].contains(" WHERE "),
    }
}

/// Every difference between the two schemas, in words, less the intended ones.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let intended = |table: &str, column: &str, what: &str| {
        INTENDED
            .iter()
            .any(|(t, c, w, _)| *t == table && *c == column && *w == what)
    };
    for name in sqlite
        .keys()
        .chain(postgres.keys())
        .collect::<BTreeSet<_>>()
    {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("{name}: a table on SQLite only"));
                continue;
            }
            (None, _) => {
                out.push(format!("{name}: a table on PostgreSQL only"));
                continue;
            }
        };
        let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if names(s) != names(p) {
            out.push(format!(
                "{name}: columns differ: SQLite {:?}, PostgreSQL {:?}",
                names(s),
                names(p)
            ));
        }
        for (a, b) in s
            .columns
            .iter()
            .zip(&p.columns)
            .filter(|(a, b)| a.name == b.name)
        {
            if a.kind != b.kind || a.kind == Kind::Other {
                out.push(format!(
                    "{name}.{}: type {} on SQLite, {} on PostgreSQL",
                    a.name, a.declared, b.declared
                ));
            }
            if a.not_null != b.not_null {
                let what = if s.primary_key.contains(&a.name) {
                    "nullable primary key"
                } else {
                    "nullable"
                };
                if !intended(name, &a.name, what) {
                    out.push(format!(
                        "{name}.{}: NOT NULL {} on SQLite, {} on PostgreSQL",
                        a.name, a.not_null, b.not_null
                    ));
                }
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key {:?} on SQLite, {:?} on PostgreSQL",
                s.primary_key, p.primary_key
            ));
        }
        for f in s.foreign_keys.symmetric_difference(&p.foreign_keys) {
            let on = if s.foreign_keys.contains(f) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!(
                "{name}: foreign key {}.{} -> {}.{} (on delete {}) on {on} only",
                name, f.0, f.1, f.2, f.3
            ));
        }
        for u in s.unique.symmetric_difference(&p.unique) {
            let on = if s.unique.contains(u) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!("{name}: UNIQUE {u:?} on {on} only"));
        }
        for i in s
            .indexes
            .keys()
            .chain(p.indexes.keys())
            .collect::<BTreeSet<_>>()
        {
            match (s.indexes.get(i), p.indexes.get(i)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => out.push(format!(
                    "{name}: index {i}: {a:?} on SQLite, {b:?} on PostgreSQL"
                )),
            }
        }
    }
    // An intended difference that no longer is one should leave the list.
    for (t, c, what, _) in INTENDED {
        let s = sqlite
            .get(*t)
            .and_then(|t| t.columns.iter().find(|x| x.name == *c));
        let p = postgres
            .get(*t)
            .and_then(|t| t.columns.iter().find(|x| x.name == *c));
        let still = match (*what, s, p) {
            ("nullable primary key", Some(s), Some(p)) => s.not_null != p.not_null,
            _ => false,
        };
        if !still {
            out.push(format!(
                "{t}.{c}: listed as an intended difference ({what}), but the backends agree (or \
                 it is gone): take it off INTENDED"
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_migration_sets_make_the_same_schema() {
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("note: the migration sets are compared only with PostgreSQL (see common)");
        return;
    };
    let lite = TestDb::sqlite().await;
    let sqlite = sqlite_schema(&lite).await;
    let postgres = postgres_schema(&pg).await;
    // Read, not empty: the store's own tables are there on both.
    for s in [&sqlite, &postgres] {
        assert!(s.len() > 40, "{} tables", s.len());
        let persons = &s["persons"];
        assert_eq!(persons.primary_key, ["id"]);
        assert!(persons.indexes.len() > 1, "{:?}", persons.indexes);
        assert!(!persons.foreign_keys.is_empty());
    }
    let diff = differences(&sqlite, &postgres);
    assert!(
        diff.is_empty(),
        "the migration sets disagree:\n{}",
        diff.join("\n")
    );
}

#[test]
fn a_difference_is_named() {
    let column = |name: &str, kind: Kind, not_null: bool| Column {
        name: name.into(),
        kind,
        declared: format!("{kind:?}"),
        not_null,
    };
    let table = |columns: Vec<Column>| Table {
        columns,
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let mut sqlite = Schema::new();
    let mut postgres = Schema::new();
    sqlite.insert(
        "t".into(),
        table(vec![
            column("id", Kind::Integer, true),
            column("a", Kind::Text, true),
        ]),
    );
    postgres.insert(
        "t".into(),
        table(vec![
            column("id", Kind::Integer, true),
            column("a", Kind::Bytes, false),
        ]),
    );
    postgres.insert("u".into(), Table::default());
    postgres.get_mut("t").unwrap().indexes.insert(
        "t_a".into(),
        index_of_definition("CREATE INDEX t_a ON public.t USING btree (a COLLATE \"C\")"),
    );
    let d = differences(&sqlite, &postgres);
    let said = |s: &str| d.iter().any(|x| x.contains(s));
    assert!(
        said("t.a: type Text on SQLite, Bytes on PostgreSQL"),
        "{d:?}"
    );
    assert!(
        said("t.a: NOT NULL true on SQLite, false on PostgreSQL"),
        "{d:?}"
    );
    assert!(said("u: a table on PostgreSQL only"), "{d:?}");
    assert!(said("index t_a: None on SQLite"), "{d:?}");
    assert_eq!(
        index_of_definition(
            "CREATE UNIQUE INDEX x ON public.t USING btree (a, b DESC) WHERE (c IS NOT NULL)"
        ),
        Index {
            unique: true,
            columns: vec!["a".into(), "b".into()],
            partial: true
        }
    );
}
