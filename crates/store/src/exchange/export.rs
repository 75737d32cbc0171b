//! Exporting people as CSV, everyone or one unit's, recorded in the audit log.

use crate::{Result, Store, StoreError};
use core_rules::import::{format_money, COLUMNS};
use sqlx::Row;

impl Store {
    /// Writes everyone as CSV (see `write_people_csv`) and records the export in the audit log:
    /// `export.people` with the number of rows, or `failed=1` if writing failed part-way (what
    /// was written may have left all the same).
    pub async fn export_people<W: std::io::Write>(&self, out: W, by: Option<i64>) -> Result<u64> {
        let written = self.write_people_csv(out, None).await;
        let detail = match &written {
            Ok(n) => [("rows", crate::audit::Value::from(*n))],
            Err(_) => [("failed", crate::audit::Value::Int(1))],
        };
        let mut tx = self.write().await?;
        crate::audit::append(&mut tx, by, "export.people", None, &detail).await?;
        tx.commit().await?;
        written
    }

    /// One unit's people, with their identities, as CSV in the import's columns (a secretary's
    /// export). Recorded in the audit log (`export.unit`, with the count) once written, before
    /// the caller hands the file over.
    pub async fn export_unit<W: std::io::Write>(
        &self,
        unit: i64,
        out: W,
        by: Option<i64>,
    ) -> Result<u64> {
        let n = self.write_people_csv(out, Some(unit)).await?;
        let mut tx = self.write().await?;
        crate::audit::append(
            &mut tx,
            by,
            "export.unit",
            Some(("unit", unit)),
            &[("people", n.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Writes everyone (or one unit's people) as CSV in the import's columns, in the order they
    /// were recorded.
    async fn write_people_csv<W: std::io::Write>(&self, out: W, unit: Option<i64>) -> Result<u64> {
        use futures_util::TryStreamExt;
        let vault = self.vault()?;
        let mut w = csv::Writer::from_writer(out);
        let err = |e: csv::Error| StoreError::Internal(format!("writing CSV: {e}"));
        w.write_record(COLUMNS).map_err(err)?;
        let mut conn = self.pool().acquire().await?;
        let sql = format!(
            "SELECT p.id, p.card, p.pseudonym, u.code, p.status, p.admitted_on, p.programme_accepted, \
               p.monthly_income_cents, p.reduced_rate, i.key_version, i.legal_name, i.email, i.phone, \
               i.address, i.workplace, i.notes \
             FROM persons p JOIN units u ON u.id = p.unit_id LEFT JOIN identities i ON i.person_id = p.id \
             {} ORDER BY p.id",
            if unit.is_some() { "WHERE p.unit_id = $1" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        if let Some(u) = unit {
            q = q.bind(u);
        }
        let mut rows = q.fetch(&mut *conn);
        let mut n = 0;
        let yn = |b: i64| if b != 0 { "yes" } else { "no" };
        while let Some(r) = rows.try_next().await? {
            let s = |c: &str| -> Result<String> {
                Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default())
            };
            let income: Option<i64> = r.try_get("monthly_income_cents")?;
            let id: i64 = r.try_get("id")?;
            let who = match r.try_get::<Option<i64>, _>("key_version")? {
                Some(version) => {
                    let mut fields: [Option<Vec<u8>>; 6] = Default::default();
                    for (slot, f) in fields.iter_mut().zip(crate::vault::Field::ALL) {
                        *slot = r.try_get(f.column())?;
                    }
                    vault.open_identity(id, version, &fields)?
                }
                None => Default::default(),
            };
            w.write_record([
                s("card")?,
                s("pseudonym")?,
                s("code")?,
                s("status")?,
                s("admitted_on")?,
                yn(r.try_get("programme_accepted")?).to_string(),
                income.map(format_money).unwrap_or_default(),
                yn(r.try_get("reduced_rate")?).to_string(),
                who.legal_name,
                who.email,
                who.phone,
                who.address,
                who.workplace,
            ])
            .map_err(err)?;
            n += 1;
        }
        w.flush()
            .map_err(|e| StoreError::Internal(format!("writing CSV: {e}")))?;
        Ok(n)
    }
}
