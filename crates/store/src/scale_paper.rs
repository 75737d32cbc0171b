//! Writing a generated organisation's paper, correspondence and congress (issue 8).
//!
//! The rows come from `core_rules::generate_paper`, chunk by chunk: nothing holds a year of
//! bundles or a million reports in memory. Bundles are planned by the same rule as
//! [`Store::plan_edition`] (`core_rules::paper::plan` over the stored tree and the stored
//! standing orders, with the publication's reserve) and every return passes
//! `AgentReturn::check` against its bundle, so each edition reconciles as a planned and
//! recorded one would. The congress goes through the ordinary congress calls (convening by the
//! statutes' rule, participants, credentials, motions, amendments and votes): 500 delegates
//! are few enough for them.

use crate::scale::values;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::blocs::Choice;
use core_rules::congress::text::Edit;
use core_rules::generate::Scale;
use core_rules::generate_paper::{self as gen, ScalePublication};
use core_rules::paper::circulation::{reserve_base, reserve_for, Tree};
use core_rules::paper::{self, Orders};
use std::collections::HashMap;

/// Rows per multi-row INSERT.
const ROWS: usize = 500;
/// Reports per transaction.
const REPORTS_PER_TX: u64 = 50_000;
/// Bundles (and returns) per transaction, roughly: whole editions are never split.
const BUNDLES_PER_TX: usize = 60_000;

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

impl Store {
    /// The ids of the generated units, by their index in [`Scale::units`].
    async fn scale_unit_ids(&self, scale: &Scale) -> Result<Vec<i64>> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, code FROM units")
            .fetch_all(self.pool())
            .await?;
        let by_code: HashMap<String, i64> = rows.into_iter().map(|(id, c)| (c, id)).collect();
        scale
            .units()
            .iter()
            .map(|u| {
                by_code.get(&u.code).copied().ok_or_else(|| {
                    internal(format!(
                        "unit {} of the generator is not in the database; set it up with --with-units",
                        u.code
                    ))
                })
            })
            .collect()
    }

    async fn check_scale_people(&self, scale: &Scale) -> Result<()> {
        let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(self.pool())
            .await?;
        if people as u64 != scale.people() {
            return Err(internal(format!(
                "the database holds {people} people, the generator {}; import its CSV first",
                scale.people()
            )));
        }
        Ok(())
    }

    /// Adds the generated publications with their standing orders and a year of editions, each
    /// with its planned bundles and the agents' returns in so far. Returns the rows written.
    pub async fn seed_scale_paper(
        &self,
        scale: &Scale,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64> {
        if !self.publications().await?.is_empty() {
            return Err(internal("this database already has publications"));
        }
        let ids = self.scale_unit_ids(scale).await?;
        let index_of: HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        let tree = self.circulation_tree().await?;
        let mut written = 0u64;
        for (p, publication) in gen::publications(scale).iter().enumerate() {
            written += self
                .seed_scale_publication(scale, p, publication, &ids, &index_of, &tree)
                .await?;
            progress(written);
        }
        // Fresh statistics, or PostgreSQL plans the picture's and circulation's queries blind.
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        Ok(written)
    }

    async fn seed_scale_publication(
        &self,
        scale: &Scale,
        p: usize,
        publication: &ScalePublication,
        ids: &[i64],
        index_of: &HashMap<i64, usize>,
        tree: &Tree,
    ) -> Result<u64> {
        let backend = self.backend();
        let mut written = 0u64;
        let mut tx = self.write().await?;
        let pub_id: i64 = sqlx::query_scalar(
            "INSERT INTO publications (code, name, unit_id, reserve_percent, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&publication.code)
        .bind(&publication.name)
        .bind(ids[publication.unit])
        .bind(publication.reserve_percent)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        for batch in publication.orders.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO paper_orders (publication_id, unit_id, copies) VALUES {}",
                values(backend, batch.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for &(u, c) in batch {
                q = q.bind(pub_id).bind(ids[u]).bind(c as i64);
            }
            q.execute(&mut *tx).await?;
            written += batch.len() as u64;
        }
        crate::audit::append(
            &mut tx,
            None,
            "scale.publication",
            Some(("publication", pub_id)),
            &[("orders", publication.orders.len().into())],
        )
        .await?;
        tx.commit().await?;

        // The orders do not change over the year: one plan serves every edition.
        let mut orders = Orders::default();
        for &(u, c) in &publication.orders {
            orders.units.insert(ids[u], c);
        }
        // As `plan_edition` plans: only the units the paper's unit may know of (the generator
        // orders no other), and a reserve on the copies ordered in the open.
        let paper_unit = ids[publication.unit];
        orders.units.retain(|&u, _| tree.may_know(paper_unit, u));
        orders.reserve = reserve_for(
            reserve_base(tree, &orders, paper_unit),
            publication.reserve_percent as u64,
        )
        .map_err(internal)?;
        let plan = paper::plan(tree, &orders).map_err(internal)?;

        written += self
            .seed_scale_editions(scale, p, publication, pub_id, &plan, index_of)
            .await?;
        Ok(written)
    }

    /// A publication's editions over the year, with the plan's bundles and the agents' returns,
    /// in transactions of about `BUNDLES_PER_TX` bundles. Returns how many rows.
    async fn seed_scale_editions(
        &self,
        scale: &Scale,
        p: usize,
        publication: &ScalePublication,
        pub_id: i64,
        plan: &paper::Plan,
        index_of: &HashMap<i64, usize>,
    ) -> Result<u64> {
        let backend = self.backend();
        let mut written = 0u64;
        let editions = gen::editions(scale, p, publication);
        let per_tx = (BUNDLES_PER_TX / plan.bundles.len().max(1)).max(1);
        for group in editions.chunks(per_tx) {
            let mut tx = self.write().await?;
            let (mut bundles, mut returns) = (0usize, 0usize);
            for e in group {
                let edition_id: i64 = sqlx::query_scalar(
                    "INSERT INTO editions (publication_id, number, issued_on, price_cents, headline, print_run, reserve, published) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(pub_id)
                .bind(e.number)
                .bind(e.issued_on.to_string())
                .bind(publication.price_cents)
                .bind(&e.headline)
                .bind(plan.print_run as i64)
                .bind(plan.reserve as i64)
                .bind(i64::from(e.published))
                .fetch_one(&mut *tx)
                .await?;
                for batch in plan.bundles.chunks(ROWS) {
                    let sql = format!(
                        "INSERT INTO bundles (edition_id, unit_id, ordered, subscribers, copies) VALUES {}",
                        values(backend, batch.len(), 5)
                    );
                    let mut q = sqlx::query(&sql);
                    for b in batch {
                        q = q
                            .bind(edition_id)
                            .bind(b.unit)
                            .bind(b.ordered as i64)
                            .bind(b.subscribers as i64)
                            .bind(b.copies as i64);
                    }
                    q.execute(&mut *tx).await?;
                }
                bundles += plan.bundles.len();
                let recorded_on = scale.today().min(e.issued_on.add_days(7)).to_string();
                let rs: Vec<_> = plan
                    .bundles
                    .iter()
                    .filter_map(|b| {
                        gen::agent_return(
                            scale,
                            p,
                            e,
                            index_of[&b.unit],
                            b.unit,
                            b.copies,
                            publication.price_cents,
                        )
                    })
                    .collect();
                for batch in rs.chunks(ROWS) {
                    let sql = format!(
                        "INSERT INTO bundle_returns (edition_id, unit_id, received, sold, free, returned, remitted_cents, recorded_on) VALUES {}",
                        values(backend, batch.len(), 8)
                    );
                    let mut q = sqlx::query(&sql);
                    for r in batch {
                        q = q
                            .bind(edition_id)
                            .bind(r.unit)
                            .bind(r.received as i64)
                            .bind(r.sold as i64)
                            .bind(r.free as i64)
                            .bind(r.returned as i64)
                            .bind(r.remitted_cents)
                            .bind(recorded_on.clone());
                    }
                    q.execute(&mut *tx).await?;
                }
                returns += rs.len();
            }
            // One entry per transaction of generated rows, never per row.
            crate::audit::append(
                &mut tx,
                None,
                "scale.editions",
                Some(("publication", pub_id)),
                &[
                    ("editions", group.len().into()),
                    ("bundles", bundles.into()),
                    ("returns", returns.into()),
                ],
            )
            .await?;
            tx.commit().await?;
            written += (group.len() + bundles + returns) as u64;
        }
        Ok(written)
    }

    /// Adds `count` generated reports from below, in transactions of 50,000. Returns how many.
    ///
    /// As a real desk would hold them: each decided report is assigned to an editor who holds
    /// office in the database now (the nearest above the report's unit, see
    /// `generate_paper::DeskEditors`; none if there is no editor), and those decided longer ago
    /// than the statutes keep a sender (`correspondence.sender_kept_days`) have lost theirs.
    pub async fn seed_scale_reports(
        &self,
        scale: &Scale,
        count: u64,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64> {
        self.check_scale_people(scale).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
            .fetch_one(self.pool())
            .await?;
        if existing > 0 {
            return Err(internal("this database already has reports"));
        }
        let ids = self.scale_unit_ids(scale).await?;
        let index_of: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let editors: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT r.unit_id, r.account_id FROM roles r JOIN accounts a ON a.id = r.account_id \
             WHERE r.role = 'editor' AND r.ended_at IS NULL AND a.suspended = 0",
        )
        .fetch_all(self.pool())
        .await?;
        let desk = gen::DeskEditors::new(
            scale,
            editors
                .into_iter()
                .filter_map(|(unit, account)| Some((*index_of.get(&unit)?, account))),
        );
        let keep = self
            .correspondence_on(scale.today())
            .await?
            .sender_kept_days;
        let backend = self.backend();
        let mut start = 1u64;
        while start <= count {
            let end = (start + REPORTS_PER_TX).min(count + 1);
            let reports = gen::reports(scale, start, end);
            let mut tx = self.write().await?;
            for batch in reports.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO reports (id, category, unit_id, happened_on, month, received_on, body, \
                     sender_person_id, status, counted, merged_into, assigned_to, decided_on) VALUES {}",
                    values(backend, batch.len(), 13)
                );
                let mut q = sqlx::query(&sql);
                for r in batch {
                    q = q
                        .bind(r.id)
                        .bind(r.category.code())
                        .bind(ids[r.unit])
                        .bind(r.happened_on.to_string())
                        .bind(r.happened_on.month().to_string())
                        .bind(r.received_on.to_string())
                        .bind(&r.body)
                        .bind(r.kept_sender(scale.today(), keep).map(|s| s as i64))
                        .bind(r.status)
                        .bind(i64::from(r.counted()))
                        .bind(r.merged_into)
                        .bind(desk.editor_of(r))
                        .bind(r.decided_on.map(|d| d.to_string()));
                }
                q.execute(&mut *tx).await?;
            }
            crate::audit::append(
                &mut tx,
                None,
                "scale.reports",
                None,
                &[("reports", reports.len().into())],
            )
            .await?;
            tx.commit().await?;
            progress(end - 1);
            start = end;
        }
        // Fresh statistics, or PostgreSQL plans the picture's and circulation's queries blind.
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        Ok(count)
    }

    /// Convenes the generated organisation's congress under its statutes' rule (500 mandates
    /// at a million people), registers a delegate with a vote for each unit with mandates,
    /// accepts their credentials and checks them in, and holds a debate on the draft statutes
    /// (Lenin's and Martov's wordings of Paragraph 1 as amendments) and two other motions: a
    /// roll call on Martov's amendment and a secret ballot on a motion. Returns the congress id.
    pub async fn seed_scale_congress(
        &self,
        scale: &Scale,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<i64> {
        use crate::congress::NewCongress;
        let today = scale.today();
        let c = self
            .convene(
                &NewCongress {
                    name: "Congress of the million".into(),
                    held_on: today.add_days(30),
                    membership_on: today,
                    rule: None,
                    quorum: (1, 2),
                    supporters_needed: 1,
                    motion_states: String::new(),
                },
                None,
            )
            .await?;
        let delegates = self.scale_delegates(c, today, progress).await?;
        if delegates.is_empty() {
            return Err(internal("no unit has a member with a vote to send"));
        }
        self.set_presence(c, &delegates, true, None).await?;
        let (martov, eight_hours) = self.scale_debate(c, &delegates).await?;
        self.scale_votes(scale, c, &delegates, martov, eight_hours)
            .await?;
        self.add_agenda_item(
            c,
            "Elections to the central committee and the editorial board",
            None,
            None,
        )
        .await?;
        Ok(c)
    }

    /// A delegate with a vote for each unit with mandates (the first member of the unit's
    /// first fifty who has one), their credentials accepted. Their participant ids.
    async fn scale_delegates(
        &self,
        c: i64,
        today: core_rules::Day,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<Vec<i64>> {
        use crate::congress::Kind;
        let mut delegates = Vec::new();
        // Under largest remainder most of the 10,000 units get no mandate: they send nobody.
        for m in self
            .mandates(c)
            .await?
            .into_iter()
            .filter(|m| m.mandates > 0)
        {
            let candidates: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM persons WHERE unit_id = $1 AND status = 'member' ORDER BY id LIMIT 50",
            )
            .bind(m.unit_id)
            .fetch_all(self.pool())
            .await?;
            for person in candidates {
                if self.standing(person, today).await?.0.vote {
                    let id = self
                        .add_participant(c, person, Kind::Delegate, m.mandates, None)
                        .await?;
                    self.set_credential(id, true, None).await?;
                    delegates.push(id);
                    break;
                }
            }
            progress(delegates.len() as u64);
        }
        Ok(delegates)
    }

    /// The agenda and the motions: the draft statutes with Lenin's and Martov's wordings of
    /// Paragraph 1 as amendments, the eight-hour day, the paper. Martov's amendment and the
    /// eight-hour motion, to vote on.
    async fn scale_debate(&self, c: i64, delegates: &[i64]) -> Result<(i64, i64)> {
        use crate::demo::DEMO_DRAFT_STATUTES;
        self.add_agenda_item(c, "Report of the credentials committee", None, None)
            .await?;
        let statutes = self
            .submit_motion(
                c,
                "Draft statutes",
                DEMO_DRAFT_STATUTES,
                true,
                Some(delegates[0]),
                None,
            )
            .await?;
        self.add_agenda_item(c, "The statutes", Some(statutes), None)
            .await?;
        let wording = |f: core_rules::statutes::Formula| Edit::Replace {
            from: 2,
            to: 2,
            text: vec![f.wording().to_string()],
        };
        self.propose_amendment(
            statutes,
            None,
            &wording(core_rules::statutes::Formula::Lenin),
            Some(delegates[0]),
            None,
        )
        .await?;
        let martov = self
            .propose_amendment(
                statutes,
                None,
                &wording(core_rules::statutes::Formula::Martov),
                delegates.get(1).copied(),
                None,
            )
            .await?;
        let eight_hours = self
            .submit_motion(
                c,
                "The eight-hour day",
                "The congress calls on every unit to campaign for the eight-hour day.\n\
                 The paper opens a column for reports on hours worked.",
                false,
                delegates.last().copied(),
                None,
            )
            .await?;
        self.add_agenda_item(c, "The eight-hour day", Some(eight_hours), None)
            .await?;
        let paper_motion = self
            .submit_motion(
                c,
                "The paper's print run",
                "Every circle takes a standing order of the central organ.",
                false,
                delegates.get(2).copied(),
                None,
            )
            .await?;
        self.add_agenda_item(c, "The paper", Some(paper_motion), None)
            .await?;
        Ok((martov, eight_hours))
    }

    /// A roll call on Martov's amendment and a secret ballot on the eight-hour day, every
    /// delegate voting as the seed has it, both closed.
    async fn scale_votes(
        &self,
        scale: &Scale,
        c: i64,
        delegates: &[i64],
        martov: i64,
        eight_hours: i64,
    ) -> Result<()> {
        // The roll call on Martov's wording: a close vote, decided delegate by delegate.
        let roll = self
            .open_vote(
                c,
                "amendment",
                Some(martov),
                "",
                false,
                count::motion::Rule::SIMPLE,
                None,
            )
            .await?;
        let secret = self
            .open_vote(
                c,
                "motion",
                Some(eight_hours),
                "",
                true,
                count::motion::Rule::SIMPLE,
                None,
            )
            .await?;
        for (k, &d) in delegates.iter().enumerate() {
            let bits = core_rules::generate_paper::report_id(scale.seed(), k as u64 + 7);
            let choice = match bits % 20 {
                0..=8 => Choice::Yes,
                9..=18 => Choice::No,
                _ => Choice::Abstain,
            };
            self.cast_vote(roll, d, choice, None).await?;
            let choice = if bits % 10 < 8 {
                Choice::Yes
            } else {
                Choice::No
            };
            self.cast_vote(secret, d, choice, None).await?;
        }
        self.close_vote(roll, None).await?;
        self.close_vote(secret, None).await?;
        Ok(())
    }
}
