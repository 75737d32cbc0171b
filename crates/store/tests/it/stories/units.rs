//! The unit tree.

use super::*;

on_every_backend!(units_form_a_tree);
async fn units_form_a_tree(db: &TestDb) {
    let o = org(db).await;
    assert_eq!(
        codes(&db.chain(o.docks1).await.unwrap()),
        ["docks-1", "docks", "north", "cc"],
        "chain() should list the unit and those above it, nearest first"
    );
    assert_eq!(codes(&db.chain(o.cc).await.unwrap()), ["cc"]);
    assert_eq!(
        codes(&db.children(o.docks).await.unwrap()),
        ["docks-1", "docks-2"]
    );
    // All four are of level 1, so by name.
    assert_eq!(
        codes(&db.children(o.cc).await.unwrap()),
        ["union", "north", "south", "women"]
    );
    assert!(db.children(o.docks1).await.unwrap().is_empty());

    for (unit, ancestor, within) in [
        (o.docks1, o.docks1, true),
        (o.docks1, o.docks, true),
        (o.docks1, o.north, true),
        (o.docks1, o.cc, true),
        (o.north, o.docks1, false),
        (o.docks1, o.docks2, false),
        (o.docks1, o.south, false),
        (o.women, o.north, false),
    ] {
        assert_eq!(
            db.is_within(unit, ancestor).await.unwrap(),
            within,
            "is_within({unit}, {ancestor})"
        );
    }
    let sub = |v: Vec<i64>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        sub(db.subtree(o.north).await.unwrap()),
        sub(vec![o.north, o.docks, o.docks1, o.docks2])
    );
    assert_eq!(
        sub(db.subtree(o.docks1).await.unwrap()),
        sub(vec![o.docks1])
    );
    assert_eq!(db.subtree(o.cc).await.unwrap().len(), 8);

    let all = db.units().await.unwrap();
    assert_eq!(all.len(), 8);
    for (i, u) in all.iter().enumerate() {
        if let Some(p) = u.parent_id {
            let at = all.iter().position(|x| x.id == p).expect("parent listed");
            assert!(at < i, "units() listed {} before its parent", u.code);
        }
    }
    let d1 = db.unit(o.docks1).await.unwrap().unwrap();
    assert_eq!(
        (
            d1.kind.as_str(),
            d1.kind_name.as_str(),
            d1.level,
            d1.parent_id
        ),
        ("circle", "Circle", 3, Some(o.docks))
    );
    assert_eq!(db.unit_by_code("docks-1").await.unwrap(), Some(d1));
    assert_eq!(db.unit_by_code("nowhere").await.unwrap(), None);

    // Refusals write nothing: no unit, no closure rows.
    let before = db.counts().await;
    for (bad, words) in [
        (
            new_unit("docks-3", "Docks Circle 3", "circle", Some("nowhere")),
            "no parent unit \"nowhere\"",
        ),
        (
            new_unit("docks-1", "Another circle", "circle", Some("docks")),
            "\"docks-1\" already exists",
        ),
        (
            new_unit("docks-3", "Docks Cell 3", "cell", Some("docks")),
            "no unit kind \"cell\"",
        ),
        (
            new_unit("Docks 3", "Docks Circle 3", "circle", Some("docks")),
            "not a usable unit code",
        ),
        (
            new_unit("docks-3", "  ", "circle", Some("docks")),
            "needs a name",
        ),
    ] {
        let e = db
            .create_unit(&bad, None)
            .await
            .expect_err(&format!("{bad:?} should be refused"));
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.counts().await, before, "a refused unit left rows behind");

    // An organisation's own words for its bodies; the code, which statutes use, stays.
    db.rename_kind("circle", "Cell", "Cells", Some(o.admin))
        .await
        .unwrap();
    let circle = db
        .unit_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "circle")
        .expect("the kind keeps its code");
    assert_eq!(
        (circle.name.as_str(), circle.plural.as_str()),
        ("Cell", "Cells")
    );
    let d1 = db.unit(o.docks1).await.unwrap().unwrap();
    assert_eq!(
        (d1.kind.as_str(), d1.kind_name.as_str()),
        ("circle", "Cell")
    );
    let e = db.rename_kind("cell", "X", "Xs", None).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");

    // A new unit joins the closure table under its whole chain.
    let d3 = db
        .create_unit(
            &new_unit("docks-3", "Docks Circle 3", "circle", Some("docks")),
            Some(o.admin),
        )
        .await
        .unwrap();
    assert!(db.is_within(d3, o.cc).await.unwrap());
    assert!(db.subtree(o.north).await.unwrap().contains(&d3));
}
