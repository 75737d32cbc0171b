//! Standing orders and subscriptions, as the unit's agent and the editors see them, and the
//! rule that a unit takes a paper only from a body that may know of it.

use crate::audit::{self, Value};
use crate::{Result, Store, StoreError};
use core_rules::quantity;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

impl Store {
    /// Sets a unit's standing order (0 ends it).
    pub async fn set_order(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        copies: i64,
    ) -> Result<()> {
        quantity::ORDER.check(copies)?;
        let rules = self.access_rules(self.today()).await?;
        let mut tx = self.write().await?;
        if self.unit_in(&mut tx, unit).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit}")));
        }
        serves(&mut tx, &rules, publication, unit).await?;
        sqlx::query("DELETE FROM paper_orders WHERE publication_id = $1 AND unit_id = $2")
            .bind(publication)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        if copies > 0 {
            sqlx::query(
                "INSERT INTO paper_orders (publication_id, unit_id, copies) VALUES ($1, $2, $3)",
            )
            .bind(publication)
            .bind(unit)
            .bind(copies)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            actor,
            "paper.order",
            Some(("unit", unit)),
            &[("copies", Value::Int(copies))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A subscriber's standing order, delivered by a unit's agent.
    pub async fn subscribe(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        person: Option<i64>,
        copies: i64,
    ) -> Result<i64> {
        quantity::SUBSCRIPTION.check(copies)?;
        let rules = self.access_rules(self.today()).await?;
        let mut tx = self.write().await?;
        serves(&mut tx, &rules, publication, unit).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO paper_subscriptions (publication_id, unit_id, person_id, copies) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(publication)
        .bind(unit)
        .bind(person)
        .bind(copies)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor,
            "paper.subscription",
            Some(("unit", unit)),
            &[("copies", Value::Int(copies))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A unit takes a paper only from a body that may know of it (`AccessRules::body_may_know`, the
/// rule offices are judged by): the publication's unit must be the unit or one above it with no
/// closed unit between them, or of a kind the statutes let see closed units. Any other unit is
/// "not found", as a unit that does not exist: the paper's editors would print copies for a
/// unit they may not know of, and its bundle would pass through units that may not either.
async fn serves(
    tx: &mut Transaction<'_, Any>,
    rules: &core_rules::roles::AccessRules,
    publication: i64,
    unit: i64,
) -> Result<()> {
    let paper_unit: Option<i64> =
        sqlx::query_scalar("SELECT unit_id FROM publications WHERE id = $1")
            .bind(publication)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(paper_unit) = paper_unit else {
        return Err(StoreError::NotFound(format!("publication {publication}")));
    };
    let chain = crate::dues::chain_of_unit(tx, unit).await?;
    let knows = chain
        .iter()
        .position(|(id, _, _)| *id == paper_unit)
        .is_some_and(|depth| {
            let closed_between = chain[..depth].iter().any(|(_, _, closed)| *closed);
            rules.body_may_know(&chain[depth].1, closed_between)
        });
    if knows {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("unit {unit}")))
    }
}

/// A subscriber, as the unit's own agent and secretary see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub publication_id: i64,
    pub unit_id: i64,
    /// The subscriber, if they are one of the unit's people; `None` when no name is kept.
    pub person_id: Option<i64>,
    /// Their party name (never their identity).
    pub pseudonym: Option<String>,
    pub copies: i64,
    pub active: bool,
}

/// A unit's order of a publication, in figures only (for the editors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitOrder {
    /// The unit's standing order, copies per edition.
    pub ordered: i64,
    /// Active subscriptions delivered through the unit, and their copies.
    pub subscribers: i64,
    pub subscriber_copies: i64,
}

impl Store {
    /// A unit's standing order of a publication (0 when none).
    pub async fn order_of(&self, publication: i64, unit: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT copies FROM paper_orders WHERE publication_id = $1 AND unit_id = $2",
        )
        .bind(publication)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?
        .unwrap_or(0))
    }

    /// Every unit's order of a publication, in figures: no subscriber's name.
    pub async fn orders_by_unit(&self, publication: i64) -> Result<BTreeMap<i64, UnitOrder>> {
        let mut out: BTreeMap<i64, UnitOrder> = BTreeMap::new();
        for r in sqlx::query("SELECT unit_id, copies FROM paper_orders WHERE publication_id = $1")
            .bind(publication)
            .fetch_all(self.pool())
            .await?
        {
            out.entry(r.try_get("unit_id")?).or_default().ordered = r.try_get("copies")?;
        }
        for r in sqlx::query(
            "SELECT unit_id, COUNT(*) AS n, CAST(SUM(copies) AS BIGINT) AS copies \
             FROM paper_subscriptions WHERE publication_id = $1 AND active = 1 GROUP BY unit_id",
        )
        .bind(publication)
        .fetch_all(self.pool())
        .await?
        {
            let o = out.entry(r.try_get("unit_id")?).or_default();
            o.subscribers = r.try_get("n")?;
            o.subscriber_copies = r.try_get("copies")?;
        }
        Ok(out)
    }

    /// The subscribers a unit delivers to, active ones first.
    pub async fn subscriptions_of_unit(
        &self,
        publication: i64,
        unit: i64,
    ) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT s.id, s.publication_id, s.unit_id, s.person_id, p.pseudonym, s.copies, s.active \
             FROM paper_subscriptions s LEFT JOIN persons p ON p.id = s.person_id \
             WHERE s.publication_id = $1 AND s.unit_id = $2 ORDER BY s.active DESC, s.id",
        )
        .bind(publication)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Subscription {
                    id: r.try_get("id")?,
                    publication_id: r.try_get("publication_id")?,
                    unit_id: r.try_get("unit_id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    copies: r.try_get("copies")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                })
            })
            .collect()
    }

    /// Records a subscriber of a unit: one of the unit's own people, or nobody named. A person
    /// of another unit is refused: a unit's subscribers are its own.
    pub async fn subscribe_in_unit(
        &self,
        actor: Option<i64>,
        publication: i64,
        unit: i64,
        person: Option<i64>,
        copies: i64,
    ) -> Result<i64> {
        if let Some(p) = person {
            let theirs: Option<i64> =
                sqlx::query_scalar("SELECT unit_id FROM persons WHERE id = $1")
                    .bind(p)
                    .fetch_optional(self.pool())
                    .await?;
            if theirs != Some(unit) {
                return Err(StoreError::NotFound(format!("person {p} in this unit")));
            }
        }
        if self.publication(publication).await?.is_none() {
            return Err(StoreError::NotFound(format!("publication {publication}")));
        }
        self.subscribe(actor, publication, unit, person, copies)
            .await
    }

    /// Ends a subscription of a unit (kept, inactive: the past editions' bundles counted it).
    pub async fn end_subscription(&self, actor: Option<i64>, unit: i64, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE paper_subscriptions SET active = 0 WHERE id = $1 AND unit_id = $2 AND active = 1",
        )
        .bind(id)
        .bind(unit)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("subscription {id}")));
        }
        audit::append(
            &mut tx,
            actor,
            "paper.subscription.end",
            Some(("unit", unit)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a publication's reserve: the share of the ordered copies printed on top, for the
    /// editions planned from now on.
    pub async fn set_reserve(
        &self,
        actor: Option<i64>,
        publication: i64,
        percent: i64,
    ) -> Result<()> {
        quantity::RESERVE.check(percent)?;
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE publications SET reserve_percent = $2 WHERE id = $1")
            .bind(publication)
            .bind(percent)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("publication {publication}")));
        }
        audit::append(
            &mut tx,
            actor,
            "paper.reserve",
            Some(("publication", publication)),
            &[("percent", Value::Int(percent))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
