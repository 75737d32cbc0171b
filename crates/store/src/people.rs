//! People: pseudonyms, identities kept apart, status and transfers with their history.

use crate::vault::{Field, Vault};
use crate::{now, Result, Store, StoreError};
use core_rules::people::{Identity, Status};
use core_rules::Day;
use core_rules::{money, text, Refusal};
use sqlx::{Any, Row, Transaction};

pub use core_rules::people::Person;

/// A person to be created.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub card: Option<String>,
    pub pseudonym: String,
    pub unit_id: i64,
    pub status: Status,
    pub since: Day,
    pub admitted_on: Option<Day>,
    pub programme_accepted: bool,
    pub monthly_income_cents: Option<i64>,
    pub reduced_rate: bool,
    pub identity: Identity,
}

/// One entry of a person's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub on_date: String,
    pub change: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub reason: String,
    pub by: Option<String>,
    /// The code of the unit the person belonged to when the entry was recorded (for a transfer,
    /// the unit they left): where its officer wrote it, and so what its login, its reason and
    /// its values may tell of. Read from the transfers in the order they were recorded.
    pub recorded_in: Option<String>,
}

macro_rules! person_columns {
    () => {
        "p.id, p.card, p.pseudonym, p.unit_id, p.status, p.since, \
         p.admitted_on, p.programme_accepted, p.monthly_income_cents, p.reduced_rate"
    };
}

pub(crate) const PERSON_COLUMNS: &str = person_columns!();

/// The people of one unit, by pseudonym (`$1`: the unit). Public so that the story tests can
/// ask each backend's planner whether it reads the (unit, pseudonym) index.
pub const PEOPLE_OF_UNIT_SQL: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM persons p WHERE p.unit_id = $1 ORDER BY p.pseudonym, p.id"
);

/// A branch's people by pseudonym prefix (`$1`: the branch's top unit, `$2`..`$3`: the prefix
/// range, `$4`: the limit). Public for the same reason.
pub const SEARCH_BRANCH_SQL: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM unit_tree t JOIN persons p ON p.unit_id = t.unit_id \
     WHERE t.ancestor_id = $1 AND p.pseudonym >= $2 AND p.pseudonym < $3 \
     ORDER BY p.pseudonym, p.id LIMIT $4"
);

/// What a viewer's search of a branch may cover; the web's access rules fill it in.
#[derive(Clone, Debug)]
pub struct BranchSearch<'a> {
    /// The branch's top unit.
    pub top: i64,
    pub prefix: &'a str,
    /// The units below the top too, or the top unit's own people only.
    pub below: bool,
    /// Only people whose status is member (what a plain member may see of their unit).
    pub members_only: bool,
    /// Units to leave out (closed branches the viewer is not told of).
    pub hidden: &'a [i64],
    pub limit: i64,
}

/// The SQL of a branch search (`$1`: the top unit, `$2`..`$3`: the prefix range, `$4`: the
/// limit, then one parameter per hidden unit). Public so that the story tests can ask each
/// backend's planner how it reads the variant with every option on.
pub fn search_people_sql(below: bool, members_only: bool, hidden: usize) -> String {
    let mut sql = String::from(concat!(
        "SELECT ",
        person_columns!(),
        " FROM unit_tree t JOIN persons p ON p.unit_id = t.unit_id \
         WHERE t.ancestor_id = $1 AND p.pseudonym >= $2 AND p.pseudonym < $3"
    ));
    if !below {
        sql += " AND t.depth = 0";
    }
    if members_only {
        sql += " AND p.status = 'member'";
    }
    if hidden > 0 {
        let params: Vec<String> = (0..hidden).map(|i| format!("${}", i + 5)).collect();
        sql += &format!(" AND p.unit_id NOT IN ({})", params.join(", "));
    }
    sql += " ORDER BY p.pseudonym, p.id LIMIT $4";
    sql
}

pub(crate) fn person_from(r: &sqlx::any::AnyRow) -> Result<Person> {
    let status: String = r.try_get("status")?;
    let since: String = r.try_get("since")?;
    let admitted: Option<String> = r.try_get("admitted_on")?;
    let bad = |what: &str| StoreError::Internal(format!("stored {what} is unreadable"));
    Ok(Person {
        id: r.try_get("id")?,
        card: r.try_get("card")?,
        pseudonym: r.try_get("pseudonym")?,
        unit_id: r.try_get("unit_id")?,
        status: Status::parse(&status).ok_or_else(|| bad("status"))?,
        since: Day::parse(&since).map_err(|_| bad("date"))?,
        admitted_on: admitted
            .map(|a| Day::parse(&a).map_err(|_| bad("date")))
            .transpose()?,
        programme_accepted: r.try_get::<i64, _>("programme_accepted")? != 0,
        monthly_income_cents: r.try_get("monthly_income_cents")?,
        reduced_rate: r.try_get::<i64, _>("reduced_rate")? != 0,
    })
}

/// Inserts a person and their identity. The caller checks for duplicates.
pub(crate) async fn insert_person(
    tx: &mut Transaction<'_, Any>,
    v: &Vault,
    p: &NewPerson,
    by: Option<i64>,
    import: Option<i64>,
) -> Result<i64> {
    if p.pseudonym.trim().is_empty() {
        return Err(Refusal::on("pseudonym", "every person needs a party name").into());
    }
    text::PARTY_NAME.check(p.pseudonym.trim())?;
    if let Some(card) = &p.card {
        text::CARD.check(card)?;
    }
    if let Some(income) = p.monthly_income_cents {
        money::INCOME.check(income)?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO persons (card, pseudonym, unit_id, status, since, admitted_on, programme_accepted, \
         monthly_income_cents, reduced_rate, created_at, created_by, import_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&p.card)
    .bind(p.pseudonym.trim())
    .bind(p.unit_id)
    .bind(p.status.as_str())
    .bind(p.since.to_string())
    .bind(p.admitted_on.map(|d| d.to_string()))
    .bind(p.programme_accepted as i64)
    .bind(p.monthly_income_cents)
    .bind(p.reduced_rate as i64)
    .bind(now())
    .bind(by)
    .bind(import)
    .fetch_one(&mut **tx)
    .await?;
    upsert_identity(tx, v, id, &p.identity).await?;
    Ok(id)
}

/// The columns of a stored identity, in the order `sealed_fields` reads them.
pub(crate) const IDENTITY_COLUMNS: &str =
    "key_version, legal_name, email, phone, address, workplace, notes";

/// The key version and the six sealed fields of an identity row (read by column name).
pub(crate) fn sealed_fields(r: &sqlx::any::AnyRow) -> Result<(i64, [Option<Vec<u8>>; 6])> {
    let mut out: [Option<Vec<u8>>; 6] = Default::default();
    for (slot, f) in out.iter_mut().zip(Field::ALL) {
        *slot = r.try_get(f.column())?;
    }
    Ok((r.try_get("key_version")?, out))
}

/// Seals and stores a person's identity, replacing any before.
pub(crate) async fn upsert_identity(
    tx: &mut Transaction<'_, Any>,
    v: &Vault,
    person: i64,
    i: &Identity,
) -> Result<()> {
    i.check_bounds()?;
    let sealed = v.seal_identity(person, i);
    sqlx::query("DELETE FROM identities WHERE person_id = $1")
        .bind(person)
        .execute(&mut **tx)
        .await?;
    let [legal_name, email, phone, address, workplace, notes] = sealed.fields;
    sqlx::query(
        "INSERT INTO identities (person_id, key_version, legal_name, email, phone, address, workplace, notes, email_key, phone_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(person)
    .bind(v.version())
    .bind(legal_name)
    .bind(email)
    .bind(phone)
    .bind(address)
    .bind(workplace)
    .bind(notes)
    .bind(sealed.email_key)
    .bind(sealed.phone_key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person's identity, opened, read inside a transaction; `None` if none is stored.
pub(crate) async fn identity_in(
    tx: &mut Transaction<'_, Any>,
    v: &Vault,
    person: i64,
) -> Result<Option<Identity>> {
    let row = sqlx::query(&format!(
        "SELECT {IDENTITY_COLUMNS} FROM identities WHERE person_id = $1"
    ))
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let (version, fields) = sealed_fields(&r)?;
        Ok(v.open_identity(person, version, &fields)?)
    })
    .transpose()
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_history(
    tx: &mut Transaction<'_, Any>,
    person: i64,
    on: Day,
    change: &str,
    from: Option<&str>,
    to: Option<&str>,
    reason: &str,
    by: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO person_history (person_id, on_date, change, from_value, to_value, reason, by_account, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(person)
    .bind(on.to_string())
    .bind(change)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(by)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn person_in(tx: &mut Transaction<'_, Any>, id: i64) -> Result<Person> {
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM persons p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("person {id}")))?;
    person_from(&row)
}

fn check_not_future(on: Day, today: Day, what: &'static str) -> Result<()> {
    if on > today {
        return Err(Refusal::on("on", "{}: {} is in the future")
            .arg(what)
            .arg(on)
            .into());
    }
    Ok(())
}

impl Store {
    pub async fn create_person(&self, p: &NewPerson, by: Option<i64>) -> Result<i64> {
        check_not_future(p.since, self.today(), "the person's first contact")?;
        if let Some(a) = p.admitted_on {
            check_not_future(a, self.today(), "the admission date")?;
        }
        let mut tx = self.write().await?;
        let unit: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1")
            .bind(p.unit_id)
            .fetch_optional(&mut *tx)
            .await?;
        if unit.is_none() {
            return Err(StoreError::NotFound(format!("unit {}", p.unit_id)));
        }
        let v = self.vault()?;
        if find_duplicate(&mut tx, v, &p.identity).await?.is_some() {
            // Which person it is may be outside the viewer's reach: not named, not numbered.
            return Err(
                Refusal::new("a person with this email or phone is already recorded").into(),
            );
        }
        let id = insert_person(&mut tx, v, p, by, None).await?;
        crate::audit::append(
            &mut tx,
            by,
            "person.create",
            Some(("person", id)),
            &[
                ("unit", p.unit_id.into()),
                ("status", p.status.as_str().into()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn person(&self, id: i64) -> Result<Option<Person>> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM persons p WHERE p.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(person_from).transpose()
    }

    /// A person's identifying details, opened with the store's key (empty if none recorded).
    pub async fn identity(&self, person: i64) -> Result<Identity> {
        let v = self.vault()?;
        let row = sqlx::query(&format!(
            "SELECT {IDENTITY_COLUMNS} FROM identities WHERE person_id = $1"
        ))
        .bind(person)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => Identity::default(),
            Some(r) => {
                let (version, fields) = sealed_fields(&r)?;
                v.open_identity(person, version, &fields)?
            }
        })
    }

    /// The identifying details of many people at once (one query, each opened with the
    /// store's key), for pages that show a unit's people; those with none recorded are absent.
    pub async fn identities(
        &self,
        persons: &[i64],
    ) -> Result<std::collections::HashMap<i64, Identity>> {
        let v = self.vault()?;
        let mut out = std::collections::HashMap::with_capacity(persons.len());
        for chunk in persons.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT person_id, {IDENTITY_COLUMNS} FROM identities WHERE person_id IN ({})",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let person: i64 = r.try_get("person_id")?;
                let (version, fields) = sealed_fields(&r)?;
                out.insert(person, v.open_identity(person, version, &fields)?);
            }
        }
        Ok(out)
    }

    /// The legal name, email and phone of everyone of a unit (what a secretary's roster shows),
    /// in one query on the unit and opening only those three fields: the address, workplace
    /// and notes stay sealed until a person's own page is opened.
    pub async fn roster_contacts(
        &self,
        unit: i64,
    ) -> Result<std::collections::HashMap<i64, Identity>> {
        use crate::vault::Field;
        let v = self.vault()?;
        let rows = sqlx::query(
            "SELECT i.person_id, i.key_version, i.legal_name, i.email, i.phone \
             FROM persons p JOIN identities i ON i.person_id = p.id WHERE p.unit_id = $1",
        )
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for r in rows {
            let person: i64 = r.try_get("person_id")?;
            let version: i64 = r.try_get("key_version")?;
            let open = |f: Field, col: &str| -> Result<String> {
                let sealed: Option<Vec<u8>> = r.try_get(col)?;
                Ok(v.open(person, f, version, sealed.as_deref())?)
            };
            out.insert(
                person,
                Identity {
                    legal_name: open(Field::LegalName, "legal_name")?,
                    email: open(Field::Email, "email")?,
                    phone: open(Field::Phone, "phone")?,
                    ..Identity::default()
                },
            );
        }
        Ok(out)
    }

    /// Records a person's new identifying details, with a line in their history that says
    /// they changed (never what they were or became).
    pub async fn set_identity(
        &self,
        person: i64,
        identity: &Identity,
        on: Day,
        by: Option<i64>,
    ) -> Result<()> {
        let v = self.vault()?;
        let mut tx = self.write().await?;
        person_in(&mut tx, person).await?;
        if let Some(dup) = find_duplicate(&mut tx, v, identity).await? {
            if dup != person {
                return Err(
                    Refusal::new("a person with this email or phone is already recorded").into(),
                );
            }
        }
        upsert_identity(&mut tx, v, person, identity).await?;
        record_history(&mut tx, person, on, "identity", None, None, "updated", by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The people of one unit (not of the units below it), by pseudonym.
    pub async fn people_of_unit(&self, unit: i64) -> Result<Vec<Person>> {
        let rows = sqlx::query(PEOPLE_OF_UNIT_SQL)
            .bind(unit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(person_from).collect()
    }

    /// Searches a branch by pseudonym prefix. Reads only the branch: the closure table gives its
    /// units, and each unit's people are found through the (unit, pseudonym) index.
    pub async fn search_branch(
        &self,
        ancestor: i64,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<Person>> {
        let upper = format!("{prefix}\u{10ffff}");
        let rows = sqlx::query(SEARCH_BRANCH_SQL)
            .bind(ancestor)
            .bind(prefix)
            .bind(upper)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(person_from).collect()
    }

    /// Searches a branch as one viewer may: by pseudonym prefix (as typed, and with its first
    /// letter's case turned, so that "ma" finds "Mara"), in the top unit only or in the whole
    /// branch, leaving out the units the viewer is not told of, optionally members only. Each
    /// prefix is one range on the (unit, pseudonym) index of every unit in the branch, so the
    /// cost follows the branch, never the organisation.
    pub async fn search_people(&self, s: &BranchSearch<'_>) -> Result<Vec<Person>> {
        let prefix = s.prefix.trim();
        if prefix.is_empty() || s.limit <= 0 {
            return Ok(Vec::new());
        }
        let mut prefixes = vec![prefix.to_string()];
        let mut chars = prefix.chars();
        if let Some(first) = chars.next() {
            let turned: String = if first.is_uppercase() {
                first.to_lowercase().chain(chars).collect()
            } else {
                first.to_uppercase().chain(chars).collect()
            };
            if turned != prefix {
                prefixes.push(turned);
            }
        }
        let sql = search_people_sql(s.below, s.members_only, s.hidden.len());
        let mut found = Vec::new();
        for p in prefixes {
            let mut q = sqlx::query(&sql)
                .bind(s.top)
                .bind(p.clone())
                .bind(format!("{p}\u{10ffff}"))
                .bind(s.limit);
            for h in s.hidden {
                q = q.bind(*h);
            }
            for r in q.fetch_all(self.pool()).await? {
                found.push(person_from(&r)?);
            }
        }
        found.sort_by(|a, b| (&a.pseudonym, a.id).cmp(&(&b.pseudonym, b.id)));
        found.dedup_by_key(|p| p.id);
        found.truncate(s.limit as usize);
        Ok(found)
    }

    /// Changes a person's status, with the date, the reason and who did it.
    pub async fn set_status(
        &self,
        person: i64,
        status: Status,
        on: Day,
        reason: &str,
        by: Option<i64>,
    ) -> Result<()> {
        check_not_future(on, self.today(), "the date of the change")?;
        if reason.trim().is_empty() {
            return Err(Refusal::on("reason", "a change of status needs a reason").into());
        }
        text::REASON.check(reason.trim())?;
        let mut tx = self.write().await?;
        let p = person_in(&mut tx, person).await?;
        if p.status == status {
            return Err(Refusal::on("status", "this person is already {}")
                .arg(status.as_str())
                .into());
        }
        let admitted = if status == Status::Member && p.admitted_on.is_none() {
            Some(on.to_string())
        } else {
            p.admitted_on.map(|d| d.to_string())
        };
        sqlx::query("UPDATE persons SET status = $1, admitted_on = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(admitted)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        record_history(
            &mut tx,
            person,
            on,
            "status",
            Some(p.status.as_str()),
            Some(status.as_str()),
            reason.trim(),
            by,
        )
        .await?;
        // Whoever leaves the organisation leaves every body of it, and the offices held there.
        let ended = if status.has_left() {
            crate::transfers::left_organisation(&mut tx, person, on, by).await?
        } else {
            0
        };
        let mut detail = vec![
            ("from", p.status.as_str().into()),
            ("to", status.as_str().into()),
        ];
        if ended > 0 {
            detail.push(("offices_ended", ended.into()));
        }
        crate::audit::append(
            &mut tx,
            by,
            "person.status",
            Some(("person", person)),
            &detail,
        )
        .await?;
        tx.commit().await?;
        // Any change of status may narrow what their accounts see (a member no longer one).
        self.person_access_narrowed(person).await;
        Ok(())
    }

    /// A person's history, oldest first, beginning with how they came to be recorded. Ordered
    /// by the date of each change (then by when it was recorded), so a change recorded late
    /// takes its place in the story, as `facts` reads it.
    pub async fn history(&self, person: i64) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        let origin = sqlx::query(
            "SELECT p.since, a.login, i.file_name, u.code FROM persons p \
             JOIN units u ON u.id = p.unit_id \
             LEFT JOIN accounts a ON a.id = p.created_by LEFT JOIN imports i ON i.id = p.import_id \
             WHERE p.id = $1",
        )
        .bind(person)
        .fetch_optional(self.pool())
        .await?;
        let mut now_in: Option<String> = None;
        if let Some(r) = &origin {
            now_in = r.try_get("code")?;
            let file: Option<String> = r.try_get("file_name")?;
            out.push(HistoryEntry {
                on_date: r.try_get("since")?,
                change: "recorded".into(),
                from_value: None,
                to_value: None,
                reason: match file {
                    Some(f) => format!("imported from {f}"),
                    None => "first contact".into(),
                },
                by: r.try_get("login")?,
                recorded_in: None,
            });
        }
        let rows = sqlx::query(
            "SELECT h.id, h.on_date, h.change, h.from_value, h.to_value, h.reason, a.login \
             FROM person_history h LEFT JOIN accounts a ON a.id = h.by_account \
             WHERE h.person_id = $1 ORDER BY h.on_date, h.id",
        )
        .bind(person)
        .fetch_all(self.pool())
        .await?;
        let mut ids = Vec::with_capacity(rows.len());
        for r in rows {
            ids.push(r.try_get::<i64, _>("id")?);
            out.push(HistoryEntry {
                on_date: r.try_get("on_date")?,
                change: r.try_get("change")?,
                from_value: r.try_get("from_value")?,
                to_value: r.try_get("to_value")?,
                reason: r.try_get("reason")?,
                by: r.try_get("login")?,
                recorded_in: None,
            });
        }
        // Where each entry was written: walking back from the unit the person is in now, in the
        // order the entries were recorded (a transfer dated back still moved them when it was
        // recorded), each transfer takes them back to the unit they left.
        let skip = usize::from(origin.is_some());
        let mut recorded: Vec<usize> = (0..ids.len()).collect();
        recorded.sort_by_key(|&i| ids[i]);
        for &i in recorded.iter().rev() {
            let h = &mut out[skip + i];
            if h.change == "transfer" {
                now_in = h.from_value.clone();
            }
            h.recorded_in = now_in.clone();
        }
        if let Some(first) = out.first_mut().filter(|_| skip == 1) {
            first.recorded_in = now_in;
        }
        Ok(out)
    }
}

/// The person already recorded with this email or phone, if any.
pub(crate) async fn find_duplicate(
    tx: &mut Transaction<'_, Any>,
    v: &Vault,
    i: &Identity,
) -> Result<Option<i64>> {
    if let Some(k) = v.email_index(&i.email) {
        let hit: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM identities WHERE email_key = $1 LIMIT 1")
                .bind(k.to_vec())
                .fetch_optional(&mut **tx)
                .await?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    if let Some(k) = v.phone_index(&i.phone) {
        let hit: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM identities WHERE phone_key = $1 LIMIT 1")
                .bind(k.to_vec())
                .fetch_optional(&mut **tx)
                .await?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    Ok(None)
}
