//! Invitations: a one-time link by which a member opens their own account.

use super::*;

on_every_backend!(two_acceptances_of_one_link_open_one_account);
async fn two_acceptances_of_one_link_open_one_account(db: &TestDb) {
    use store::invitations::INVITATION_UNUSABLE;
    let o = org(db).await;
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let inv = db.invite(vera, Some(o.admin)).await.unwrap();
    let accounts = db.count("accounts").await;
    // The same link opened twice at once (a double click, or the link in two hands), with
    // different login names, so that the only thing to stop the second is the link itself.
    let (a, b) = tokio::join!(
        db.accept_invitation(&inv.token, "vera-one", "a long enough password"),
        db.accept_invitation(&inv.token, "vera-two", "a long enough password"),
    );
    let won = [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(won, 1, "exactly one acceptance wins: {a:?} {b:?}");
    let lost = if a.is_ok() { b } else { a };
    assert_eq!(lost.unwrap_err().to_string(), INVITATION_UNUSABLE);
    assert_eq!(db.count("accounts").await, accounts + 1);
    assert!(db.account_of_person(vera).await.unwrap().is_some());
}

on_every_backend!(a_member_is_invited_once_to_an_account);
async fn a_member_is_invited_once_to_an_account(db: &TestDb) {
    use store::invitations::INVITATION_UNUSABLE;
    let o = org(db).await;
    let new = |name: &'static str, status| async move {
        db.create_person(&person(name, o.docks1, status, 10, identity("", "")), None)
            .await
            .unwrap()
    };
    let vera = new("Vera", Status::Member).await;
    let ivan = new("Ivan", Status::Applicant).await;
    let olga = new("Olga", Status::Member).await;
    db.create_account("olga", "a long enough password", Some(olga), false, None)
        .await
        .unwrap();

    // Only an admitted member without an account can be invited.
    let e = db.invite(ivan, Some(o.admin)).await.unwrap_err();
    assert!(
        e.to_string().contains("only an admitted member") && e.to_string().contains("applicant"),
        "{e}"
    );
    let e = db.invite(olga, Some(o.admin)).await.unwrap_err();
    // A refusal names nobody: the secretary knows whom they asked about.
    assert!(e.to_string().contains("already has an account"), "{e}");
    assert!(!e.to_string().contains("Olga"), "{e}");
    assert!(matches!(
        db.invite(999_999, Some(o.admin)).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(db.count("invitations").await, 0);

    // A new invitation replaces an unused one.
    let first = db.invite(vera, Some(o.admin)).await.unwrap();
    assert_eq!(first.token.len(), 64);
    let second = db.invite(vera, Some(o.admin)).await.unwrap();
    assert_ne!(first.token, second.token);
    assert_eq!(db.count("invitations").await, 1, "the first was replaced");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE token_hash = $1")
        .bind(&second.token)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "the token itself must not be stored");
    assert!(db.invitation(&first.token).await.unwrap().is_none());
    let open = db
        .invitation(&second.token)
        .await
        .unwrap()
        .expect("the newest invitation is open");
    assert_eq!((open.person_id, open.pseudonym.as_str()), (vera, "Vera"));
    let week = store::invitations::INVITATION_DAYS * 24 * 3600;
    assert!((open.expires_at - second.expires_at).abs() < 5);

    // A bad login or password is refused by name and leaves the invitation usable.
    let accounts = db.count("accounts").await;
    for (login, password, words) in [
        (
            "vera@example.org",
            "a long enough password",
            "not an email address",
        ),
        ("vera", "short", "10 characters"),
        ("olga", "a long enough password", "taken"),
    ] {
        let e = db
            .accept_invitation(&second.token, login, password)
            .await
            .unwrap_err();
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.count("accounts").await, accounts);
    assert!(db.invitation(&second.token).await.unwrap().is_some());

    let id = db
        .accept_invitation(&second.token, "vera", "a long enough password")
        .await
        .unwrap();
    let a = db
        .check_login("vera", "a long enough password")
        .await
        .unwrap()
        .expect("the invitee logs in");
    assert_eq!((a.id, a.person_id, a.is_admin), (id, Some(vera), false));
    assert_eq!(db.account_of_person(vera).await.unwrap(), Some(id));
    let e = db.invite(vera, Some(o.admin)).await.unwrap_err();
    assert!(e.to_string().contains("already has an account"), "{e}");

    // Expired, and a member who is no longer one: the link stops working.
    let yuri = new("Yuri", Status::Member).await;
    let expired = db.invite(yuri, Some(o.admin)).await.unwrap();
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE person_id = $2")
        .bind(expired.expires_at - week - 1)
        .bind(yuri)
        .execute(db.pool())
        .await
        .unwrap();
    let zoya = new("Zoya", Status::Member).await;
    let lapsed = db.invite(zoya, Some(o.admin)).await.unwrap();
    db.set_status(zoya, Status::Lapsed, today(), "stopped paying", None)
        .await
        .unwrap();

    // Every way a link cannot be used gets the same words, and writes nothing.
    let accounts = db.count("accounts").await;
    for (token, login) in [
        (second.token.as_str(), "vera2"),
        (first.token.as_str(), "vera3"),
        (expired.token.as_str(), "yuri"),
        (lapsed.token.as_str(), "zoya"),
        ("0123456789abcdef", "nobody"),
    ] {
        let e = db
            .accept_invitation(token, login, "a long enough password")
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), INVITATION_UNUSABLE, "{login}");
        assert!(db.invitation(token).await.unwrap().is_none(), "{login}");
    }
    assert_eq!(db.count("accounts").await, accounts);
}
