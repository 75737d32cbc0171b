//! Accounts, passwords and server-side sessions.
//!
//! Passwords are hashed with Argon2id (19 MiB, 2 passes: OWASP's minimum). A failed login takes
//! as long for an unknown account as for a wrong password, because a dummy hash is verified.
//! Session tokens are 256 random bits; the database keeps only their SHA-256.

use crate::{now, Result, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use core_rules::{Refusal, Typed};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use std::sync::OnceLock;

pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_PASSES: u32 = 2;

/// Idle sessions end after this long.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// Every session ends after this long, however active.
pub const SESSION_MAX_SECS: i64 = 12 * 60 * 60;

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None).expect("valid params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String> {
    // Argon2 is never fed more than a passphrase (see `core_rules::text::PASSWORD`).
    core_rules::text::PASSWORD.check(password)?;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| StoreError::Internal(format!("hashing the password: {e}")))?
        .to_string())
}

pub(crate) fn verify_password_hash(password: &str, hash: &str) -> bool {
    // No password is that long: refused without feeding Argon2 a megabyte. What the sender
    // learns (that it is too long) is what they sent, whatever the account.
    if core_rules::text::PASSWORD.over(password).is_some() {
        return false;
    }
    match PasswordHash::new(hash) {
        Ok(h) => argon2().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Password hashes computed at once, at most: each holds 19 MiB while it runs, so a flood of
/// logins queues here instead of taking the server's memory (and more than its cores). Every
/// hash goes through the same queue (right password, wrong one, unknown login), so waiting
/// tells nobody anything.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs an Argon2 computation off the async workers, queued behind [`HASHING`].
pub(crate) async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|_| StoreError::Internal("the password queue is closed".into()))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Internal(format!("hashing the password: {e}")))
}

/// A hash of nothing in particular, verified when the account does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such account").expect("hashing works"))
}

pub fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < 10 {
        return Err(Refusal::on("password", "a password needs at least 10 characters").into());
    }
    core_rules::text::PASSWORD.check(password)?;
    Ok(())
}

pub(crate) async fn insert_account(
    tx: &mut Transaction<'_, Any>,
    login: &str,
    person_id: Option<i64>,
    hash: &str,
    admin: bool,
) -> Result<i64> {
    let login = login.trim();
    if login.is_empty() || login.contains('@') || login.len() > 64 {
        return Err(Refusal::on(
            "login",
            "a login name is 1 to 64 characters and is not an email address",
        )
        .into());
    }
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(Refusal::on("login", "the login {} is taken")
            .arg(Typed(login))
            .into());
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO accounts (login, person_id, password_hash, is_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(login)
    .bind(person_id)
    .bind(hash)
    .bind(admin as i64)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?)
}

/// The signed-in account, as every access decision sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub person_id: Option<i64>,
    pub is_admin: bool,
}

/// A live session: the account and the CSRF token its forms must carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
}

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

impl Store {
    pub async fn create_account(
        &self,
        login: &str,
        password: &str,
        person_id: Option<i64>,
        admin: bool,
        by: Option<i64>,
    ) -> Result<i64> {
        check_new_password(password)?;
        let hash = hash_password(password)?;
        let mut tx = self.write().await?;
        let id = insert_account(&mut tx, login, person_id, &hash, admin).await?;
        let mut detail = vec![("admin", crate::audit::Value::Int(admin as i64))];
        if let Some(p) = person_id {
            detail.push(("person", p.into()));
        }
        crate::audit::append(
            &mut tx,
            by,
            "account.create",
            Some(("account", id)),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a login and password. `None` whatever the reason, after the same amount of work.
    pub async fn check_login(&self, login: &str, password: &str) -> Result<Option<Account>> {
        let row = sqlx::query(
            "SELECT id, login, person_id, password_hash, is_admin, suspended FROM accounts WHERE login = $1",
        )
        .bind(login.trim())
        .fetch_optional(self.pool())
        .await?;
        let password = password.to_string();
        let (hash, account) = match &row {
            Some(r) => (
                r.try_get::<String, _>("password_hash")?,
                Some((
                    Account {
                        id: r.try_get("id")?,
                        login: r.try_get("login")?,
                        person_id: r.try_get("person_id")?,
                        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
                    },
                    r.try_get::<i64, _>("suspended")? != 0,
                )),
            ),
            None => (dummy_hash().to_string(), None),
        };
        // Argon2 is deliberately slow: keep it off the async workers.
        let ok = hashing(move || verify_password_hash(&password, &hash))
            .await
            .unwrap_or(false);
        Ok(match account {
            Some((a, false)) if ok => Some(a),
            _ => None,
        })
    }

    /// Starts a session and returns the cookie's token. A new token every time: a token known
    /// before login is never the one in use after it.
    pub async fn start_session(&self, account: i64) -> Result<String> {
        let token = random_token();
        let t = now();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash(&token))
        .bind(account)
        .bind(random_token())
        .bind(t)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            Some(account),
            "account.login",
            Some(("account", account)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The session behind a token, if it is live; touches its idle timer.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        self.session_as(token, true).await
    }

    /// The session behind a token, if it is live, without touching its idle timer: for a
    /// live stream checking its viewer again, which is not the person's activity (a screen
    /// left open on a stream still signs out when idle).
    pub async fn session_unchanged(&self, token: &str) -> Result<Option<Session>> {
        self.session_as(token, false).await
    }

    async fn session_as(&self, token: &str, touch: bool) -> Result<Option<Session>> {
        let t = now();
        let h = token_hash(token);
        let row = sqlx::query(
            "SELECT a.id, a.login, a.person_id, a.is_admin, s.csrf, s.created_at, s.last_seen \
             FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND a.suspended = 0",
        )
        .bind(&h)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let created: i64 = r.try_get("created_at")?;
        let seen: i64 = r.try_get("last_seen")?;
        if t - seen > SESSION_IDLE_SECS || t - created > SESSION_MAX_SECS {
            self.remove_session(token, false, "session.expire").await?;
            return Ok(None);
        }
        if touch && t - seen >= 60 {
            // Touch at most once a minute: a page view should not always be a write.
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(t)
                .bind(&h)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(Session {
            account: Account {
                id: r.try_get("id")?,
                login: r.try_get("login")?,
                person_id: r.try_get("person_id")?,
                is_admin: r.try_get::<i64, _>("is_admin")? != 0,
            },
            csrf: r.try_get("csrf")?,
        }))
    }

    /// Signs out: ends the session behind a token (recorded as the account's logout).
    pub async fn end_session(&self, token: &str) -> Result<()> {
        self.remove_session(token, true, "account.logout").await
    }

    /// Deletes a session and records it, as the account's own act (`by_account`) or the
    /// system's (an expiry). A token that names no session changes nothing and records nothing.
    async fn remove_session(
        &self,
        token: &str,
        by_account: bool,
        action: &'static str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let account: Option<i64> =
            sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING account_id")
                .bind(token_hash(token))
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(a) = account {
            let actor = by_account.then_some(a);
            crate::audit::append(&mut tx, actor, action, Some(("account", a)), &[]).await?;
        }
        tx.commit().await?;
        if let Some(a) = account {
            self.access_narrowed(a).await;
        }
        Ok(())
    }

    pub async fn account_by_login(&self, login: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
                .bind(login)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The stored hash, for tests that read back the Argon2 parameters.
    pub async fn password_hash(&self, login: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE login = $1")
                .bind(login)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_carry_the_chosen_parameters() {
        let h = hash_password("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&h).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let p = Params::try_from(&parsed).unwrap();
        assert!(p.m_cost() >= 19 * 1024);
        assert!(p.t_cost() >= 2);
        assert!(verify_password_hash("correct horse battery", &h));
        assert!(!verify_password_hash("wrong", &h));
    }
}
