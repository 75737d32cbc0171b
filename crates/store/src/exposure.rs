//! What exposure analysis reads: the whole organisation's structure in a few scans, with no
//! names and no identities (people by number, unit and status; accounts and their offices;
//! meetings and who attended them; documents counted where they are kept, with the people they
//! name by number, the transfers waiting for a unit's answer among them). The types are
//! `core_rules::exposure::snapshot`'s, so that the analysis (the `access` crate) reads them
//! without the store.

use crate::{Result, Store, StoreError};
use core_rules::exposure::{Csr, IdIndex};
use core_rules::people::Status;
use core_rules::Day;
use futures_util::TryStreamExt;
use sqlx::Row;

pub use core_rules::exposure::snapshot::{
    AccountRow, CongressRow, GrantRow, MeetingRow, PersonRow, Snapshot,
};

fn day(s: &str) -> Result<Day> {
    Day::parse(s).map_err(|e| StoreError::Internal(format!("a stored date {s:?}: {e}")))
}

impl Store {
    /// Reads everything exposure analysis needs, in one scan of each table.
    pub async fn exposure_snapshot(&self) -> Result<Snapshot> {
        let units = self.units().await?;
        let people = self.exposure_people().await?;
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
        let grants = self
            .grants()
            .await?
            .into_iter()
            .map(|g| GrantRow {
                account_id: g.account_id,
                role: g.role,
                unit_id: g.unit_id,
                unit_kind: g.unit_kind,
            })
            .collect();
        let meetings = self.exposure_meetings().await?;
        let attendance = self.exposure_attendance(&people, &meetings).await?;
        let bundles: Vec<(i64, i64)> =
            sqlx::query("SELECT unit_id, COUNT(*) AS n FROM bundles GROUP BY unit_id")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok((r.try_get("unit_id")?, r.try_get("n")?)))
                .collect::<Result<_>>()?;
        let articles = self.id_pairs(
            "SELECT p.unit_id, COUNT(*) FROM articles a JOIN publications p ON p.id = a.publication_id \
             WHERE a.state <> 'published' GROUP BY p.unit_id",
        )
        .await?;
        let desk_reports = self.id_pairs(
            "SELECT unit_id, COUNT(*) FROM reports WHERE status IN ('new', 'accepted') GROUP BY unit_id",
        )
        .await?;
        let reports_in_articles = self
            .id_pairs(
                "SELECT p.unit_id, COUNT(*) FROM reports r JOIN articles a ON a.id = r.article_id \
             JOIN publications p ON p.id = a.publication_id GROUP BY p.unit_id",
            )
            .await?;
        let report_senders = self.exposure_report_senders().await?;
        let transfers_waiting = self.id_pairs(
            "SELECT to_unit, person_id FROM transfer_requests WHERE decision IS NULL ORDER BY id",
        )
        .await?;
        let congresses = sqlx::query(
            "SELECT c.id, \
               (SELECT COUNT(*) FROM congress_motions m WHERE m.congress_id = c.id) AS motions, \
               (SELECT COUNT(*) FROM congress_amendments a JOIN congress_motions m \
                  ON m.id = a.motion_id WHERE m.congress_id = c.id) AS amendments \
             FROM congresses c ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CongressRow {
                id: r.try_get("id")?,
                motions: r.try_get("motions")?,
                amendments: r.try_get("amendments")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let participants = self.exposure_participants().await?;
        Ok(Snapshot {
            units,
            people,
            accounts,
            grants,
            meetings,
            attendance,
            bundles,
            articles,
            desk_reports,
            report_senders,
            reports_in_articles,
            transfers_waiting,
            congresses,
            participants,
        })
    }

    /// People by number, unit and status, sorted by id.
    async fn exposure_people(&self) -> Result<Vec<PersonRow>> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(self.pool())
            .await?;
        let mut people = Vec::with_capacity(n.max(0) as usize);
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
                    .ok_or_else(|| StoreError::Internal(format!("unknown status {status:?}")))?,
                admitted_on: admitted.as_deref().map(day).transpose()?,
            });
        }
        drop(rows);
        Ok(people)
    }

    /// Meetings, sorted by id.
    async fn exposure_meetings(&self) -> Result<Vec<MeetingRow>> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meetings")
            .fetch_one(self.pool())
            .await?;
        let mut meetings = Vec::with_capacity(n.max(0) as usize);
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
        Ok(meetings)
    }

    /// Who attended each meeting (see `Snapshot::attendance`).
    async fn exposure_attendance(
        &self,
        people: &[PersonRow],
        meetings: &[MeetingRow],
    ) -> Result<Csr> {
        // Attendance runs to millions of rows (six million at a million people). Row by row
        // through the driver that took half a minute; one row per meeting with its attendees
        // joined in a string takes a few seconds (the aggregate has a different name on each
        // backend, the only difference). Meetings come in the order of `meetings` (by id),
        // those nobody attended with an empty row; the items are sized once.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attendance")
            .fetch_one(self.pool())
            .await?;
        let person_at = IdIndex::new(people.iter().map(|p: &PersonRow| p.id));
        let meeting_at = IdIndex::new(meetings.iter().map(|m: &MeetingRow| m.id));
        let mut attendance = Csr::with_capacity(meetings.len(), n.max(0) as usize);
        let sql = match self.backend() {
            crate::Backend::Sqlite => {
                "SELECT meeting_id, group_concat(person_id) FROM attendance \
                 GROUP BY meeting_id ORDER BY meeting_id"
            }
            crate::Backend::Postgres => {
                "SELECT meeting_id, string_agg(person_id::text, ',') FROM attendance \
                 GROUP BY meeting_id ORDER BY meeting_id"
            }
        };
        let mut rows = sqlx::query(sql).fetch(self.pool());
        let mut attendees: Vec<u32> = Vec::new();
        while let Some(r) = rows.try_next().await? {
            let meeting: i64 = r.try_get(0)?;
            let people: String = r.try_get(1)?;
            // A meeting that is not in the list (none: the key holds) is left out.
            let Some(m) = meeting_at.get(meeting) else {
                continue;
            };
            if (m as usize) < attendance.rows() {
                return Err(StoreError::Internal(format!(
                    "attendance of meeting {meeting} out of order"
                )));
            }
            while attendance.rows() < m as usize {
                attendance.push_row([]);
            }
            attendees.clear();
            for p in people.split(',') {
                let person = p.trim().parse::<i64>().map_err(|e| {
                    StoreError::Internal(format!("attendance of meeting {meeting}: {p:?}: {e}"))
                })?;
                if let Some(i) = person_at.get(person) {
                    attendees.push(i);
                }
            }
            attendance.push_row(attendees.iter().copied());
        }
        drop(rows);
        drop((person_at, meeting_at));
        while attendance.rows() < meetings.len() {
            attendance.push_row([]);
        }
        Ok(attendance)
    }

    /// The senders that reports still name (see `Snapshot::report_senders`).
    async fn exposure_report_senders(&self) -> Result<Vec<(i64, i64, i64)>> {
        // Senders and participants can run to hundreds of thousands: streamed. The senders are
        // read from the index of those still kept, as `report_sender` would show them today.
        let today = self.today();
        let keep = self.correspondence_on(today).await?.sender_kept_days;
        let through = core_rules::paper::reports::cleared_through(today, keep);
        let mut report_senders = Vec::new();
        let mut rows = sqlx::query(
            "SELECT DISTINCT assigned_to, unit_id, sender_person_id FROM reports \
             WHERE sender_person_id IS NOT NULL AND assigned_to IS NOT NULL \
             AND (decided_on IS NULL OR decided_on > $1)",
        )
        .bind(through.to_string())
        .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            report_senders.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
        drop(rows);
        Ok(report_senders)
    }

    /// Who takes part in which congress.
    async fn exposure_participants(&self) -> Result<Vec<(i64, i64)>> {
        let mut participants = Vec::new();
        let mut rows =
            sqlx::query("SELECT congress_id, person_id FROM congress_participants ORDER BY id")
                .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            participants.push((r.try_get(0)?, r.try_get(1)?));
        }
        drop(rows);
        Ok(participants)
    }

    /// Pairs of ids, as `sql` selects them.
    async fn id_pairs(&self, sql: &'static str) -> Result<Vec<(i64, i64)>> {
        sqlx::query(sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<Vec<(i64, i64)>>>()
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
