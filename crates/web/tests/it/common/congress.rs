//! The congress stories' part of the harness: members who may vote at a congress.

use core_rules::people::{Identity, Status};
use core_rules::Day;
use store::people::NewPerson;
use store::Store;

/// The password of the accounts the congress stories make.
pub const PASSWORD: &str = "congress password 1";

/// Members with a vote: admitted 100 days ago, paid this month, at a meeting today.
pub async fn voters(store: &Store, unit: i64, prefix: &str, n: usize) -> Vec<i64> {
    let today = Day::today();
    let mut ids = Vec::new();
    for i in 0..n {
        let since = today.add_days(-100);
        let id = store
            .create_person(
                &NewPerson {
                    card: None,
                    pseudonym: format!("{prefix}{i}"),
                    unit_id: unit,
                    status: Status::Member,
                    since,
                    admitted_on: Some(since),
                    programme_accepted: true,
                    monthly_income_cents: Some(150_000),
                    reduced_rate: false,
                    identity: Identity {
                        legal_name: format!("SECRET-NAME-{prefix}{i}"),
                        ..Identity::default()
                    },
                },
                None,
            )
            .await
            .unwrap();
        store
            .record_payment(
                &store::dues::NewPayment {
                    person: id,
                    period: today.month(),
                    paid_on: today,
                    amount_cents: 500,
                    source: "treasurer",
                    reference: None,
                },
                None,
            )
            .await
            .unwrap();
        ids.push(id);
    }
    store
        .record_meeting(unit, today, "Circle meeting", &ids, None)
        .await
        .unwrap();
    ids
}
