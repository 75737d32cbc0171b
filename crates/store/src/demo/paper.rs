//! The demo's central paper.

use crate::audit;
use crate::paper::{NewReport, Sender};
use crate::{Result, Store};
use core_rules::paper::{self, AgentReturn, ArticleState, Triage};
use core_rules::Day;

impl Store {
    /// The demo's central paper: six editions (five published, one in preparation), articles in
    /// every state, reports from correspondents (some anonymous, some triaged), standing orders
    /// for the local committees and circles, and returns for the editions out, the latest still
    /// coming in. Runs once, when the organisation has no publication yet.
    pub async fn seed_paper_demo(&self, today: Day) -> Result<()> {
        use core_rules::paper::demo::PAPER;
        if !self.publications().await?.is_empty() {
            return Ok(());
        }
        let units = self.units().await?;
        let Some(root) = units.iter().find(|u| u.parent_id.is_none()) else {
            return Ok(());
        };
        let p = self
            .create_publication(None, PAPER.0, PAPER.1, root.id, 5)
            .await?;
        let party: Vec<&crate::units::Unit> = units
            .iter()
            .filter(|u| matches!(u.kind.as_str(), "local" | "circle"))
            .collect();
        for u in &party {
            self.set_order(None, p, u.id, 5 + (u.id * 7 % 31)).await?;
            if u.id % 4 == 0 {
                self.subscribe(None, p, u.id, None, 1 + u.id % 3).await?;
            }
        }
        let price = 150;
        let editions = self.demo_editions(p, today, price).await?;
        self.demo_returns(&units, &editions, price).await?;
        self.demo_reports(&party, &editions, today).await?;
        Ok(())
    }

    /// The demo paper's editions, a week apart, each with three articles: all published but the
    /// last, which is being prepared (one article a draft, one edited, one approved). Each
    /// edition's id, its articles, and whether it is the last.
    async fn demo_editions(
        &self,
        p: i64,
        today: Day,
        price: i64,
    ) -> Result<Vec<(i64, Vec<i64>, bool)>> {
        use core_rules::paper::demo::{ARTICLES, HEADLINES};
        let mut editions = Vec::new();
        for (i, headline) in HEADLINES.iter().enumerate() {
            let date = today.add_days(-7 * (HEADLINES.len() - 1 - i) as i64);
            let e = self
                .create_edition(
                    None,
                    p,
                    &paper::NewEdition {
                        number: i as i64 + 1,
                        date,
                        price_cents: price,
                        headline: headline.to_string(),
                    },
                )
                .await?;
            let last = i + 1 == HEADLINES.len();
            let mut article_ids = Vec::new();
            for (k, (title, body)) in ARTICLES[i * 3..i * 3 + 3].iter().enumerate() {
                let a = self.create_article(None, p, Some(e), title, body).await?;
                // In the edition being prepared: one draft, one edited, one approved.
                let steps = if last { k } else { 2 };
                for to in [ArticleState::Edited, ArticleState::Approved]
                    .into_iter()
                    .take(steps)
                {
                    self.move_article(None, a, to).await?;
                }
                article_ids.push(a);
            }
            if !last {
                self.publish_edition(None, e).await?;
                self.plan_edition(None, e).await?;
            }
            editions.push((e, article_ids, last));
        }
        Ok(editions)
    }

    /// The agents' returns of the demo's published editions.
    async fn demo_returns(
        &self,
        units: &[crate::units::Unit],
        editions: &[(i64, Vec<i64>, bool)],
        price: i64,
    ) -> Result<()> {
        // Returns: all in for the older editions; for the latest published one, two units in
        // three have reported (never the demo agent's circle, so there is one to record).
        let agent_unit = units
            .iter()
            .find(|u| u.code == "clyde-govan-yard")
            .map(|u| u.id);
        let published: Vec<_> = editions.iter().filter(|e| !e.2).collect();
        for (n, (e, _, _)) in published.iter().enumerate() {
            let latest = n + 1 == published.len();
            let c = self.circulation(*e).await?;
            for b in &c.plan.bundles {
                if latest && (b.unit % 3 == 0 || Some(b.unit) == agent_unit) {
                    continue;
                }
                let h = (b.unit * 31 + n as i64 * 17) as u64;
                let received = if h.is_multiple_of(11) {
                    b.copies.saturating_sub(2)
                } else {
                    b.copies
                };
                let sold = received * (60 + h % 36) / 100;
                let free = if received - sold > 2 { 1 } else { 0 };
                let unaccounted = if h.is_multiple_of(13) && received - sold - free > 0 {
                    1
                } else {
                    0
                };
                let returned = received - sold - free - unaccounted;
                let mut remitted = sold as i64 * price;
                if h.is_multiple_of(7) {
                    remitted -= (remitted).min(150 * (1 + (h % 3) as i64));
                }
                self.record_return(
                    None,
                    *e,
                    &AgentReturn {
                        unit: b.unit,
                        received,
                        sold,
                        free,
                        returned,
                        remitted_cents: remitted,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The demo's reports from below, over the last year, some triaged by its editor.
    async fn demo_reports(
        &self,
        party: &[&crate::units::Unit],
        editions: &[(i64, Vec<i64>, bool)],
        today: Day,
    ) -> Result<()> {
        use core_rules::paper::demo::REPORTS;
        // Reports from below, over the last year.
        let circles: Vec<&&crate::units::Unit> =
            party.iter().filter(|u| u.kind == "circle").collect();
        let mut ids: Vec<i64> = Vec::new();
        for (i, (category, text)) in REPORTS.iter().enumerate() {
            let Some(u) = circles.get(i * 7 % circles.len().max(1)) else {
                break;
            };
            let sender = if i % 2 == 0 {
                Sender::Anonymous
            } else {
                let person: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM persons WHERE unit_id = $1 AND status = 'member' ORDER BY id LIMIT 1",
                )
                .bind(u.id)
                .fetch_optional(self.pool())
                .await?;
                match person {
                    // The report is the member's; no account sent it (the demo seeds it).
                    Some(person) => Sender::Person { person, account: 0 },
                    None => Sender::Anonymous,
                }
            };
            let r = NewReport {
                category: *category,
                unit_id: u.id,
                happened_on: today.add_days(-((i as i64 * 15) % 360)),
                body: text.to_string(),
            };
            let id = match sender {
                Sender::Person { person, .. } => self.submit_report_as(person, &r, today).await?,
                Sender::Anonymous => self.submit_report(Sender::Anonymous, &r).await?,
            };
            ids.push(id);
        }
        let used_in = editions.first().map(|e| e.1[2]);
        // The demo's editor triages them, so the reports decided are assigned to them: their
        // desk offers to show who sent the named ones, and nobody else's does.
        let editor: Option<i64> = sqlx::query_scalar(
            "SELECT account_id FROM roles WHERE role = 'editor' AND ended_at IS NULL \
             ORDER BY id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        for (i, id) in ids.iter().enumerate() {
            let t = match i % 6 {
                0 => Some(Triage::Accept),
                1 => used_in.map(Triage::UseIn),
                2 => Some(Triage::Reject),
                3 => Some(Triage::MergeInto(ids[i - 2])),
                _ => None,
            };
            if let Some(t) = t {
                self.triage_report(editor, *id, t).await?;
            }
        }
        Ok(())
    }

    /// A report under a member's name, recorded without an account (the demo's seeding).
    async fn submit_report_as(&self, person: i64, r: &NewReport, today: Day) -> Result<i64> {
        let body = paper::reports::check(&r.body, r.happened_on, today).map_err(crate::rule)?;
        let mut tx = self.write().await?;
        let id: i64 = rand::random::<i64>() & i64::MAX;
        sqlx::query(
            "INSERT INTO reports (id, category, unit_id, happened_on, month, received_on, body, sender_person_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(r.category.code())
        .bind(r.unit_id)
        .bind(r.happened_on.to_string())
        .bind(r.happened_on.month().to_string())
        .bind(today.to_string())
        .bind(&body)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, None, "report.received", None, &[]).await?;
        tx.commit().await?;
        Ok(id)
    }
}
