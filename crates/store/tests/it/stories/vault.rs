//! Identities encrypted at rest (crates/store/src/vault.rs).

use super::exchange::{export, import, people_csv};
use super::*;

fn full_identity(name: &str, email: &str, phone: &str) -> core_rules::people::Identity {
    core_rules::people::Identity {
        legal_name: name.into(),
        email: email.into(),
        phone: phone.into(),
        address: format!("{name}'s house, 1 Quay Street"),
        workplace: "Harbour Board".into(),
        notes: format!("{name} met us at the gate"),
    }
}

async fn raw_identity(db: &store::Store, person: i64, column: &str) -> Option<Vec<u8>> {
    sqlx::query_scalar(&format!(
        "SELECT {column} FROM identities WHERE person_id = $1"
    ))
    .bind(person)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn set_raw(db: &store::Store, person: i64, column: &str, value: Option<Vec<u8>>) {
    sqlx::query(&format!(
        "UPDATE identities SET {column} = $1 WHERE person_id = $2"
    ))
    .bind(value)
    .bind(person)
    .execute(db.pool())
    .await
    .unwrap();
}

fn other_key() -> store::vault::KeySource {
    store::vault::KeySource::Key(store::vault::MasterKey::from_bytes([0x33; 32]))
}

on_every_backend!(identities_are_sealed_and_open_only_in_their_place);
async fn identities_are_sealed_and_open_only_in_their_place(db: &TestDb) {
    let o = org(db).await;
    let vera_who = full_identity("Vera Zasulich", "Vera.Z@example.org", "+44 141 496 0101");
    let rosa_who = full_identity("Rosa Luxemburg", "rosa@example.org", "");
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, vera_who.clone()),
            None,
        )
        .await
        .unwrap();
    let rosa = db
        .create_person(
            &person("Rosa", o.docks2, Status::Member, 10, rosa_who.clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(db.identity(vera).await.unwrap(), vera_who);
    assert_eq!(db.identity(rosa).await.unwrap(), rosa_who);

    // Stored sealed: no field in the clear, the blind index is not the email, an empty field
    // is NULL.
    for column in [
        "legal_name",
        "email",
        "phone",
        "address",
        "workplace",
        "notes",
    ] {
        let raw = raw_identity(db, vera, column).await.unwrap();
        for needle in ["Vera", "vera", "496", "Quay", "Harbour", "gate"] {
            assert!(
                !raw.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{column} shows {needle}"
            );
        }
    }
    let key = raw_identity(db, vera, "email_key").await.unwrap();
    assert_eq!(key.len(), store::vault::BLIND_LEN);
    assert_eq!(raw_identity(db, rosa, "phone").await, None);
    assert_eq!(raw_identity(db, rosa, "phone_key").await, None);

    // A ciphertext moved to another person's row, or to another column, does not open.
    let vera_name = raw_identity(db, vera, "legal_name").await;
    let rosa_name = raw_identity(db, rosa, "legal_name").await;
    set_raw(db, vera, "legal_name", rosa_name.clone()).await;
    let e = db
        .identity(vera)
        .await
        .expect_err("a moved ciphertext opened");
    assert!(e.to_string().contains("does not open"), "{e}");
    set_raw(db, vera, "legal_name", vera_name.clone()).await;
    let vera_email = raw_identity(db, vera, "email").await;
    let vera_address = raw_identity(db, vera, "address").await;
    set_raw(db, vera, "address", vera_email).await;
    assert!(db.identity(vera).await.is_err());
    set_raw(db, vera, "address", vera_address).await;
    assert_eq!(db.identity(vera).await.unwrap(), vera_who);

    // The blind index finds the same email or phone, however written.
    let e = db
        .create_person(
            &person(
                "Again",
                o.south,
                Status::Supporter,
                1,
                identity(" VERA.z@EXAMPLE.org", ""),
            ),
            None,
        )
        .await
        .expect_err("the same email twice");
    assert!(e.to_string().contains("already recorded"), "{e}");
    let e = db
        .create_person(
            &person(
                "Again",
                o.south,
                Status::Supporter,
                1,
                identity("", "0044 141 496 0101"),
            ),
            None,
        )
        .await
        .expect_err("the same phone twice");
    assert!(e.to_string().contains("already recorded"), "{e}");

    // Updating an identity re-seals it, and history says only that it changed.
    let mut moved = vera_who.clone();
    moved.address = "2 Dock Road".into();
    db.set_identity(vera, &moved, today(), Some(o.admin))
        .await
        .unwrap();
    assert_eq!(db.identity(vera).await.unwrap(), moved);
    let h = db.history(vera).await.unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        (last.change.as_str(), &last.from_value, &last.to_value),
        ("identity", &None, &None)
    );

    // Without a key nothing identifying is read or written; with another key the database
    // refuses at once.
    let locked = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap();
    assert!(matches!(
        locked.identity(vera).await,
        Err(StoreError::Locked)
    ));
    assert!(matches!(
        locked
            .create_person(
                &person("Locked", o.south, Status::Supporter, 1, identity("", "")),
                None
            )
            .await,
        Err(StoreError::Locked)
    ));
    let e = locked
        .clone()
        .unlock(&other_key())
        .await
        .expect_err("another key must be refused");
    assert!(
        e.to_string()
            .contains("the key does not open this database's identities"),
        "{e}"
    );
    locked.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_file_others_may_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let key = dir.path().join("iskra.key");
    store::vault::create_key_file(&key).unwrap();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("data").join("iskra.db"));
    let store = store::Store::open(&url, store::Create::IfMissing)
        .await
        .unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = store
        .clone()
        .unlock(&store::vault::KeySource::File(key.clone()))
        .await
        .expect_err("a 0644 key file must be refused");
    assert!(e.to_string().contains("mode 0644"), "{e}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = store
        .unlock(&store::vault::KeySource::File(key))
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn a_passphrase_opens_identities_through_the_salt_in_the_database() {
    let dir = TempDir::new();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("iskra.db"));
    let pass = |p: &str| store::vault::KeySource::Passphrase(p.to_string().into());
    let s = store::Store::open(&url, store::Create::IfMissing)
        .await
        .unwrap()
        .unlock(&pass("a long enough passphrase"))
        .await
        .unwrap();
    store::init_organisation(&s, "Test Party", "CC", ADMIN, ADMIN_PASSWORD, today())
        .await
        .unwrap();
    let cc = s.unit_by_code("cc").await.unwrap().unwrap().id;
    let who = full_identity("Nadezhda", "n@example.org", "");
    let id = s
        .create_person(
            &person("Nadya", cc, Status::Supporter, 1, who.clone()),
            None,
        )
        .await
        .unwrap();
    s.close().await;
    let open = |k: store::vault::KeySource| {
        let url = url.clone();
        async move {
            store::Store::open(&url, store::Create::Never)
                .await
                .unwrap()
                .unlock(&k)
                .await
        }
    };
    let again = open(pass("a long enough passphrase")).await.unwrap();
    assert_eq!(again.identity(id).await.unwrap(), who);
    again.close().await;
    let e = open(pass("another long passphrase")).await.unwrap_err();
    assert!(e.to_string().contains("does not open"), "{e}");
    assert!(open(test_key()).await.is_err());
}

on_every_backend!(rotating_the_key_re_encrypts_every_identity);
async fn rotating_the_key_re_encrypts_every_identity(db: &TestDb) {
    let o = org(db).await;
    import(db, people_csv().as_bytes(), "people.csv")
        .await
        .unwrap();
    let who = full_identity("Vera Zasulich", "vera@example.org", "+44 141 496 0101");
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, who.clone()),
            None,
        )
        .await
        .unwrap();
    let before = export(db).await;
    let e = db
        .rotate_key(&test_key(), &mut |_, _| {})
        .await
        .expect_err("rotating to the same key");
    assert!(e.to_string().contains("new key"), "{e}");

    let mut seen = Vec::new();
    let n = db
        .rotate_key(&other_key(), &mut |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(n, 7);
    assert_eq!(seen.last(), Some(&(7, 7)));
    // The store still holding the old key no longer opens identities.
    assert!(db.identity(vera).await.is_err());

    let e = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap()
        .unlock(&test_key())
        .await
        .expect_err("the old key must be refused after rotation");
    assert!(
        e.to_string()
            .contains("the key does not open this database's identities"),
        "{e}"
    );
    let rotated = store::Store::open(db.url(), store::Create::Never)
        .await
        .unwrap()
        .unlock(&other_key())
        .await
        .unwrap();
    assert_eq!(rotated.identity(vera).await.unwrap(), who);
    let mut after = Vec::new();
    rotated.export_people(&mut after, None).await.unwrap();
    assert_eq!(String::from_utf8(after).unwrap(), before);
    // The blind indexes moved too: the same file finds everyone, and a bank line finds its
    // payer by email and by phone.
    let csv = people_csv();
    let r = rotated
        .import_people(|| Ok(csv.as_bytes()), "again.csv", None, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((r.created, r.unchanged), (0, 6));
    let bank = format!(
        "date,amount,reference,payer\n{d},5.00,R-1,ANN@example.org\n{d},5.00,R-2,0044 141 496 0101\n",
        d = days_ago(1)
    );
    let r = rotated
        .import_bank_csv(bank.as_bytes(), None)
        .await
        .unwrap();
    assert_eq!(r.recorded, 2);
    rotated.close().await;
}

#[tokio::test]
async fn a_database_with_identities_in_plain_text_is_refused_not_migrated() {
    // A database as the foundation left it: migrations 1 and 2, a plaintext identity.
    let dir = TempDir::new();
    let url = store::DatabaseUrl::Sqlite(dir.path().join("iskra.db"));
    let s = open_unlocked(&url, store::Create::IfMissing).await.unwrap();
    for sql in [
        "PRAGMA foreign_keys = OFF",
        "DELETE FROM _sqlx_migrations WHERE version = 3",
        "DROP TABLE vault",
        "DROP TABLE identities",
        "CREATE TABLE identities (person_id BIGINT PRIMARY KEY, legal_name TEXT NOT NULL DEFAULT '', \
         email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '', \
         workplace TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '', email_key TEXT, phone_key TEXT)",
        "INSERT INTO identities (person_id, legal_name) VALUES (1, 'Vera Zasulich')",
    ] {
        let mut conn = s.pool().acquire().await.unwrap();
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    s.close().await;
    let e = store::Store::open(&url, store::Create::Never)
        .await
        .expect_err("plaintext identities must not be dropped by a migration");
    assert!(e.to_string().contains("in plain text"), "{e}");
    let s = store::Store::open(&url, store::Create::Never).await;
    assert!(s.is_err());
}

on_every_backend!(a_units_identities_open_at_once);
async fn a_units_identities_open_at_once(db: &TestDb) {
    org(db).await;
    let mut csv = core_rules::import::COLUMNS.join(",");
    csv.push('\n');
    for i in 0..500 {
        csv.push_str(&format!(
            ",P{i:03},docks-1,supporter,,no,,no,Name {i},p{i}@example.org,+44 141 496 {i:04},{i} Quay Street,Yard {i}\n"
        ));
    }
    import(db, csv.as_bytes(), "unit.csv").await.unwrap();
    let docks1 = db.unit_by_code("docks-1").await.unwrap().unwrap().id;
    let ids: Vec<i64> = db
        .people_of_unit(docks1)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids.len(), 500);
    let all = db.identities(&ids).await.unwrap();
    assert_eq!(all.len(), 500);
    assert_eq!(all[&ids[7]].email, "p7@example.org");
    assert_eq!(all[&ids[7]].address, "7 Quay Street");
    for id in &ids {
        assert_eq!(all[id], db.identity(*id).await.unwrap());
    }
    // The secretary's roster: name, email and phone of the unit's people, nothing more opened.
    let contacts = db.roster_contacts(docks1).await.unwrap();
    assert_eq!(contacts.len(), 500);
    for id in &ids {
        let (c, full) = (&contacts[id], &all[id]);
        assert_eq!(
            (&c.legal_name, &c.email, &c.phone),
            (&full.legal_name, &full.email, &full.phone)
        );
        assert!(c.address.is_empty() && c.workplace.is_empty() && c.notes.is_empty());
    }
    // How fast is measured in the benchmarks (BENCHMARKS.md), not here.
}
