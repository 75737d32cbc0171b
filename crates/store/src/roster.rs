//! A unit's roster: its own people with each one's standing today, in a few queries.
//!
//! The unit page must stay fast in an organisation of a million, so the roster reads only the
//! unit's people through the (unit, pseudonym) index and decides each with the kept columns
//! (last month paid, last participation) rather than one query per person.

use crate::people::{person_from, Person, PERSON_COLUMNS};
use crate::{Result, Store};
use core_rules::statutes::{evaluate, PersonFacts, Standing};
use core_rules::units::Category;
use core_rules::{Day, Month};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// The people of one unit with their standing on `today`, by pseudonym.
    pub async fn roster(&self, unit: i64, today: Day) -> Result<Vec<(Person, Standing)>> {
        let version = self.statutes_on(today).await?;
        let rules = &version.rules;
        let category = self.unit(unit).await?.map(|u| u.category);
        let in_party_unit = category.is_some_and(|c| c != Category::Affiliate);
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS}, p.paid_through, p.last_participation FROM persons p \
             WHERE p.unit_id = $1 ORDER BY p.pseudonym, p.id"
        ))
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        let window_after = today.add_days(-(rules.paragraph1.participation_days as i64));
        // Counted for the unit's people only: the page says how many meetings and tasks, and
        // Martov's "regular association" needs the number, not just the latest date.
        let counts: HashMap<i64, i64> = {
            let w = window_after.to_string();
            let d = today.to_string();
            let mut c: HashMap<i64, i64> = HashMap::new();
            for sql in [
                "SELECT a.person_id, COUNT(*) AS n FROM persons p JOIN attendance a ON a.person_id = p.id \
                 JOIN meetings m ON m.id = a.meeting_id WHERE p.unit_id = $1 AND m.held_on > $2 AND m.held_on <= $3 \
                 GROUP BY a.person_id",
                "SELECT t.person_id, COUNT(*) AS n FROM persons p JOIN tasks t ON t.person_id = p.id \
                 WHERE p.unit_id = $1 AND t.done_on > $2 AND t.done_on <= $3 GROUP BY t.person_id",
            ] {
                for r in sqlx::query(sql)
                    .bind(unit)
                    .bind(&w)
                    .bind(&d)
                    .fetch_all(self.pool())
                    .await?
                {
                    *c.entry(r.try_get("person_id")?).or_default() += r.try_get::<i64, _>("n")?;
                }
            }
            c
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = person_from(r)?;
            let paid: Option<String> = r.try_get("paid_through")?;
            let last: Option<String> = r.try_get("last_participation")?;
            let last = last.as_deref().and_then(|s| Day::parse(s).ok());
            let participation = counts.get(&p.id).copied().unwrap_or(0) as u32;
            let facts = PersonFacts {
                status: p.status,
                in_party_unit,
                programme_accepted: p.programme_accepted,
                admitted_on: p.admitted_on,
                paid_through: paid.as_deref().and_then(|m| Month::parse(m).ok()),
                participation,
                last_participation: last,
            };
            let s = evaluate(rules, &facts, today);
            out.push((p, s));
        }
        Ok(out)
    }
}
