//! Offices held in units, and the account controls that go with them: suspension, password
//! changes and the list of one's own sessions.
//!
//! Every change that takes a right away also ends the account's sessions in the same
//! transaction, so a removed officer's open browser tab is signed out, not merely refused.

use crate::accounts::{check_new_password, hash_password, verify_password_hash};
use crate::audit::{append, Value};
use crate::{now, Result, Store, StoreError};
use core_rules::people::Status;
use core_rules::roles::Role;
use core_rules::{Refusal, Typed};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

/// An office held now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: i64,
    pub account_id: i64,
    pub login: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
}

/// An account as the administrator's page lists it: no identities, only the login and the
/// pseudonym of the person behind it.
#[derive(Clone, Debug)]
pub struct AccountSummary {
    pub id: i64,
    pub login: String,
    pub person_id: Option<i64>,
    pub pseudonym: Option<String>,
    pub unit_id: Option<i64>,
    pub is_admin: bool,
    pub suspended: bool,
}

/// One of an account's live sessions, as its owner sees it. The handle is derived from the
/// stored hash, so the page never carries anything that could be replayed as a cookie.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub handle: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub current: bool,
}

fn handle_of(token_hash: &str) -> String {
    Sha256::digest(format!("session-handle:{token_hash}").as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Ends every session of an account. After the transaction commits, call
/// [`Store::access_narrowed`], so that its open live streams end too.
pub(crate) async fn end_sessions_of(tx: &mut Transaction<'_, Any>, account: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn grant_from(r: &sqlx::any::AnyRow) -> Result<Grant> {
    let code: String = r.try_get("role")?;
    Ok(Grant {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        login: r.try_get("login")?,
        role: Role::parse(&code).ok_or_else(|| {
            StoreError::Internal(format!("unknown role {code:?} in the database"))
        })?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("code")?,
        unit_name: r.try_get("name")?,
        unit_kind: r.try_get("kind")?,
    })
}

const GRANT_COLUMNS: &str =
    "g.id, g.account_id, a.login, g.role, g.unit_id, u.code, u.name, u.kind \
     FROM roles g JOIN accounts a ON a.id = g.account_id JOIN units u ON u.id = g.unit_id";

impl Store {
    /// Tells every server of the database that an account's access has narrowed (a session
    /// ended, an office ended, the account suspended), after the change has committed: an open
    /// live stream of that account checks its viewer again at once and ends if they may no
    /// longer see what it streams (see `congress::Live`). The signal carries the account's
    /// number only. Awaited, not left to a task, so that a command that exits at once (`iskra`
    /// ending an office) has sent it; a signal that cannot be sent is logged, not returned (the
    /// change is committed; the streams' periodic check still ends them).
    pub(crate) async fn access_narrowed(&self, account: i64) {
        if let Err(e) = self
            .announce(crate::congress::ACCESS_TOPIC, &account.to_string())
            .await
        {
            tracing::warn!("access signal not sent: {e}");
        }
    }

    /// The same signal for every account of a person whose place changed (moved to another
    /// unit, left, lapsed): what they may see narrowed even where no office ended, so their
    /// open live streams ask the rules again now rather than at their next periodic check.
    pub(crate) async fn person_access_narrowed(&self, person: i64) {
        let accounts: Vec<i64> =
            match sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1")
                .bind(person)
                .fetch_all(self.pool())
                .await
            {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("access signal not sent: {e}");
                    return;
                }
            };
        for a in accounts {
            self.access_narrowed(a).await;
        }
    }

    /// The offices an account holds now.
    pub async fn roles_of(&self, account: i64) -> Result<Vec<Grant>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} WHERE g.account_id = $1 AND g.ended_at IS NULL ORDER BY g.id"
        ))
        .bind(account)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(grant_from).collect()
    }

    /// Every office held now.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} WHERE g.ended_at IS NULL ORDER BY u.id, g.role, a.login"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(grant_from).collect()
    }

    /// The units at the top of the tree, for the organisation-wide administrator.
    pub async fn root_units(&self) -> Result<Vec<(i64, String, String, String)>> {
        let rows = sqlx::query(
            "SELECT id, code, name, kind FROM units WHERE parent_id IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("code")?,
                    r.try_get("name")?,
                    r.try_get("kind")?,
                ))
            })
            .collect()
    }

    pub async fn grant(&self, id: i64) -> Result<Option<Grant>> {
        let row = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} WHERE g.id = $1 AND g.ended_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(grant_from).transpose()
    }

    /// Gives an account an office in a unit. Officers are members: an account whose person is
    /// not an admitted member cannot hold one (an administrator without a person record can).
    pub async fn grant_role(
        &self,
        login: &str,
        unit_id: i64,
        role: Role,
        by: Option<i64>,
    ) -> Result<i64> {
        if role == Role::Member {
            return Err(Refusal::on(
                "role",
                "membership is not granted: it follows from admission",
            )
            .into());
        }
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT a.id, p.status FROM accounts a LEFT JOIN persons p ON p.id = a.person_id \
             WHERE a.login = $1",
        )
        .bind(login.trim())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(no_officer)?;
        let account: i64 = row.try_get("id")?;
        let status: Option<String> = row.try_get("status")?;
        // Whose account it is, and their standing, may be outside the administrator's reach: an
        // account that cannot hold an office gets the same answer as no account at all.
        if status.is_some_and(|s| s != Status::Member.as_str()) {
            return Err(no_officer().into());
        }
        let unit: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&mut *tx)
            .await?;
        if unit.is_none() {
            return Err(StoreError::NotFound(format!("unit {unit_id}")));
        }
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM roles WHERE account_id = $1 AND unit_id = $2 AND role = $3 AND ended_at IS NULL",
        )
        .bind(account)
        .bind(unit_id)
        .bind(role.code())
        .fetch_optional(&mut *tx)
        .await?;
        if held.is_some() {
            return Err(Refusal::on("login", "{} already holds that office there")
                .arg(Typed(login.trim()))
                .into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO roles (account_id, unit_id, role, granted_at, granted_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account)
        .bind(unit_id)
        .bind(role.code())
        .bind(now())
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            by,
            "role.grant",
            Some(("account", account)),
            &[("role", Value::Word(role.code())), ("unit", unit_id.into())],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends an office, and every session of the account that held it.
    pub async fn end_role(&self, grant: i64, by: Option<i64>) -> Result<()> {
        let mut tx = self.write().await?;
        let account: Option<i64> =
            sqlx::query_scalar("SELECT account_id FROM roles WHERE id = $1 AND ended_at IS NULL")
                .bind(grant)
                .fetch_optional(&mut *tx)
                .await?;
        let account = account.ok_or_else(|| StoreError::NotFound("that office".into()))?;
        sqlx::query("UPDATE roles SET ended_at = $1, ended_by = $2 WHERE id = $3")
            .bind(now())
            .bind(by)
            .bind(grant)
            .execute(&mut *tx)
            .await?;
        end_sessions_of(&mut tx, account).await?;
        append(
            &mut tx,
            by,
            "role.end",
            Some(("account", account)),
            &[("grant", grant.into())],
        )
        .await?;
        tx.commit().await?;
        self.access_narrowed(account).await;
        Ok(())
    }

    pub async fn account_summaries(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query(
            "SELECT a.id, a.login, a.person_id, p.pseudonym, p.unit_id, a.is_admin, a.suspended \
             FROM accounts a LEFT JOIN persons p ON p.id = a.person_id ORDER BY a.login",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountSummary {
                    id: r.try_get("id")?,
                    login: r.try_get("login")?,
                    person_id: r.try_get("person_id")?,
                    pseudonym: r.try_get("pseudonym")?,
                    unit_id: r.try_get("unit_id")?,
                    is_admin: r.try_get::<i64, _>("is_admin")? != 0,
                    suspended: r.try_get::<i64, _>("suspended")? != 0,
                })
            })
            .collect()
    }

    /// Suspends or restores an account. Suspension ends its sessions at once.
    pub async fn set_suspended(
        &self,
        account: i64,
        suspended: bool,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE accounts SET suspended = $1 WHERE id = $2")
            .bind(suspended as i64)
            .bind(account)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("that account".into()));
        }
        if suspended {
            end_sessions_of(&mut tx, account).await?;
        }
        append(
            &mut tx,
            by,
            if suspended {
                "account.suspend"
            } else {
                "account.restore"
            },
            Some(("account", account)),
            &[],
        )
        .await?;
        tx.commit().await?;
        if suspended {
            self.access_narrowed(account).await;
        }
        Ok(())
    }

    /// Checks an account's password again, e.g. before an export.
    pub async fn confirm_password(&self, account: i64, password: &str) -> Result<bool> {
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT password_hash FROM accounts WHERE id = $1 AND suspended = 0",
        )
        .bind(account)
        .fetch_optional(self.pool())
        .await?;
        let Some(hash) = hash else { return Ok(false) };
        let password = password.to_string();
        Ok(
            crate::accounts::hashing(move || verify_password_hash(&password, &hash))
                .await
                .unwrap_or(false),
        )
    }

    /// Changes a password after checking the current one, and ends every other session.
    pub async fn change_password(
        &self,
        account: i64,
        current: &str,
        new: &str,
        keep_token: &str,
    ) -> Result<()> {
        if !self.confirm_password(account, current).await? {
            return Err(Refusal::on(
                "current",
                "the current password is not right; nothing was changed",
            )
            .into());
        }
        check_new_password(new)?;
        let new = new.to_string();
        let hash = crate::accounts::hashing(move || hash_password(&new)).await??;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account)
            .bind(crate::accounts::token_hash(keep_token))
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            Some(account),
            "account.password",
            Some(("account", account)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.access_narrowed(account).await;
        Ok(())
    }

    /// An account's live sessions, newest first.
    pub async fn sessions_of(&self, account: i64, current_token: &str) -> Result<Vec<SessionInfo>> {
        let current = crate::accounts::token_hash(current_token);
        let rows = sqlx::query(
            "SELECT token_hash, created_at, last_seen FROM sessions WHERE account_id = $1 \
             ORDER BY created_at DESC",
        )
        .bind(account)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let h: String = r.try_get("token_hash")?;
                Ok(SessionInfo {
                    handle: handle_of(&h),
                    created_at: r.try_get("created_at")?,
                    last_seen: r.try_get("last_seen")?,
                    current: h == current,
                })
            })
            .collect()
    }

    /// Ends one of an account's own sessions, named by its handle.
    pub async fn end_session_by_handle(&self, account: i64, handle: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let hashes: Vec<String> =
            sqlx::query_scalar("SELECT token_hash FROM sessions WHERE account_id = $1")
                .bind(account)
                .fetch_all(&mut *tx)
                .await?;
        let Some(h) = hashes.into_iter().find(|h| handle_of(h) == handle) else {
            return Err(StoreError::NotFound("that session".into()));
        };
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND account_id = $2")
            .bind(h)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            Some(account),
            "session.end",
            Some(("account", account)),
            &[],
        )
        .await?;
        tx.commit().await?;
        self.access_narrowed(account).await;
        Ok(())
    }
}

/// The refusal of a login that cannot hold an office: no such account, or an account whose
/// person is not a member. Officers are members.
fn no_officer() -> Refusal {
    Refusal::on(
        "login",
        "there is no account of a member with that login; officers are members",
    )
}
