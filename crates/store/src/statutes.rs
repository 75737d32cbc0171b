//! Versions of the statutes, each taking effect on its date.

use crate::{now, Result, Store, StoreError};
use core_rules::statutes::{in_force, Statutes, StatutesVersion};
use core_rules::units::UnitKind;
use core_rules::Day;
use core_rules::Refusal;
use sqlx::{Any, Row, Transaction};

pub(crate) async fn insert_version(
    tx: &mut Transaction<'_, Any>,
    kinds: &[UnitKind],
    rules: &Statutes,
    adopted_on: Day,
    effective_from: Day,
    adopted_by: &str,
) -> Result<i64> {
    rules.validate(kinds)?;
    if adopted_by.trim().is_empty() {
        return Err(Refusal::on("adopted_by", "statutes are adopted by a body; name it").into());
    }
    if effective_from < adopted_on {
        return Err(Refusal::on(
            "effective",
            "statutes adopted on {} cannot take effect earlier, on {}",
        )
        .arg(adopted_on)
        .arg(effective_from)
        .into());
    }
    let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM statutes")
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO statutes (version, effective_from, adopted_on, adopted_by, rules, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(version)
    .bind(effective_from.to_string())
    .bind(adopted_on.to_string())
    .bind(adopted_by.trim())
    .bind(rules.to_json())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

impl Store {
    /// Records a new version of the statutes, adopted by a body, taking effect on a date.
    pub async fn adopt_statutes(
        &self,
        rules: &Statutes,
        adopted_on: Day,
        effective_from: Day,
        adopted_by: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        core_rules::text::ADOPTED_BY.check(adopted_by)?;
        let kinds = self.unit_kinds().await?;
        let mut tx = self.write().await?;
        let v = insert_version(
            &mut tx,
            &kinds,
            rules,
            adopted_on,
            effective_from,
            adopted_by,
        )
        .await?;
        crate::audit::append(&mut tx, by, "statutes.adopt", Some(("statutes", v)), &[]).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// What the statutes in force on `day` say about the reach of offices.
    pub async fn access_rules(
        &self,
        day: core_rules::Day,
    ) -> Result<core_rules::roles::AccessRules> {
        let versions = self.statutes_versions().await?;
        Ok(in_force(&versions, day)
            .map(|v| v.rules.access.clone())
            .unwrap_or_default())
    }

    pub async fn statutes_versions(&self) -> Result<Vec<StatutesVersion>> {
        let rows = sqlx::query(
            "SELECT version, effective_from, adopted_on, adopted_by, rules FROM statutes ORDER BY version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let bad = || StoreError::Internal("a stored statutes version is unreadable".into());
                Ok(StatutesVersion {
                    version: r.try_get("version")?,
                    effective_from: Day::parse(&r.try_get::<String, _>("effective_from")?)
                        .map_err(|_| bad())?,
                    adopted_on: Day::parse(&r.try_get::<String, _>("adopted_on")?)
                        .map_err(|_| bad())?,
                    adopted_by: r.try_get("adopted_by")?,
                    rules: Statutes::from_json(&r.try_get::<String, _>("rules")?)?,
                })
            })
            .collect()
    }

    /// The statutes in force on a day.
    pub async fn statutes_on(&self, day: Day) -> Result<StatutesVersion> {
        let versions = self.statutes_versions().await?;
        in_force(&versions, day).cloned().ok_or_else(|| {
            StoreError::NotFound(format!(
                "statutes in force on {day} (none had taken effect)"
            ))
        })
    }
}
