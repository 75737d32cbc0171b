//! Live signals reach every server of the same database.

use super::*;

on_every_backend!(a_signal_announced_on_one_server_reaches_the_subscribers_of_another);
async fn a_signal_announced_on_one_server_reaches_the_subscribers_of_another(db: &TestDb) {
    use std::time::Duration;
    // A second server on the same database: on PostgreSQL its own store and connections; an
    // SQLite database is one server's, and its signals stay in that server.
    let other = match db.backend {
        Backend::Postgres => store::Store::open(db.url(), store::Create::Never)
            .await
            .expect("a second server opens the same database"),
        Backend::Sqlite => db.store.clone(),
    };
    let mut here = db.listen_live().await.unwrap();
    let mut there = other.listen_live().await.unwrap();
    db.announce("congress", "3 vote.open").await.unwrap();
    for rx in [&mut here, &mut there] {
        let s = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the signal arrives within seconds")
            .unwrap();
        assert_eq!(
            (s.topic.as_str(), s.detail.as_str()),
            ("congress", "3 vote.open")
        );
    }
    // The other way round, and in order.
    other.announce("congress", "3 vote.close").await.unwrap();
    other.announce("congress", "3 speaker").await.unwrap();
    for want in ["3 vote.close", "3 speaker"] {
        let s = tokio::time::timeout(Duration::from_secs(10), here.recv())
            .await
            .expect("the signal arrives within seconds")
            .unwrap();
        assert_eq!(s.detail, want);
    }
    // Signals carry ids and fixed words: free text is refused, and nothing is sent.
    for bad in ["Maria Petrova's vote", "line\nbreak", "", &"x".repeat(201)] {
        let e = db.announce("congress", bad).await.unwrap_err();
        assert!(e.to_string().contains("live signal"), "{e}");
    }
    assert!(matches!(
        here.try_recv(),
        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
    ));
}
