//! Dues payments: recorded by a treasurer or read from a bank statement, split up the tree;
//! and reversed, when one was recorded in error, by an entry of its own.
//!
//! A reversal is a row of `dues_reversals` linked to the payment (migration 0013), not a
//! negative payment: the payment and its shares stay exactly as recorded, each payment can be
//! linked to at most one reversal (its id is the key), and a reversal, being no payment, cannot
//! be reversed in turn. Every figure that reads payments leaves the reversed ones out
//! (`NOT_REVERSED`).

use crate::vault::Blind;
use crate::{now, Result, Store, StoreError};
use core_rules::dues::ChainUnit;
use core_rules::import::parse_money;
use core_rules::people::{email_key, phone_key};
use core_rules::statutes::in_force;
use core_rules::{money, text, Refusal};
use core_rules::{Day, Month};
use sqlx::{Any, Row, Transaction};

/// The condition, on a payment `dp`, that it was not reversed: every query that counts dues
/// (standing, arrears, a unit's dues, the shares above) says it.
pub(crate) const NOT_REVERSED: &str =
    "NOT EXISTS (SELECT 1 FROM dues_reversals rv WHERE rv.payment_id = dp.id)";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub period: String,
    pub paid_on: String,
    pub amount_cents: i64,
    pub source: String,
    /// The day it was reversed, if it was: it counts as not paid.
    pub reversed_on: Option<String>,
}

/// A payment recorded in a unit, as its treasurer and secretary see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPayment {
    pub id: i64,
    pub person_id: i64,
    /// The payer's party name while they are in the unit; `None` once they have moved on (where
    /// they went is not this unit's business).
    pub pseudonym: Option<String>,
    pub period: String,
    pub paid_on: String,
    pub amount_cents: i64,
    pub source: String,
    pub reversed_on: Option<String>,
}

/// A payment to record.
#[derive(Clone, Debug)]
pub struct NewPayment {
    pub person: i64,
    pub period: Month,
    pub paid_on: Day,
    pub amount_cents: i64,
    /// `treasurer`, `bank` or `import`.
    pub source: &'static str,
    /// The bank's reference, which makes re-reading a statement harmless.
    pub reference: Option<String>,
}

pub(crate) async fn insert_payment(
    tx: &mut Transaction<'_, Any>,
    p: &NewPayment,
    by: Option<i64>,
    versions: &[core_rules::statutes::StatutesVersion],
    today: Day,
) -> Result<i64> {
    money::PAYMENT.check(p.amount_cents)?;
    if let Some(r) = &p.reference {
        text::BANK_REFERENCE.check(r)?;
    }
    if p.paid_on > today {
        return Err(
            Refusal::on("paid_on", "the payment date {} is in the future")
                .arg(p.paid_on)
                .into(),
        );
    }
    let rules = in_force(versions, p.paid_on).ok_or_else(|| {
        StoreError::from(Refusal::on("paid_on", "no statutes were in force on {}").arg(p.paid_on))
    })?;
    // The person's unit and those above it, nearest first, in one round trip: the demo and a
    // bank statement record thousands of payments in one transaction.
    let chain = chain_of_person(tx, p.person).await?;
    // Depth 0 is the person's own unit; no rows means no such person.
    let unit = chain
        .first()
        .map(|(id, _, _)| *id)
        .ok_or_else(|| StoreError::NotFound(format!("person {}", p.person)))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dues_payments (person_id, unit_id, period, paid_on, amount_cents, source, reference, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.person)
    .bind(unit)
    .bind(p.period.to_string())
    .bind(p.paid_on.to_string())
    .bind(p.amount_cents)
    .bind(p.source)
    .bind(&p.reference)
    .bind(by)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE persons SET paid_through = $1 WHERE id = $2 AND (paid_through IS NULL OR paid_through < $1)",
    )
    .bind(p.period.to_string())
    .bind(p.person)
    .execute(&mut **tx)
    .await?;
    let shares = split(&rules.rules, p.amount_cents, &chain);
    insert_shares(tx, id, &shares).await?;
    Ok(id)
}

/// A unit chain as the split reads it: id, kind, closed; nearest first.
pub(crate) type Chain = Vec<(i64, String, bool)>;

/// The units of a person's unit chain, nearest first.
async fn chain_of_person(tx: &mut Transaction<'_, Any>, person: i64) -> Result<Chain> {
    let rows = sqlx::query(
        "SELECT u.id, u.kind, u.closed FROM persons p JOIN unit_tree t ON t.unit_id = p.unit_id \
         JOIN units u ON u.id = t.ancestor_id WHERE p.id = $1 ORDER BY t.depth",
    )
    .bind(person)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("kind")?,
                r.try_get::<i64, _>("closed")? != 0,
            ))
        })
        .collect()
}

/// The units of a unit's chain, nearest first.
pub(crate) async fn chain_of_unit(tx: &mut Transaction<'_, Any>, unit: i64) -> Result<Chain> {
    let rows = sqlx::query(
        "SELECT u.id, u.kind, u.closed FROM unit_tree t JOIN units u ON u.id = t.ancestor_id \
         WHERE t.unit_id = $1 ORDER BY t.depth",
    )
    .bind(unit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("kind")?,
                r.try_get::<i64, _>("closed")? != 0,
            ))
        })
        .collect()
}

/// A payment's shares under the statutes in force when it was paid: the dues split, with a
/// closed unit's money kept from the units that may not know of it.
fn split(rules: &core_rules::statutes::Statutes, amount: i64, chain: &Chain) -> Vec<(i64, i64)> {
    let chain: Vec<ChainUnit> = chain
        .iter()
        .map(|(id, kind, closed)| ChainUnit {
            id: *id,
            kind,
            closed: *closed,
        })
        .collect();
    rules
        .dues
        .split(amount, &chain, &rules.access.closed_seen_by)
}

async fn insert_shares(
    tx: &mut Transaction<'_, Any>,
    payment: i64,
    shares: &[(i64, i64)],
) -> Result<()> {
    if !shares.is_empty() {
        // One statement for all the shares ($1 is the payment; then unit, amount pairs).
        let values: Vec<String> = (0..shares.len())
            .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO dues_shares (payment_id, unit_id, amount_cents) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(payment);
        for (u, amount) in shares {
            q = q.bind(*u).bind(*amount);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// One line of a bank statement that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankImport {
    pub recorded: usize,
    /// Lines whose reference was already recorded: the statement was read before.
    pub already: usize,
}

impl Store {
    /// The chore migration 0012 leaves: payments in closed branches that were split before a
    /// closed unit's money was kept from the units that may not know of it are split again,
    /// under the statutes in force on each payment's day. Payments recorded without shares (the
    /// scale generator's) are left so. Done once: the chore's row goes in the same transaction.
    pub(crate) async fn resplit_closed_dues(&self) -> Result<()> {
        const CHORE: &str = "dues.closed_resplit";
        let waiting: Option<String> = sqlx::query_scalar("SELECT name FROM chores WHERE name = $1")
            .bind(CHORE)
            .fetch_optional(self.pool())
            .await?;
        if waiting.is_none() {
            return Ok(());
        }
        let versions = self.statutes_versions().await?;
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM chores WHERE name = $1")
            .bind(CHORE)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            // Another server did it meanwhile.
            return Ok(());
        }
        const IN_CLOSED_BRANCHES: &str = "SELECT p.id FROM dues_payments p WHERE p.unit_id IN \
             (SELECT t.unit_id FROM unit_tree t JOIN units c ON c.id = t.ancestor_id WHERE c.closed <> 0)";
        let payments = sqlx::query(&format!(
            "SELECT p.id, p.unit_id, p.paid_on, p.amount_cents FROM dues_payments p \
             WHERE p.id IN ({IN_CLOSED_BRANCHES}) ORDER BY p.id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let stored = sqlx::query(&format!(
            "SELECT s.payment_id, s.unit_id, s.amount_cents FROM dues_shares s \
             WHERE s.payment_id IN ({IN_CLOSED_BRANCHES})"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut before: std::collections::HashMap<i64, Vec<(i64, i64)>> = Default::default();
        for r in &stored {
            before
                .entry(r.try_get("payment_id")?)
                .or_default()
                .push((r.try_get("unit_id")?, r.try_get("amount_cents")?));
        }
        let mut chains: std::collections::HashMap<i64, Chain> = Default::default();
        let mut changed = 0usize;
        for r in &payments {
            let id: i64 = r.try_get("id")?;
            let Some(old) = before.get_mut(&id) else {
                continue;
            };
            let unit: i64 = r.try_get("unit_id")?;
            let paid_on: String = r.try_get("paid_on")?;
            let Some(rules) = Day::parse(&paid_on)
                .ok()
                .and_then(|d| in_force(&versions, d))
            else {
                continue;
            };
            let chain = match chains.entry(unit) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(chain_of_unit(&mut tx, unit).await?)
                }
            };
            let mut new = split(&rules.rules, r.try_get("amount_cents")?, chain);
            new.sort_unstable();
            old.sort_unstable();
            if new != *old {
                sqlx::query("DELETE FROM dues_shares WHERE payment_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                insert_shares(&mut tx, id, &new).await?;
                changed += 1;
            }
        }
        if changed > 0 {
            crate::audit::append(
                &mut tx,
                None,
                "dues.resplit",
                None,
                &[("payments", changed.into())],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_payment(&self, p: &NewPayment, by: Option<i64>) -> Result<i64> {
        let versions = self.statutes_versions().await?;
        let mut tx = self.write().await?;
        let id = insert_payment(&mut tx, p, by, &versions, self.today()).await?;
        crate::audit::append(
            &mut tx,
            by,
            "payment.record",
            Some(("person", p.person)),
            &[("payment", id.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn payments_of(&self, person: i64) -> Result<Vec<Payment>> {
        let rows = sqlx::query(
            "SELECT dp.id, dp.period, dp.paid_on, dp.amount_cents, dp.source, rv.reversed_on \
             FROM dues_payments dp LEFT JOIN dues_reversals rv ON rv.payment_id = dp.id \
             WHERE dp.person_id = $1 ORDER BY dp.period DESC, dp.id DESC",
        )
        .bind(person)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Payment {
                    id: r.try_get("id")?,
                    period: r.try_get("period")?,
                    paid_on: r.try_get("paid_on")?,
                    amount_cents: r.try_get("amount_cents")?,
                    source: r.try_get("source")?,
                    reversed_on: r.try_get("reversed_on")?,
                })
            })
            .collect()
    }

    /// The latest payments recorded in a unit, newest first, reversed ones included (marked).
    pub async fn payments_of_unit(&self, unit: i64, limit: i64) -> Result<Vec<UnitPayment>> {
        let rows = sqlx::query(
            "SELECT dp.id, dp.person_id, CASE WHEN p.unit_id = dp.unit_id THEN p.pseudonym END AS pseudonym, \
             dp.period, dp.paid_on, dp.amount_cents, dp.source, rv.reversed_on \
             FROM dues_payments dp JOIN persons p ON p.id = dp.person_id \
             LEFT JOIN dues_reversals rv ON rv.payment_id = dp.id \
             WHERE dp.unit_id = $1 ORDER BY dp.paid_on DESC, dp.id DESC LIMIT $2",
        )
        .bind(unit)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitPayment {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    period: r.try_get("period")?,
                    paid_on: r.try_get("paid_on")?,
                    amount_cents: r.try_get("amount_cents")?,
                    source: r.try_get("source")?,
                    reversed_on: r.try_get("reversed_on")?,
                })
            })
            .collect()
    }

    /// What a unit received as its share of dues, per month paid, from `from` onwards; reversed
    /// payments count as not paid.
    ///
    /// The sum cannot overflow: a share is at most a payment, at most `money::PAYMENT.max`
    /// (see `core_rules::money` for the arithmetic). A payment recorded before that bound
    /// existed, and beyond it, is left out of the sum (`$3`) instead of breaking the page for
    /// everyone; the unit's list of payments shows it for an officer to reverse.
    pub async fn unit_dues_by_month(&self, unit: i64, from: Day) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT dp.period, CAST(SUM(s.amount_cents) AS BIGINT) AS total FROM dues_shares s \
             JOIN dues_payments dp ON dp.id = s.payment_id \
             WHERE s.unit_id = $1 AND dp.paid_on >= $2 AND dp.amount_cents <= $3 AND {NOT_REVERSED} \
             GROUP BY dp.period ORDER BY dp.period"
        ))
        .bind(unit)
        .bind(from.to_string())
        .bind(money::PAYMENT.max)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("period")?, r.try_get("total")?)))
            .collect()
    }

    /// Reverses a payment recorded in error, by an officer of the unit it was recorded in: an
    /// entry of its own, with the day and the reason, in one transaction with its audit entry
    /// (`dues.reverse`). The payment stays; every figure counts it as not paid from now on, and
    /// the payer's standing is read again without it. A payment of another unit is not found;
    /// a payment is reversed once (a reversal is not a payment, so it cannot be reversed: a
    /// payment reversed by mistake is recorded again).
    pub async fn reverse_payment(
        &self,
        unit: i64,
        payment: i64,
        reason: &str,
        by: Option<i64>,
    ) -> Result<()> {
        let reason = text::REASON.check(reason.trim())?;
        if reason.is_empty() {
            return Err(Refusal::on("reason", "say why the payment is reversed").into());
        }
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT person_id, unit_id FROM dues_payments WHERE id = $1")
            .bind(payment)
            .fetch_optional(&mut *tx)
            .await?;
        let person: i64 = match row {
            Some(r) if r.try_get::<i64, _>("unit_id")? == unit => r.try_get("person_id")?,
            // Another unit's payment is not found, exactly as one that does not exist.
            _ => return Err(StoreError::NotFound(format!("payment {payment}"))),
        };
        // The key makes it once; ON CONFLICT turns a concurrent second reversal into the same
        // refusal as a later one, instead of a failed statement.
        let inserted = sqlx::query(
            "INSERT INTO dues_reversals (payment_id, unit_id, reversed_on, reason, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING",
        )
        .bind(payment)
        .bind(unit)
        .bind(self.today().to_string())
        .bind(reason)
        .bind(by)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(Refusal::new(
                "this payment was reversed already; if it was right after all, record it again",
            )
            .into());
        }
        // The payer's last month paid, read again without the payment.
        sqlx::query(&format!(
            "UPDATE persons SET paid_through = \
             (SELECT MAX(dp.period) FROM dues_payments dp WHERE dp.person_id = $1 AND {NOT_REVERSED}) \
             WHERE id = $1"
        ))
        .bind(person)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "dues.reverse",
            Some(("payment", payment)),
            &[("person", person.into()), ("unit", unit.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a bank statement CSV (`date,amount,reference,payer[,period]`, where payer is the
    /// member's email or phone) and records the dues it shows. Every line is checked first; if
    /// any is wrong, nothing is recorded and every bad line is named.
    pub async fn import_bank_csv(&self, data: &[u8], by: Option<i64>) -> Result<BankImport> {
        use core_rules::import::RowError;
        let vault = self.vault()?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data);
        let header = reader
            .headers()
            .map_err(|_| Refusal::new("line 1: the header cannot be read as CSV"))?
            .clone();
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let (Some(c_date), Some(c_amount), Some(c_ref), Some(c_payer)) =
            (col("date"), col("amount"), col("reference"), col("payer"))
        else {
            return Err(StoreError::Rows(vec![RowError {
                line: 1,
                column: String::new(),
                reason: "a bank statement needs the columns date, amount, reference, payer (and optionally period)".into(),
            }]));
        };
        let c_period = col("period");
        let today = self.today();
        let mut errors = Vec::new();
        let mut payments = Vec::new();
        let mut conn = self.pool().acquire().await?;
        for (i, rec) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let mut err = |column: &str, reason: String| {
                errors.push(RowError {
                    line,
                    column: column.into(),
                    reason,
                })
            };
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    err("", format!("malformed CSV: {e}"));
                    continue;
                }
            };
            let get = |c: usize| rec.get(c).unwrap_or("").trim();
            let date = bank_date(get(c_date), today)
                .map_err(|reason| err("date", reason))
                .ok();
            let amount = bank_amount(get(c_amount))
                .map_err(|reason| err("amount", reason))
                .ok();
            let reference = get(c_ref).to_string();
            if reference.is_empty() {
                err("reference", "every bank line has a reference".into());
            } else if let Some(reason) = text::BANK_REFERENCE.cell_reason(&reference) {
                err("reference", reason);
            }
            let payer = get(c_payer);
            let person = payer_in(&mut conn, vault, payer).await?;
            if person.is_none() {
                err(
                    "payer",
                    "no person is recorded with this email or phone".into(),
                );
            }
            let period = match c_period.map(get).filter(|s| !s.is_empty()) {
                Some(s) => match Month::parse(s) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        err("period", e.to_string());
                        None
                    }
                },
                None => date.map(|d| d.month()),
            };
            if let (Some(paid_on), Some(amount_cents), Some(person), Some(period)) =
                (date, amount, person, period)
            {
                payments.push(NewPayment {
                    person,
                    period,
                    paid_on,
                    amount_cents,
                    source: "bank",
                    reference: Some(reference),
                });
            }
        }
        drop(conn);
        if !errors.is_empty() {
            return Err(StoreError::Rows(errors));
        }
        let versions = self.statutes_versions().await?;
        let mut tx = self.write().await?;
        let mut out = BankImport {
            recorded: 0,
            already: 0,
        };
        for p in &payments {
            let seen: Option<i64> =
                sqlx::query_scalar("SELECT id FROM dues_payments WHERE reference = $1")
                    .bind(&p.reference)
                    .fetch_optional(&mut *tx)
                    .await?;
            if seen.is_some() {
                out.already += 1;
                continue;
            }
            insert_payment(&mut tx, p, by, &versions, self.today()).await?;
            out.recorded += 1;
        }
        crate::audit::append(
            &mut tx,
            by,
            "import.payments",
            None,
            &[
                ("recorded", out.recorded.into()),
                ("already", out.already.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// A bank line's date: a day, not in the future. The reason otherwise.
fn bank_date(cell: &str, today: Day) -> std::result::Result<Day, String> {
    match Day::parse(cell) {
        Ok(d) if d > today => Err(format!("{d} is in the future")),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// A bank line's amount: a payment of dues, more than nothing and no more than one payment can
/// be. The reason otherwise.
fn bank_amount(cell: &str) -> std::result::Result<i64, String> {
    match parse_money(cell) {
        Ok(a) if a <= 0 => Err(format!(
            "{cell} is not a payment of dues (negative or zero)"
        )),
        Ok(a) if a > money::PAYMENT.max => Err(format!(
            "{cell} is more than one payment of dues can be ({})",
            core_rules::import::format_money(money::PAYMENT.max)
        )),
        Ok(a) => Ok(a),
        Err(e) => Err(e.to_string()),
    }
}

/// The person a bank line's payer names, by their email or phone (through the blind index).
async fn payer_in(
    conn: &mut sqlx::AnyConnection,
    vault: &crate::vault::Vault,
    payer: &str,
) -> Result<Option<i64>> {
    Ok(
        if let Some(k) = email_key(payer).filter(|k| k.contains('@')) {
            sqlx::query_scalar("SELECT person_id FROM identities WHERE email_key = $1 LIMIT 1")
                .bind(vault.blind(Blind::Email, &k).to_vec())
                .fetch_optional(&mut *conn)
                .await?
        } else if let Some(k) = phone_key(payer) {
            sqlx::query_scalar("SELECT person_id FROM identities WHERE phone_key = $1 LIMIT 1")
                .bind(vault.blind(Blind::Phone, &k).to_vec())
                .fetch_optional(&mut *conn)
                .await?
        } else {
            None
        },
    )
}
