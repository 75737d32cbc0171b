//! Circulation: the tree it routes by, an edition's plan and bundles, the agents' returns, and
//! the reconciliation.

use super::{circulation_error, edition_from, edition_in, internal, Circulation, Edition};
use crate::audit::{self, Value};
use crate::{Result, Store, StoreError};
use core_rules::paper::circulation::{Tree, TreeUnit};
use core_rules::paper::{self, AgentReturn, Orders, Plan};
use core_rules::{money, quantity, Refusal};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// The unit tree as (id, parent) pairs.
    pub async fn unit_parents(&self) -> Result<Vec<(i64, Option<i64>)>> {
        let rows = sqlx::query("SELECT id, parent_id FROM units")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?)))
            .collect()
    }

    /// The unit tree as circulation routes by it: each unit's place, whether it is closed, and
    /// whether its kind may know of the closed units below it under the statutes in force today.
    pub async fn circulation_tree(&self) -> Result<Tree> {
        let rules = self.access_rules(self.today()).await?;
        let rows = sqlx::query("SELECT id, parent_id, kind, closed FROM units")
            .fetch_all(self.pool())
            .await?;
        let units = rows
            .iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(TreeUnit {
                    id: r.try_get("id")?,
                    parent: r.try_get("parent_id")?,
                    closed: r.try_get::<i64, _>("closed")? != 0,
                    sees_closed: rules.body_may_know(&kind, true),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Tree::with_secrecy(&units).map_err(internal)
    }

    /// Plans an edition's circulation from the standing orders: one bundle per unit, the print
    /// run with the reserve. Planned again (replacing the bundles) only while no return is in.
    ///
    /// Only the orders of units the publication's unit may know of count (a unit takes a paper
    /// only from such a body: `set_order` refuses the others, and one left from before, or from
    /// a unit closed since, is ignored), and the reserve is a share of the copies ordered in the
    /// open ([`paper::circulation::reserve_base`]): so the paper's editors know of every bundle
    /// they print, and nobody learns of a closed unit from the reserve.
    pub async fn plan_edition(&self, actor: Option<i64>, edition: i64) -> Result<Plan> {
        let tree = self.circulation_tree().await?;
        let mut tx = self.write().await?;
        let e = edition_in(&mut tx, edition).await?;
        let returns: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bundle_returns WHERE edition_id = $1")
                .bind(edition)
                .fetch_one(&mut *tx)
                .await?;
        if returns > 0 {
            return Err(Refusal::new(
                "edition {} has returns recorded already; its bundles can no longer change",
            )
            .arg(e.number)
            .into());
        }
        let (percent, paper_unit): (i64, i64) =
            sqlx::query_as("SELECT reserve_percent, unit_id FROM publications WHERE id = $1")
                .bind(e.publication_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut orders = Orders::default();
        // Orders are bounded when written (`quantity::ORDER`, `quantity::SUBSCRIPTION`); one
        // written before the bounds existed can make the sums too large to count, and is
        // refused by name below rather than wrapping or failing the page.
        for r in sqlx::query("SELECT unit_id, copies FROM paper_orders WHERE publication_id = $1")
            .bind(e.publication_id)
            .fetch_all(&mut *tx)
            .await?
        {
            orders
                .units
                .insert(r.try_get("unit_id")?, r.try_get::<i64, _>("copies")? as u64);
        }
        for r in sqlx::query(
            "SELECT unit_id, CAST(SUM(copies) AS BIGINT) AS n FROM paper_subscriptions WHERE publication_id = $1 AND active = 1 GROUP BY unit_id",
        )
        .bind(e.publication_id)
        .fetch_all(&mut *tx)
        .await?
        {
            orders.subscribers.insert(r.try_get("unit_id")?, r.try_get::<i64, _>("n")? as u64);
        }
        orders.units.retain(|&u, _| tree.may_know(paper_unit, u));
        orders
            .subscribers
            .retain(|&u, _| tree.may_know(paper_unit, u));
        // The whole first, with checked arithmetic: once it fits, every part of it does.
        paper::circulation::ordered(&orders).map_err(crate::rule)?;
        orders.reserve = paper::circulation::reserve_for(
            paper::circulation::reserve_base(&tree, &orders, paper_unit),
            percent as u64,
        )
        .map_err(crate::rule)?;
        let plan = paper::plan(&tree, &orders).map_err(circulation_error)?;
        sqlx::query("DELETE FROM bundles WHERE edition_id = $1")
            .bind(edition)
            .execute(&mut *tx)
            .await?;
        insert_bundles(&mut tx, edition, &plan).await?;
        sqlx::query("UPDATE editions SET print_run = $2, reserve = $3 WHERE id = $1")
            .bind(edition)
            .bind(plan.print_run as i64)
            .bind(plan.reserve as i64)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.plan",
            Some(("edition", edition)),
            &[
                ("bundles", Value::from(plan.bundles.len())),
                ("print_run", Value::from(plan.print_run)),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The bundle a unit gets of an edition (0 copies if none).
    pub async fn bundle_copies(&self, edition: i64, unit: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT copies FROM bundles WHERE edition_id = $1 AND unit_id = $2")
                .bind(edition)
                .bind(unit)
                .fetch_optional(self.pool())
                .await?
                .unwrap_or(0),
        )
    }

    /// Records (or corrects) an agent's return. A return larger than the bundle, and money for
    /// an edition the unit never received, are refused and write nothing.
    pub async fn record_return(
        &self,
        actor: Option<i64>,
        edition: i64,
        r: &AgentReturn,
    ) -> Result<()> {
        quantity::RECEIVED.check(r.received)?;
        quantity::SOLD.check(r.sold)?;
        quantity::FREE.check(r.free)?;
        quantity::RETURNED.check(r.returned)?;
        money::REMITTED.check(r.remitted_cents)?;
        let mut tx = self.write().await?;
        let e = edition_in(&mut tx, edition).await?;
        let bundle: Option<i64> =
            sqlx::query_scalar("SELECT copies FROM bundles WHERE edition_id = $1 AND unit_id = $2")
                .bind(edition)
                .bind(r.unit)
                .fetch_optional(&mut *tx)
                .await?;
        r.check(bundle.unwrap_or(0) as u64).map_err(crate::rule)?;
        if bundle.is_none() {
            return Err(Refusal::new("unit {} had no bundle of edition {}")
                .arg(r.unit)
                .arg(e.number)
                .into());
        }
        sqlx::query("DELETE FROM bundle_returns WHERE edition_id = $1 AND unit_id = $2")
            .bind(edition)
            .bind(r.unit)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO bundle_returns (edition_id, unit_id, received, sold, free, returned, remitted_cents, recorded_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(edition)
        .bind(r.unit)
        .bind(r.received as i64)
        .bind(r.sold as i64)
        .bind(r.free as i64)
        .bind(r.returned as i64)
        .bind(r.remitted_cents)
        .bind(self.today().to_string())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.return",
            Some(("edition", edition)),
            &[
                ("unit", Value::Int(r.unit)),
                ("sold", Value::from(r.sold)),
                ("returned", Value::from(r.returned)),
                ("cents", Value::Int(r.remitted_cents)),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The return recorded for a unit's bundle, if any.
    pub async fn bundle_return(&self, edition: i64, unit: i64) -> Result<Option<AgentReturn>> {
        let row = sqlx::query(
            "SELECT unit_id, received, sold, free, returned, remitted_cents FROM bundle_returns WHERE edition_id = $1 AND unit_id = $2",
        )
        .bind(edition)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(return_from).transpose()
    }

    /// An edition's stored plan and its reconciliation with the returns in so far.
    pub async fn circulation(&self, edition: i64) -> Result<Circulation> {
        let e = self
            .edition(edition)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("edition {edition}")))?;
        let tree = self.circulation_tree().await?;
        let mut bundles = Vec::new();
        for r in sqlx::query("SELECT unit_id, ordered, subscribers, copies FROM bundles WHERE edition_id = $1 ORDER BY unit_id")
            .bind(edition)
            .fetch_all(self.pool())
            .await?
        {
            bundles.push(paper::Bundle {
                unit: r.try_get("unit_id")?,
                ordered: r.try_get::<i64, _>("ordered")? as u64,
                subscribers: r.try_get::<i64, _>("subscribers")? as u64,
                copies: r.try_get::<i64, _>("copies")? as u64,
            });
        }
        let reserve = e.reserve.unwrap_or(0) as u64;
        let orders = Orders {
            units: bundles.iter().map(|b| (b.unit, b.copies)).collect(),
            subscribers: BTreeMap::new(),
            reserve,
        };
        // The legs follow from the stored bundles and the tree as it is.
        let mut plan = paper::plan(&tree, &orders).map_err(circulation_error)?;
        plan.bundles = bundles;
        let returns: Vec<AgentReturn> = sqlx::query(
            "SELECT unit_id, received, sold, free, returned, remitted_cents FROM bundle_returns WHERE edition_id = $1",
        )
        .bind(edition)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(return_from)
        .collect::<Result<_>>()?;
        let reconciliation =
            paper::reconcile(&tree, &plan, &returns, e.price_cents).map_err(circulation_error)?;
        Ok(Circulation {
            returned: returns.iter().map(|r| r.unit).collect(),
            edition: e,
            plan,
            reconciliation,
        })
    }

    /// Arrears per unit over all editions of a publication: `(due, remitted)` in cents.
    pub async fn paper_accounts(&self, publication: i64) -> Result<HashMap<i64, (i64, i64)>> {
        let rows = sqlx::query(
            "SELECT r.unit_id, CAST(SUM(r.sold * e.price_cents) AS BIGINT) AS due, CAST(SUM(r.remitted_cents) AS BIGINT) AS paid \
             FROM bundle_returns r JOIN editions e ON e.id = r.edition_id \
             WHERE e.publication_id = $1 GROUP BY r.unit_id",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("unit_id")?,
                    (r.try_get("due")?, r.try_get("paid")?),
                ))
            })
            .collect()
    }

    /// The copies sent to and sold by some units (a viewer's hidden ones), per edition of a
    /// publication: `edition id -> (sent, sold)`, for editions where they had any. A viewer's
    /// series and print runs are the whole less these. Hidden units are few (closed branches), so
    /// this reads a few bundles by the unit index.
    pub async fn copies_in_units(
        &self,
        publication: i64,
        units: &[i64],
    ) -> Result<HashMap<i64, (i64, i64)>> {
        let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
        for chunk in units.chunks(500) {
            let list = (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT b.edition_id, CAST(SUM(b.copies) AS BIGINT) AS sent, \
                 CAST(SUM(COALESCE(r.sold, 0)) AS BIGINT) AS sold \
                 FROM bundles b JOIN editions e ON e.id = b.edition_id \
                 LEFT JOIN bundle_returns r ON r.edition_id = b.edition_id AND r.unit_id = b.unit_id \
                 WHERE e.publication_id = $1 AND b.unit_id IN ({list}) GROUP BY b.edition_id"
            );
            let mut q = sqlx::query(&sql).bind(publication);
            for u in chunk {
                q = q.bind(*u);
            }
            for r in q.fetch_all(self.pool()).await? {
                let e = out.entry(r.try_get("edition_id")?).or_default();
                e.0 += r.try_get::<i64, _>("sent")?;
                e.1 += r.try_get::<i64, _>("sold")?;
            }
        }
        Ok(out)
    }

    /// Copies sent and sold per edition of a publication, oldest first: `(number, sent, sold)`.
    pub async fn circulation_series(&self, publication: i64) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT e.number, \
               (SELECT CAST(COALESCE(SUM(b.copies), 0) AS BIGINT) FROM bundles b WHERE b.edition_id = e.id) AS sent, \
               (SELECT CAST(COALESCE(SUM(r.sold), 0) AS BIGINT) FROM bundle_returns r WHERE r.edition_id = e.id) AS sold \
             FROM editions e WHERE e.publication_id = $1 ORDER BY e.number",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("number")?, r.try_get("sent")?, r.try_get("sold")?)))
            .collect()
    }
}

fn return_from(r: &sqlx::any::AnyRow) -> Result<AgentReturn> {
    Ok(AgentReturn {
        unit: r.try_get("unit_id")?,
        received: r.try_get::<i64, _>("received")? as u64,
        sold: r.try_get::<i64, _>("sold")? as u64,
        free: r.try_get::<i64, _>("free")? as u64,
        returned: r.try_get::<i64, _>("returned")? as u64,
        remitted_cents: r.try_get("remitted_cents")?,
    })
}

async fn insert_bundles(tx: &mut Transaction<'_, Any>, edition: i64, plan: &Plan) -> Result<()> {
    // Many rows per statement: an edition can have thousands of bundles.
    for chunk in plan.bundles.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO bundles (edition_id, unit_id, ordered, subscribers, copies) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 5;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
        }
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q
                .bind(edition)
                .bind(b.unit)
                .bind(b.ordered as i64)
                .bind(b.subscribers as i64)
                .bind(b.copies as i64);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Members per unit (each unit's own), for the paper's reach against membership.
    pub async fn members_per_unit(&self) -> Result<HashMap<i64, i64>> {
        let rows = sqlx::query(
            "SELECT unit_id, COUNT(*) AS n FROM persons WHERE status = 'member' GROUP BY unit_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, r.try_get("n")?)))
            .collect()
    }

    /// The units with a bundle of an edition, and each one's copies, for the agent's page.
    pub async fn bundles_of_unit(&self, unit: i64) -> Result<Vec<(Edition, i64)>> {
        let rows = sqlx::query(
            "SELECT e.id, e.publication_id, e.number, e.issued_on, e.price_cents, e.headline, \
             e.print_run, e.reserve, e.published, b.copies FROM bundles b JOIN editions e ON e.id = b.edition_id \
             WHERE b.unit_id = $1 ORDER BY e.issued_on DESC, e.id DESC",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((edition_from(r)?, r.try_get("copies")?)))
            .collect()
    }
}
