//! Accounts and sessions.

use super::*;

on_every_backend!(accounts_log_in_and_sessions_end);
async fn accounts_log_in_and_sessions_end(db: &TestDb) {
    let o = org(db).await;
    let vera = db
        .create_person(
            &person("Vera", o.docks1, Status::Member, 10, identity("", "")),
            None,
        )
        .await
        .unwrap();
    let id = db
        .create_account(
            "vera",
            "a long enough password",
            Some(vera),
            false,
            Some(o.admin),
        )
        .await
        .unwrap();
    let before = db.counts().await;
    for (login, password, words) in [
        ("vera", "another long password", "taken"),
        ("vera2", "short", "10 characters"),
        (
            "vera@example.org",
            "a long enough password",
            "not an email address",
        ),
        ("  ", "a long enough password", "1 to 64 characters"),
    ] {
        let e = db
            .create_account(login, password, None, false, None)
            .await
            .expect_err("a bad account should be refused");
        assert!(e.to_string().contains(words), "expected {words:?} in: {e}");
    }
    assert_eq!(db.counts().await, before);

    let a = db
        .check_login("vera", "a long enough password")
        .await
        .unwrap()
        .expect("the right password logs in");
    assert_eq!(
        (a.id, a.login.as_str(), a.person_id, a.is_admin),
        (id, "vera", Some(vera), false)
    );
    assert_eq!(
        db.check_login(" vera ", "a long enough password")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(id)
    );
    assert_eq!(
        db.check_login("vera", "a long enough passwore")
            .await
            .unwrap(),
        None
    );
    assert_eq!(db.check_login("vera", "").await.unwrap(), None);
    assert_eq!(
        db.check_login("nobody", "a long enough password")
            .await
            .unwrap(),
        None
    );

    let token = db.start_session(id).await.unwrap();
    assert!(token.len() >= 32, "a session token should be long: {token}");
    let s = db.session(&token).await.unwrap().expect("a live session");
    assert_eq!(s.account.id, id);
    assert!(!s.csrf.is_empty() && s.csrf != token);
    let other = db.start_session(id).await.unwrap();
    assert_ne!(other, token, "every session has a token of its own");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1 OR csrf = $1")
            .bind(&token)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0, "the token itself must not be stored");
    db.end_session(&token).await.unwrap();
    assert!(
        db.session(&token).await.unwrap().is_none(),
        "an ended session lives on"
    );
    assert!(
        db.session(&other).await.unwrap().is_some(),
        "ending one session ended another"
    );
    assert!(db.session("not a token").await.unwrap().is_none());

    // The stored hash is Argon2id with at least OWASP's minimum cost.
    let hash = db.password_hash("vera").await.unwrap().expect("a hash");
    let parsed = argon2::PasswordHash::new(&hash).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    let params = argon2::Params::try_from(&parsed).expect("Argon2 parameters");
    assert!(params.m_cost() >= 19_456, "memory {} KiB", params.m_cost());
    assert!(params.t_cost() >= 2, "passes {}", params.t_cost());
    assert!(!hash.contains("a long enough password"));
}
