//! The floor: the agenda, and the speakers' lists with their rules and tags.

use super::{event, participant_in, AgendaItem, Happening, Kind, Speaker};
use crate::refused;
use crate::{now, Result, Store, StoreError};
use core_rules::congress::speakers;
use core_rules::{quantity, text as limits};
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    pub async fn add_agenda_item(
        &self,
        congress: i64,
        title: &str,
        motion: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(refused("an agenda item needs a title"));
        }
        limits::AGENDA_TITLE.check(title.trim())?;
        self.congress_or(congress).await?;
        let mut tx = self.write().await?;
        let pos: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM congress_agenda WHERE congress_id = $1",
        )
        .bind(congress)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_agenda (congress_id, position, title, motion_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(congress)
        .bind(pos)
        .bind(title.trim())
        .bind(motion)
        .fetch_one(&mut *tx)
        .await?;
        event(&mut tx, congress, &Happening::AgendaItem, None, Some(id)).await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.agenda",
            Some(("congress", congress)),
            &[("item", id.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Agenda);
        Ok(id)
    }

    pub async fn agenda(&self, congress: i64) -> Result<Vec<AgendaItem>> {
        let rows = sqlx::query(
            "SELECT id, position, title, motion_id, speech_minutes, alternate_tags FROM congress_agenda WHERE congress_id = $1 ORDER BY position",
        )
        .bind(congress)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgendaItem {
                    id: r.try_get("id")?,
                    position: r.try_get("position")?,
                    title: r.try_get("title")?,
                    motion_id: r.try_get("motion_id")?,
                    speech_minutes: r.try_get("speech_minutes")?,
                    alternate_tags: r.try_get::<i64, _>("alternate_tags")? != 0,
                })
            })
            .collect()
    }

    /// Puts a participant on an item's speakers' list (a point of order goes before the others).
    /// Guests do not speak.
    pub async fn request_floor(
        &self,
        item: i64,
        participant: i64,
        point_of_order: bool,
        minutes: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let p = participant_in(&mut tx, participant).await?;
        let r =
            sqlx::query("SELECT congress_id, speech_minutes FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?;
        let (congress, limit) = match r {
            Some(r) => (
                Some(r.try_get::<i64, _>("congress_id")?),
                r.try_get::<i64, _>("speech_minutes")?,
            ),
            None => (None, 5),
        };
        // No time asked for: the item's limit.
        let minutes = if minutes <= 0 { limit } else { minutes };
        if congress != Some(p.congress_id) {
            return Err(StoreError::NotFound(format!("agenda item {item}")));
        }
        if p.kind == Kind::Guest {
            return Err(refused("guests do not take the floor"));
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM congress_speakers WHERE item_id = $1 AND participant_id = $2 AND state = 'waiting' AND point_of_order = $3",
        )
        .bind(item)
        .bind(participant)
        .bind(point_of_order as i64)
        .fetch_one(&mut *tx)
        .await?;
        if waiting > 0 {
            return Err(refused("already on the list of speakers"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO congress_speakers (item_id, participant_id, point_of_order, minutes, state) \
             VALUES ($1, $2, $3, $4, 'waiting') RETURNING id",
        )
        .bind(item)
        .bind(participant)
        .bind(point_of_order as i64)
        .bind(minutes.clamp(1, 120))
        .fetch_one(&mut *tx)
        .await?;
        event(
            &mut tx,
            p.congress_id,
            &Happening::Floor { point_of_order },
            Some(participant),
            Some(item),
        )
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.floor",
            Some(("congress", p.congress_id)),
            &[("item", item.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(p.congress_id, core_rules::congress::record::Part::Speaker);
        Ok(id)
    }

    /// The presidium calls the next speaker on an item: the one speaking is done, and the first
    /// point of order waiting (else the next on the list, alternating tags when the item has a
    /// quota) takes the floor, for the item's time limit.
    pub async fn next_speaker(&self, item: i64, by: Option<i64>) -> Result<Option<Speaker>> {
        let mut tx = self.write().await?;
        let congress: i64 =
            sqlx::query_scalar("SELECT congress_id FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("agenda item {item}")))?;
        sqlx::query(
            "UPDATE congress_speakers SET state = 'done' WHERE item_id = $1 AND state = 'speaking'",
        )
        .bind(item)
        .execute(&mut *tx)
        .await?;
        // The order: points of order first, then the list, alternating tags when the item's
        // quota says so (core_rules::congress::speakers).
        let rules =
            sqlx::query("SELECT speech_minutes, alternate_tags FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_one(&mut *tx)
                .await?;
        let limit: i64 = rules.try_get("speech_minutes")?;
        let alternate = rules.try_get::<i64, _>("alternate_tags")? != 0;
        let waiting = sqlx::query(
            "SELECT id, participant_id, point_of_order, tag FROM congress_speakers \
             WHERE item_id = $1 AND state = 'waiting' ORDER BY id",
        )
        .bind(item)
        .fetch_all(&mut *tx)
        .await?;
        let mut list = Vec::with_capacity(waiting.len());
        let mut who_of = BTreeMap::new();
        for r in &waiting {
            let id: i64 = r.try_get("id")?;
            who_of.insert(id, r.try_get::<i64, _>("participant_id")?);
            list.push(speakers::Waiting {
                id,
                point_of_order: r.try_get::<i64, _>("point_of_order")? != 0,
                tag: r.try_get("tag")?,
            });
        }
        let last_tag: Option<String> = sqlx::query_scalar(
            "SELECT tag FROM congress_speakers WHERE item_id = $1 AND state = 'done' \
             AND point_of_order = 0 AND called IS NOT NULL ORDER BY called DESC LIMIT 1",
        )
        .bind(item)
        .fetch_optional(&mut *tx)
        .await?;
        let next =
            speakers::next(&list, last_tag.as_deref(), alternate).map(|id| (id, who_of[&id]));
        if let Some((id, who)) = next {
            sqlx::query(
                "UPDATE congress_speakers SET state = 'speaking', started_at = $2, minutes = $3, \
                 called = (SELECT COALESCE(MAX(called), 0) + 1 FROM congress_speakers WHERE item_id = $4) \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now())
            .bind(speakers::limit_minutes(limit))
            .bind(item)
            .execute(&mut *tx)
            .await?;
            event(&mut tx, congress, &Happening::Spoke, Some(who), Some(item)).await?;
        }
        crate::audit::append(
            &mut tx,
            by,
            "congress.next_speaker",
            Some(("congress", congress)),
            &[("item", item.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Speaker);
        Ok(self
            .speakers(item)
            .await?
            .into_iter()
            .find(|s| s.state == "speaking"))
    }

    pub async fn speakers(&self, item: i64) -> Result<Vec<Speaker>> {
        let rows = sqlx::query(
            "SELECT s.id, s.item_id, s.participant_id, p.pseudonym, s.point_of_order, s.minutes, s.state, s.tag, s.started_at, s.called \
             FROM congress_speakers s JOIN congress_participants cp ON cp.id = s.participant_id \
             JOIN persons p ON p.id = cp.person_id WHERE s.item_id = $1 \
             ORDER BY CASE s.state WHEN 'speaking' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, \
             s.point_of_order DESC, s.id",
        )
        .bind(item)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Speaker {
                    id: r.try_get("id")?,
                    item_id: r.try_get("item_id")?,
                    participant_id: r.try_get("participant_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    point_of_order: r.try_get::<i64, _>("point_of_order")? != 0,
                    minutes: r.try_get("minutes")?,
                    state: r.try_get("state")?,
                    tag: r.try_get("tag")?,
                    started_at: r.try_get("started_at")?,
                    called: r.try_get("called")?,
                })
            })
            .collect()
    }

    /// Who has the floor at a congress now, on any item.
    pub async fn current_speaker(&self, congress: i64) -> Result<Option<Speaker>> {
        let item: Option<i64> = sqlx::query_scalar(
            "SELECT s.item_id FROM congress_speakers s JOIN congress_agenda a ON a.id = s.item_id \
             WHERE a.congress_id = $1 AND s.state = 'speaking' ORDER BY s.id DESC LIMIT 1",
        )
        .bind(congress)
        .fetch_optional(self.pool())
        .await?;
        match item {
            Some(i) => Ok(self
                .speakers(i)
                .await?
                .into_iter()
                .find(|s| s.state == "speaking")),
            None => Ok(None),
        }
    }

    /// The presidium sets an item's time limit per speech and whether its list alternates tags.
    pub async fn set_speaking_rules(
        &self,
        item: i64,
        minutes: i64,
        alternate: bool,
        by: Option<i64>,
    ) -> Result<()> {
        quantity::SPEECH_MINUTES.check(minutes)?;
        let mut tx = self.write().await?;
        let congress: i64 =
            sqlx::query_scalar("SELECT congress_id FROM congress_agenda WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("agenda item {item}")))?;
        sqlx::query(
            "UPDATE congress_agenda SET speech_minutes = $1, alternate_tags = $2 WHERE id = $3",
        )
        .bind(minutes)
        .bind(alternate as i64)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        // Those still waiting get the new limit; the one speaking keeps theirs.
        sqlx::query(
            "UPDATE congress_speakers SET minutes = $1 WHERE item_id = $2 AND state = 'waiting'",
        )
        .bind(minutes)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.speaking_rules",
            Some(("congress", congress)),
            &[("item", item.into()), ("minutes", minutes.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Speaker);
        Ok(())
    }

    /// The presidium tags a speaker on a list, for the quota (a short word; empty removes it).
    pub async fn tag_speaker(&self, speaker: i64, tag: &str, by: Option<i64>) -> Result<()> {
        let tag = limits::TAG.check(tag.trim())?.to_lowercase();
        let mut tx = self.write().await?;
        let congress: i64 = sqlx::query_scalar(
            "SELECT a.congress_id FROM congress_speakers s JOIN congress_agenda a ON a.id = s.item_id WHERE s.id = $1",
        )
        .bind(speaker)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("speaker {speaker}")))?;
        sqlx::query("UPDATE congress_speakers SET tag = $1 WHERE id = $2")
            .bind(&tag)
            .bind(speaker)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            by,
            "congress.tag_speaker",
            Some(("congress", congress)),
            &[("speaker", speaker.into())],
        )
        .await?;
        tx.commit().await?;
        self.changed(congress, core_rules::congress::record::Part::Speaker);
        Ok(())
    }

    /// An item's list as it will be called: the one speaking, then those waiting in the order
    /// the rule gives (points of order first, tags alternating under a quota), then those done.
    pub async fn speaking_order(&self, item: &AgendaItem) -> Result<Vec<Speaker>> {
        let all = self.speakers(item.id).await?;
        let last_tag = all
            .iter()
            .filter(|s| !s.point_of_order && s.state != "waiting")
            .max_by_key(|s| s.called)
            .map(|s| s.tag.clone());
        let mut waiting: Vec<&Speaker> = all.iter().filter(|s| s.state == "waiting").collect();
        waiting.sort_by_key(|s| s.id);
        let list: Vec<speakers::Waiting> = waiting
            .iter()
            .map(|s| speakers::Waiting {
                id: s.id,
                point_of_order: s.point_of_order,
                tag: s.tag.clone(),
            })
            .collect();
        let order = speakers::order(&list, last_tag.as_deref(), item.alternate_tags);
        let by_id: BTreeMap<i64, &Speaker> = all.iter().map(|s| (s.id, s)).collect();
        let mut out: Vec<Speaker> = all
            .iter()
            .filter(|s| s.state == "speaking")
            .cloned()
            .collect();
        out.extend(order.iter().map(|id| by_id[id].clone()));
        out.extend(all.iter().filter(|s| s.state == "done").cloned());
        Ok(out)
    }
}
