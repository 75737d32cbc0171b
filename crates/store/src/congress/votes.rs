//! Votes: opened on a motion, an amendment, the credentials report or a question; cast by
//! roll call or in secret; closed with their outcome.

use super::{
    decision_word, event, participant_in, quorum_in, random_key, vote_row, Congress, Happening,
    Kind, RollEntry, StatutesReading, StoredOutcome, Vote, VOTE_SELECT,
};
use crate::audit::Value;
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::blocs::Choice;
use core_rules::congress::record::{Presence, Tally};
use core_rules::congress::text::{self, Amendment};
use core_rules::text as limits;
use core_rules::{Because, Refusal, Typed, Word};
use count::motion::{self, Cast, Decision, Outcome, Rule};
use sqlx::{Any, Row, Transaction};

impl Store {
    /// Opens a vote: on a motion, an amendment, the credentials report, or a question.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_vote(
        &self,
        congress: i64,
        subject: &str,
        subject_id: Option<i64>,
        title: &str,
        secret: bool,
        rule: Rule,
        by: Option<i64>,
    ) -> Result<i64> {
        limits::VOTE_TITLE.check(title.trim())?;
        let c = self.congress_or(congress).await?;
        let title = self.vote_title(&c, subject, subject_id, title).await?;
        let mut tx = self.write().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_votes WHERE congress_id = $1 AND subject = $2 \
             AND COALESCE(subject_id, 0) = $3 AND state = 'open'",
        )
        .bind(congress)
        .bind(subject)
        .bind(subject_id.unwrap_or(0))
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 && subject != "question" {
            return Err(refused("a vote on this is already open"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_votes (congress_id, subject, subject_id, title, secret, rule, state, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(congress)
        .bind(subject)
        .bind(subject_id)
        .bind(&title)
        .bind(secret as i64)
        .bind(serde_json::to_string(&rule).map_err(|e| StoreError::Internal(e.to_string()))?)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            congress,
            &Happening::VoteOpened { secret },
            None,
            Some(id),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.vote_open",
            Some(("vote", id)),
            &[("secret", (secret as i64).into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Vote);
        Ok(id)
    }

    /// The title a vote is opened under, after the checks its subject asks for: a motion of this
    /// congress, readable if it amends the statutes; an amendment still submitted; credentials
    /// not yet approved; a question with a title.
    async fn vote_title(
        &self,
        c: &Congress,
        subject: &str,
        subject_id: Option<i64>,
        title: &str,
    ) -> Result<String> {
        let congress = c.id;
        Ok(match (subject, subject_id) {
            ("motion", Some(id)) => {
                let m = self.motion_or(id).await?;
                if m.congress_id != congress {
                    return Err(StoreError::NotFound(format!("motion {id}")));
                }
                // A statutes motion whose text cannot be read one way is amended first: the
                // congress must know what it adopts.
                let reading = if m.statutes {
                    self.statutes_change_of(c, &self.consolidated(id).await?)
                        .await?
                } else {
                    Ok(None)
                };
                if let Err(e) = reading {
                    return Err(Refusal::new("the motion cannot be put to the vote: {}")
                        .arg(Because(&e))
                        .into());
                }
                if title.trim().is_empty() {
                    m.title
                } else {
                    title.trim().to_string()
                }
            }
            ("amendment", Some(id)) => {
                let motion: i64 =
                    sqlx::query_scalar("SELECT motion_id FROM congress_amendments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.pool())
                        .await?
                        .ok_or_else(|| StoreError::NotFound(format!("amendment {id}")))?;
                let m = self.motion_or(motion).await?;
                if m.congress_id != congress {
                    return Err(StoreError::NotFound(format!("amendment {id}")));
                }
                let a = self
                    .amendments(motion)
                    .await?
                    .into_iter()
                    .find(|a| a.amendment.id == id)
                    .expect("listed");
                if a.state != "submitted" {
                    return Err(
                        Refusal::new("amendment {} is {}; it is not put to the vote")
                            .arg(id)
                            .arg(Word(&a.state))
                            .into(),
                    );
                }
                if title.trim().is_empty() {
                    format!("Amendment {id} to {}", m.title)
                } else {
                    title.trim().to_string()
                }
            }
            ("credentials", _) => {
                if c.credentials_approved {
                    return Err(refused("the credentials report is already approved"));
                }
                "The credentials committee's report".to_string()
            }
            ("question", _) if !title.trim().is_empty() => title.trim().to_string(),
            ("question", _) => return Err(refused("a question put to the vote needs a title")),
            _ => {
                return Err(Refusal::on("subject", "cannot vote on {}")
                    .arg(Typed(subject))
                    .into())
            }
        })
    }

    pub async fn vote(&self, id: i64) -> Result<Option<Vote>> {
        sqlx::query(&format!("{VOTE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| vote_row(&r))
            .transpose()
    }

    pub async fn votes(&self, congress: i64) -> Result<Vec<Vote>> {
        sqlx::query(&format!("{VOTE_SELECT} WHERE congress_id = $1 ORDER BY id"))
            .bind(congress)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(vote_row)
            .collect()
    }

    /// Casts a participant's vote, all their mandates on one choice. Refused, with the first
    /// vote kept: a second vote, a vote after the close, a vote without a mandate.
    pub async fn cast_vote(
        &self,
        vote: i64,
        participant: i64,
        choice: Choice,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let r = sqlx::query("SELECT congress_id, secret, state FROM congress_votes WHERE id = $1")
            .bind(vote)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("vote {vote}")))?;
        let congress: i64 = r.try_get("congress_id")?;
        let secret = r.try_get::<i64, _>("secret")? != 0;
        if r.try_get::<String, _>("state")? != "open" {
            return Err(refused("this vote is closed: no more votes are taken"));
        }
        let p = participant_in(&mut tx, participant).await?;
        if p.congress_id != congress {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if p.kind != Kind::Delegate || p.mandates == 0 {
            return Err(refused("this participant holds no mandate and cannot vote"));
        }
        if p.credential == "rejected" {
            return Err(refused(
                "this delegate's credentials were rejected: no vote",
            ));
        }
        if !p.present {
            return Err(refused("this delegate is not checked in: check in to vote"));
        }
        let table = if secret {
            "congress_voters"
        } else {
            "congress_roll"
        };
        let voted: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE vote_id = $1 AND participant_id = $2"
        ))
        .bind(vote)
        .bind(participant)
        .fetch_one(&mut *tx)
        .await?;
        if voted > 0 {
            return Err(refused(
                "this delegate has already voted; the first vote stands",
            ));
        }
        if secret {
            sqlx::query("INSERT INTO congress_voters (vote_id, participant_id) VALUES ($1, $2)")
                .bind(vote)
                .bind(participant)
                .execute(&mut *tx)
                .await?;
            for _ in 0..p.mandates {
                sqlx::query(
                    "INSERT INTO congress_ballots (id, vote_id, choice) VALUES ($1, $2, $3)",
                )
                .bind(random_key())
                .bind(vote)
                .bind(choice.code())
                .execute(&mut *tx)
                .await?;
            }
            crate::audit::append(&mut tx, by, "congress.ballot", Some(("vote", vote)), &[]).await?;
        } else {
            sqlx::query("INSERT INTO congress_roll (vote_id, participant_id, choice, weight) VALUES ($1, $2, $3, $4)")
                .bind(vote)
                .bind(participant)
                .bind(choice.code())
                .bind(p.mandates as i64)
                .execute(&mut *tx)
                .await?;
            crate::audit::append(
                &mut tx,
                by,
                "congress.roll_vote",
                Some(("vote", vote)),
                &[
                    ("participant", participant.into()),
                    ("choice", Value::Word(choice.code())),
                ],
            )
            .await?;
        }
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Tally);
        Ok(())
    }

    /// Votes cast so far (mandates), without saying how.
    pub async fn votes_cast(&self, vote: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM congress_ballots WHERE vote_id = $1) + \
             (SELECT CAST(COALESCE(SUM(weight), 0) AS BIGINT) FROM congress_roll WHERE vote_id = $1)",
        )
        .bind(vote)
        .fetch_one(self.pool())
        .await?;
        Ok(n as u64)
    }

    /// Closes a vote and decides it by the count's motion rule, with the mandates entitled and
    /// present at the close. An adopted amendment is adopted and those conflicting with it fall;
    /// a decided motion takes its state; an approved credentials report is approved.
    pub async fn close_vote(&self, vote: i64, by: Option<i64>) -> Result<Outcome> {
        let v = self
            .vote(vote)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("vote {vote}")))?;
        if !v.open {
            return Err(refused("this vote is already closed"));
        }
        let c = self.congress_or(v.congress_id).await?;
        // A motion amending the statutes: the rules its text would put in force. Its vote opened
        // only if the text could be read; should amendments adopted since have made it
        // ambiguous, the vote still closes and the minutes say the rules were left unchanged.
        let statutes_change = match (v.subject.as_str(), v.subject_id) {
            ("motion", Some(m)) => self.statutes_change(&c, m).await?,
            _ => Ok(None),
        };
        let kinds = self.unit_kinds().await?;
        let mut tx = self.write().await?;
        let q = quorum_in(&mut tx, v.congress_id, c.quorum).await?;
        let casts = casts_in(&mut tx, vote, v.secret).await?;
        let cast: u64 = casts.iter().map(|c| c.mandates).sum();
        // Those who voted and then left still count as present for this vote.
        let present = q.present.max(cast);
        let entitled = q.entitled.max(present);
        let outcome = motion::decide(
            &motion::Input {
                entitled,
                present: Some(present),
                votes: casts,
            },
            &v.rule,
            vote as u64,
        )
        .map_err(|e| StoreError::Internal(format!("the vote could not be counted: {e}")))?;
        sqlx::query("UPDATE congress_votes SET state = 'closed', closed_at = $1, outcome = $2 WHERE id = $3")
            .bind(now())
            .bind(serde_json::to_string(&StoredOutcome::from(&outcome)).map_err(|e| StoreError::Internal(e.to_string()))?)
            .bind(vote)
            .execute(&mut *tx)
            .await?;
        self.settle(&mut tx, &v, &c, &kinds, &statutes_change, &outcome)
            .await?;
        let word = decision_word(outcome.decision);
        let tally = Tally {
            decision: outcome.decision,
            yes: outcome.yes as i64,
            no: outcome.no as i64,
            abstain: outcome.abstain as i64,
            presence: Presence {
                present: outcome.present as i64,
                entitled: outcome.entitled as i64,
            },
        };
        event(
            &mut tx,
            v.congress_id,
            &Happening::VoteClosed(tally),
            None,
            Some(vote),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.vote_close",
            Some(("vote", vote)),
            &[
                ("decision", Value::Word(word)),
                ("yes", outcome.yes.into()),
                ("no", outcome.no.into()),
                ("abstain", outcome.abstain.into()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.changed(v.congress_id, core_rules::congress::record::Part::Vote);
        Ok(outcome)
    }

    /// What a decided vote changes: an amendment adopted or rejected (and those conflicting with
    /// an adopted one fall), a motion's state (and the statutes, if it amends them), the
    /// credentials report approved.
    async fn settle(
        &self,
        tx: &mut Transaction<'_, Any>,
        v: &Vote,
        c: &Congress,
        kinds: &[core_rules::units::UnitKind],
        statutes_change: &StatutesReading,
        outcome: &Outcome,
    ) -> Result<()> {
        let adopted = outcome.decision == Decision::Adopted;
        match (v.subject.as_str(), v.subject_id) {
            ("amendment", Some(a)) => {
                let motion: i64 =
                    sqlx::query_scalar("SELECT motion_id FROM congress_amendments WHERE id = $1")
                        .bind(a)
                        .fetch_one(&mut **tx)
                        .await?;
                sqlx::query("UPDATE congress_amendments SET state = $1 WHERE id = $2")
                    .bind(if adopted { "adopted" } else { "rejected" })
                    .bind(a)
                    .execute(&mut **tx)
                    .await?;
                if adopted {
                    let all: Vec<Amendment> = self
                        .amendments(motion)
                        .await?
                        .into_iter()
                        .map(|x| x.amendment)
                        .collect();
                    for f in text::fall_with(a, &all) {
                        sqlx::query("UPDATE congress_amendments SET state = 'fallen' WHERE id = $1 AND state = 'submitted'")
                            .bind(f)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
            }
            ("motion", Some(m)) if outcome.decision != Decision::NoQuorum => {
                sqlx::query("UPDATE congress_motions SET state = $1 WHERE id = $2")
                    .bind(if adopted { "adopted" } else { "rejected" })
                    .bind(m)
                    .execute(&mut **tx)
                    .await?;
                match (adopted, statutes_change) {
                    (true, Ok(Some((rules, effective, _)))) => {
                        let version = crate::statutes::insert_version(
                            tx,
                            kinds,
                            rules,
                            self.today(),
                            *effective,
                            &c.name,
                        )
                        .await?;
                        event(
                            tx,
                            v.congress_id,
                            &Happening::StatutesAmended { version },
                            None,
                            Some(m),
                        )
                        .await?;
                    }
                    (true, Err(e)) => {
                        event(
                            tx,
                            v.congress_id,
                            &Happening::StatutesUnread {
                                reason: e.to_string(),
                            },
                            None,
                            Some(m),
                        )
                        .await?;
                    }
                    _ => {}
                }
            }
            ("credentials", _) if adopted => {
                sqlx::query("UPDATE congresses SET credentials_approved = 1 WHERE id = $1")
                    .bind(v.congress_id)
                    .execute(&mut **tx)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// For a motion that amends the statutes: the rules that adopting it would put in force, from
    /// when (the congress's day, or today if that has passed), and what changes on which line.
    /// Its consolidated text is read by `core_rules::clauses`: Paragraph 1's two wordings and the
    /// clauses with a number that the statutes hold as data. `Ok(None)` when the motion is not a
    /// statutes motion or changes nothing; the inner error when its text is ambiguous or would
    /// give statutes that are not valid.
    pub async fn statutes_change(&self, c: &Congress, motion: i64) -> Result<StatutesReading> {
        let m = self.motion_or(motion).await?;
        if !m.statutes {
            return Ok(Ok(None));
        }
        let text = self.consolidated(motion).await?;
        self.statutes_change_of(c, &text).await
    }

    /// The same for a statutes motion's consolidated text already in hand (the motion's page
    /// has it).
    pub async fn statutes_change_of(
        &self,
        c: &Congress,
        text: &[String],
    ) -> Result<StatutesReading> {
        let effective = c.held_on.max(self.today());
        let rules = self.statutes_on(effective).await?.rules;
        let kinds = self.unit_kinds().await?;
        Ok(core_rules::clauses::amend(&rules, text, &kinds)
            .map(|r| r.map(|(rules, changes)| (rules, effective, changes))))
    }

    /// A roll call's record: who voted how, with their weight.
    pub async fn roll(&self, vote: i64) -> Result<Vec<RollEntry>> {
        let rows = sqlx::query(
            "SELECT r.participant_id, p.pseudonym, r.choice, r.weight FROM congress_roll r \
             JOIN congress_participants cp ON cp.id = r.participant_id JOIN persons p ON p.id = cp.person_id \
             WHERE r.vote_id = $1 ORDER BY p.pseudonym",
        )
        .bind(vote)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RollEntry {
                    participant_id: r.try_get("participant_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    choice: Choice::parse(&r.try_get::<String, _>("choice")?)
                        .unwrap_or(Choice::Abstain),
                    weight: r.try_get::<i64, _>("weight")? as u64,
                })
            })
            .collect()
    }

    /// Whether a participant has voted in a vote (either kind).
    pub async fn has_voted(&self, vote: i64, participant: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM congress_voters WHERE vote_id = $1 AND participant_id = $2) + \
             (SELECT COUNT(*) FROM congress_roll WHERE vote_id = $1 AND participant_id = $2)",
        )
        .bind(vote)
        .bind(participant)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }
}

fn cast_of(choice: Choice, n: u64) -> Cast {
    let mut c = Cast {
        mandates: n,
        yes: 0,
        no: 0,
        abstain: 0,
    };
    match choice {
        Choice::Yes => c.yes = n,
        Choice::No => c.no = n,
        Choice::Abstain => c.abstain = n,
    }
    c
}

/// The votes cast, as the count takes them: the secret ballots by choice, or the roll call's
/// entries with their weight.
async fn casts_in(tx: &mut Transaction<'_, Any>, vote: i64, secret: bool) -> Result<Vec<Cast>> {
    let mut casts: Vec<Cast> = Vec::new();
    if secret {
        let rows = sqlx::query(
            "SELECT choice, COUNT(*) AS n FROM congress_ballots WHERE vote_id = $1 GROUP BY choice",
        )
        .bind(vote)
        .fetch_all(&mut **tx)
        .await?;
        for r in rows {
            let n = r.try_get::<i64, _>("n")? as u64;
            let ch = Choice::parse(&r.try_get::<String, _>("choice")?).unwrap_or(Choice::Abstain);
            casts.push(cast_of(ch, n));
        }
    } else {
        let rows = sqlx::query("SELECT choice, weight FROM congress_roll WHERE vote_id = $1")
            .bind(vote)
            .fetch_all(&mut **tx)
            .await?;
        for r in rows {
            let n = r.try_get::<i64, _>("weight")? as u64;
            let ch = Choice::parse(&r.try_get::<String, _>("choice")?).unwrap_or(Choice::Abstain);
            casts.push(cast_of(ch, n));
        }
    }
    Ok(casts)
}
