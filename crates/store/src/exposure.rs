//! What exposure analysis reads: the whole organisation's structure in a few scans, with no
//! names and no identities (people by number, unit and status; accounts and their offices;
//! meetings and who attended them).

use crate::roles::Grant;
use crate::units::Unit;
use crate::{Result, Store, StoreError};
use core_rules::people::Status;
use core_rules::Day;
use futures_util::TryStreamExt;
use sqlx::Row;

/// A person as exposure analysis sees them: no pseudonym, no identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub unit_id: i64,
    pub status: Status,
    pub admitted_on: Option<Day>,
}

/// An account that can sign in (suspended accounts are left out: they expose nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub is_admin: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub unit_id: i64,
    pub held_on: Day,
}

/// The organisation's structure, read at one moment.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub units: Vec<Unit>,
    /// Sorted by id.
    pub people: Vec<PersonRow>,
    pub accounts: Vec<AccountRow>,
    /// Offices held now.
    pub grants: Vec<Grant>,
    pub meetings: Vec<MeetingRow>,
    /// `(meeting id, person id)`.
    pub attendance: Vec<(i64, i64)>,
    /// `(unit id, bundles of the paper it has received)`, for units with any.
    pub bundles: Vec<(i64, i64)>,
}

fn day(s: &str) -> Result<Day> {
    Day::parse(s).map_err(|e| StoreError::Invalid(format!("a stored date {s:?}: {e}")))
}

impl Store {
    /// Reads everything exposure analysis needs, in one scan of each table.
    pub async fn exposure_snapshot(&self) -> Result<Snapshot> {
        let units = self.units().await?;
        let mut people = Vec::new();
        let mut rows =
            sqlx::query("SELECT id, unit_id, status, admitted_on FROM persons ORDER BY id")
                .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            let status: String = r.try_get("status")?;
            let admitted: Option<String> = r.try_get("admitted_on")?;
            people.push(PersonRow {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                status: Status::parse(&status)
                    .ok_or_else(|| StoreError::Invalid(format!("unknown status {status:?}")))?,
                admitted_on: admitted.as_deref().map(day).transpose()?,
            });
        }
        drop(rows);
        let accounts = sqlx::query(
            "SELECT id, person_id, is_admin FROM accounts WHERE suspended = 0 ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AccountRow {
                id: r.try_get("id")?,
                person_id: r.try_get("person_id")?,
                is_admin: r.try_get::<i64, _>("is_admin")? != 0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let grants = self.grants().await?;
        let mut meetings = Vec::new();
        let mut rows =
            sqlx::query("SELECT id, unit_id, held_on FROM meetings ORDER BY id").fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            let held: String = r.try_get("held_on")?;
            meetings.push(MeetingRow {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                held_on: day(&held)?,
            });
        }
        drop(rows);
        let mut attendance = Vec::new();
        let mut rows =
            sqlx::query("SELECT meeting_id, person_id FROM attendance").fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            attendance.push((r.try_get(0)?, r.try_get(1)?));
        }
        drop(rows);
        let bundles: Vec<(i64, i64)> =
            sqlx::query("SELECT unit_id, COUNT(*) AS n FROM bundles GROUP BY unit_id")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok((r.try_get("unit_id")?, r.try_get("n")?)))
                .collect::<Result<_>>()?;
        Ok(Snapshot {
            units,
            people,
            accounts,
            grants,
            meetings,
            attendance,
            bundles,
        })
    }

    /// The pseudonyms of some people, by id (for the few a page names).
    pub async fn pseudonyms_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, pseudonym FROM persons WHERE id IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                out.insert(r.try_get("id")?, r.try_get("pseudonym")?);
            }
        }
        Ok(out)
    }
}
