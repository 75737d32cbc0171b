//! The single picture: counts of reports by category, month and unit, with or without the
//! units a viewer may not know of.

use super::Picture;
use crate::{Result, Store};
use sqlx::Row;

impl Store {
    /// The single picture: counts of reports (neither rejected nor merged into another) by
    /// category, by month and by unit. Three grouped scans of covering indexes; the web rolls
    /// the units' counts up the tree.
    pub async fn single_picture(&self) -> Result<Picture> {
        let mut p = Picture::default();
        for r in sqlx::query(
            "SELECT category, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY category",
        )
        .fetch_all(self.pool())
        .await?
        {
            let n: i64 = r.try_get("n")?;
            p.total += n;
            p.by_category.insert(r.try_get("category")?, n);
        }
        for r in
            sqlx::query("SELECT month, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY month")
                .fetch_all(self.pool())
                .await?
        {
            p.by_month.insert(r.try_get("month")?, r.try_get("n")?);
        }
        for r in sqlx::query(
            "SELECT unit_id, COUNT(*) AS n FROM reports WHERE counted = 1 GROUP BY unit_id",
        )
        .fetch_all(self.pool())
        .await?
        {
            p.by_unit.insert(r.try_get("unit_id")?, r.try_get("n")?);
        }
        Ok(p)
    }

    /// The single picture without the reports placed in `hidden` units: the whole picture less
    /// theirs. Hidden units are few (closed circles) and their reports are read by the unit
    /// index, so this costs the whole picture and a little more.
    pub async fn single_picture_without(&self, hidden: &[i64]) -> Result<Picture> {
        let mut p = self.single_picture().await?;
        if hidden.is_empty() {
            return Ok(p);
        }
        for chunk in hidden.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT unit_id, category, month, COUNT(*) AS n FROM reports \
                 WHERE counted = 1 AND unit_id IN ({list}) GROUP BY unit_id, category, month"
            );
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q.bind(*u);
            }
            for r in q.fetch_all(self.pool()).await? {
                let n: i64 = r.try_get("n")?;
                let unit: i64 = r.try_get("unit_id")?;
                let category: String = r.try_get("category")?;
                let month: String = r.try_get("month")?;
                p.total -= n;
                for (map, key) in [(&mut p.by_category, category), (&mut p.by_month, month)] {
                    if let Some(v) = map.get_mut(&key) {
                        *v -= n;
                        if *v <= 0 {
                            map.remove(&key);
                        }
                    }
                }
                p.by_unit.remove(&unit);
            }
        }
        Ok(p)
    }
}
