//! The unit tree and its closure table.

use crate::{now, Result, Store, StoreError};
use core_rules::units::{valid_code, Category, NewUnit, UnitKind};
use core_rules::{text, Refusal, Typed};
use sqlx::{Any, Row, Transaction};

pub use core_rules::units::Unit;

const UNIT_COLUMNS: &str = "u.id, u.parent_id, u.kind, k.name AS kind_name, k.category, k.level, \
     u.code, u.name, u.area, u.closed FROM units u JOIN unit_kinds k ON k.code = u.kind";

fn unit_from(row: &sqlx::any::AnyRow) -> Result<Unit> {
    let category: String = row.try_get("category")?;
    Ok(Unit {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        kind: row.try_get("kind")?,
        kind_name: row.try_get("kind_name")?,
        category: Category::parse(&category)
            .ok_or_else(|| StoreError::Internal(format!("unknown category {category}")))?,
        level: row.try_get("level")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        area: row.try_get("area")?,
        closed: row.try_get::<i64, _>("closed")? != 0,
    })
}

pub(crate) async fn insert_kind(tx: &mut Transaction<'_, Any>, k: &UnitKind) -> Result<()> {
    text::KIND_NAME.check(&k.name)?;
    text::KIND_NAME.check(&k.plural)?;
    sqlx::query(
        "INSERT INTO unit_kinds (code, name, plural, category, level) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&k.code)
    .bind(&k.name)
    .bind(&k.plural)
    .bind(k.category.as_str())
    .bind(k.level)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts a unit under its parent and records it in the closure table.
pub(crate) async fn insert_unit(tx: &mut Transaction<'_, Any>, u: &NewUnit) -> Result<i64> {
    if !valid_code(&u.code) {
        return Err(Refusal::on(
            "code",
            "{} is not a usable unit code (lowercase letters, digits, - and _)",
        )
        .arg(Typed(&u.code))
        .into());
    }
    if u.name.trim().is_empty() {
        return Err(Refusal::on("name", "unit {} needs a name")
            .arg(Typed(&u.code))
            .into());
    }
    text::UNIT_NAME.check(u.name.trim())?;
    text::PLACE.check(&u.area)?;
    let kind: Option<String> = sqlx::query_scalar("SELECT code FROM unit_kinds WHERE code = $1")
        .bind(&u.kind)
        .fetch_optional(&mut **tx)
        .await?;
    if kind.is_none() {
        return Err(Refusal::on("kind", "unit {}: there is no unit kind {}")
            .arg(Typed(&u.code))
            .arg(Typed(&u.kind))
            .into());
    }
    let parent_id = match &u.parent {
        None => None,
        Some(p) => Some(
            sqlx::query_scalar::<_, i64>("SELECT id FROM units WHERE code = $1")
                .bind(p)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    Refusal::on("parent", "unit {}: there is no parent unit {}")
                        .arg(Typed(&u.code))
                        .arg(Typed(p))
                })?,
        ),
    };
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
        .bind(&u.code)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(Refusal::on("code", "a unit with code {} already exists")
            .arg(Typed(&u.code))
            .into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO units (parent_id, kind, code, name, area, closed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(parent_id)
    .bind(&u.kind)
    .bind(&u.code)
    .bind(u.name.trim())
    .bind(&u.area)
    .bind(u.closed as i64)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO unit_tree (ancestor_id, unit_id, depth) VALUES ($1, $1, 0)")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if let Some(p) = parent_id {
        sqlx::query(
            "INSERT INTO unit_tree (ancestor_id, unit_id, depth) \
             SELECT ancestor_id, $1, depth + 1 FROM unit_tree WHERE unit_id = $2",
        )
        .bind(id)
        .bind(p)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

impl Store {
    pub async fn create_unit(&self, u: &NewUnit, by: Option<i64>) -> Result<i64> {
        let mut tx = self.write().await?;
        let id = insert_unit(&mut tx, u).await?;
        crate::audit::append(&mut tx, by, "unit.create", Some(("unit", id)), &[]).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn unit_kinds(&self) -> Result<Vec<UnitKind>> {
        let rows = sqlx::query(
            "SELECT code, name, plural, category, level FROM unit_kinds ORDER BY level, code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let cat: String = r.try_get("category")?;
                Ok(UnitKind {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    plural: r.try_get("plural")?,
                    category: Category::parse(&cat)
                        .ok_or_else(|| StoreError::Internal(format!("unknown category {cat}")))?,
                    level: r.try_get("level")?,
                })
            })
            .collect()
    }

    /// Renames a kind of unit: the organisation's own words for its bodies.
    pub async fn rename_kind(
        &self,
        code: &str,
        name: &str,
        plural: &str,
        by: Option<i64>,
    ) -> Result<()> {
        text::KIND_NAME.check(name)?;
        text::KIND_NAME.check(plural)?;
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE unit_kinds SET name = $1, plural = $2 WHERE code = $3")
            .bind(name)
            .bind(plural)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("unit kind {code:?}")));
        }
        crate::audit::append(
            &mut tx,
            by,
            "unit_kind.rename",
            None,
            &[("kind", crate::audit::Value::Code(code.to_string()))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// All units, parents before children (by level, then name).
    pub async fn units(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} ORDER BY (SELECT MAX(depth) FROM unit_tree t WHERE t.unit_id = u.id), u.name"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unit_from).collect()
    }

    pub async fn unit(&self, id: i64) -> Result<Option<Unit>> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(unit_from).transpose()
    }

    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} WHERE u.code = $1"))
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(unit_from).transpose()
    }

    /// The units directly below one unit.
    pub async fn children(&self, id: i64) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} WHERE u.parent_id = $1 ORDER BY k.level, u.name"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unit_from).collect()
    }

    /// The unit and those above it, nearest first.
    pub async fn chain(&self, id: i64) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} JOIN unit_tree t ON t.ancestor_id = u.id \
             WHERE t.unit_id = $1 ORDER BY t.depth"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unit_from).collect()
    }

    /// The chains of many units at once (each unit and those above it, nearest first), in one
    /// query: for pages that put many units to the access rules.
    pub async fn chains_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<Unit>>> {
        let mut out: std::collections::HashMap<i64, Vec<Unit>> = Default::default();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        // In slices, to stay well inside every backend's limit on parameters.
        for part in ids.chunks(500) {
            let params: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT t.unit_id AS of_unit, {UNIT_COLUMNS} JOIN unit_tree t ON t.ancestor_id = u.id \
                 WHERE t.unit_id IN ({}) ORDER BY t.unit_id, t.depth",
                params.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in part {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let of: i64 = r.try_get("of_unit")?;
                out.entry(of).or_default().push(unit_from(&r)?);
            }
        }
        Ok(out)
    }

    /// Whether `unit` is `ancestor` or lies below it.
    pub async fn is_within(&self, unit: i64, ancestor: i64) -> Result<bool> {
        let hit: Option<i64> = sqlx::query_scalar(
            "SELECT depth FROM unit_tree WHERE ancestor_id = $1 AND unit_id = $2",
        )
        .bind(ancestor)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?;
        Ok(hit.is_some())
    }
}
