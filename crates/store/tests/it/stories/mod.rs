//! What users rely on the store for, told as stories. Each story is written once and runs on
//! every backend (see `common`): SQLite always, PostgreSQL when `ISKRA_TEST_POSTGRES_URL` is set
//! (required under CI). One module per subject. `cargo test -p store --test it stories::`
//! runs them; `... stories::dues` one subject; `... postgres` only the PostgreSQL half, `... sqlite`
//! only the SQLite half.

mod accounts;
mod admission;
mod audit;
mod backups;
mod closed_units;
mod congress;
mod dues;
mod evaluation;
mod exchange;
mod exposure;
mod indexes;
mod invitations;
mod live;
mod meetings;
mod organisation;
mod people;
mod statutes;
mod transfers;
mod units;
mod vault;

use crate::common::*;
use core_rules::dues::Share;
use core_rules::people::Status;
use core_rules::statutes::{evaluate, Formula, Statutes};
use core_rules::Day;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};
use store::admission::Decision;
use store::dues::NewPayment;
use store::evaluation::UnitCounts;
use store::people::NewPerson;
use store::sqlx::{self, Column, Row};
use store::{Backend, StoreError};

fn rows_of(e: &StoreError) -> Vec<(u64, String)> {
    match e {
        StoreError::Rows(rows) => rows.iter().map(|r| (r.line, r.column.clone())).collect(),
        other => panic!("expected a refusal listing rows, got: {other}"),
    }
}

fn codes(units: &[store::units::Unit]) -> Vec<String> {
    units.iter().map(|u| u.code.clone()).collect()
}

fn payment(person: i64, paid_on: Day, amount_cents: i64) -> NewPayment {
    NewPayment {
        person,
        period: paid_on.month(),
        paid_on,
        amount_cents,
        source: "treasurer",
        reference: None,
    }
}
