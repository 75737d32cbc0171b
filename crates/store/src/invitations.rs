//! Invitations: a one-time link by which an officer invites an admitted member to open their own
//! account.
//!
//! The link carries 256 random bits; the database keeps only their SHA-256, as for sessions. An
//! invitation is for one person, who must be a member and have no account; it lasts
//! [`INVITATION_DAYS`], works once, and a new one for the same person replaces an unused one.
//! Every reason an invitation cannot be used (unknown, used, replaced, expired, or the person no
//! longer eligible) gets the one message [`INVITATION_UNUSABLE`], so that a link says nothing
//! about why it does not work.

use crate::accounts::{
    check_new_password, hash_password, insert_account, random_token, token_hash,
};
use crate::{now, Result, Store, StoreError};
use core_rules::people::Status;
use core_rules::Refusal;
use sqlx::{Any, Row, Transaction};

/// How long an invitation can be used.
pub const INVITATION_DAYS: i64 = 7;

/// The one answer for a link that cannot be used, whatever the reason.
pub const INVITATION_UNUSABLE: &str =
    "This invitation link cannot be used: it is unknown, already used, replaced or expired.";

/// A new invitation: the token to put in the link (shown once, never stored) and when it ends.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// An invitation that can still be accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenInvitation {
    pub id: i64,
    pub person_id: i64,
    pub pseudonym: String,
    /// Unix seconds.
    pub expires_at: i64,
}

fn unusable() -> StoreError {
    StoreError::InvitationUnusable
}

/// The invitation behind a token if it can be accepted now: unused, unexpired, and for a person
/// who is a member without an account.
async fn open_invitation(
    conn: &mut sqlx::AnyConnection,
    token: &str,
) -> Result<Option<OpenInvitation>> {
    let row = sqlx::query(
        "SELECT i.id, i.person_id, i.expires_at, p.pseudonym FROM invitations i \
         JOIN persons p ON p.id = i.person_id \
         WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND p.status = $3 \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = i.person_id)",
    )
    .bind(token_hash(token))
    .bind(now())
    .bind(Status::Member.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(OpenInvitation {
            id: r.try_get("id")?,
            person_id: r.try_get("person_id")?,
            pseudonym: r.try_get("pseudonym")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

async fn account_of(tx: &mut Transaction<'_, Any>, person: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1 ORDER BY id LIMIT 1")
            .bind(person)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

impl Store {
    /// Invites a person to open an account. Only an admitted member without an account can be
    /// invited; an unused earlier invitation for them stops working.
    pub async fn invite(&self, person: i64, by: Option<i64>) -> Result<NewInvitation> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT status FROM persons WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person}")))?;
        let status: String = row.try_get("status")?;
        if status != Status::Member.as_str() {
            return Err(Refusal::new(
                "only an admitted member can be invited to an account; this person is recorded as {}",
            )
            .arg(Status::parse(&status).map_or("unknown", |s| s.as_str()))
            .into());
        }
        if account_of(&mut tx, person).await?.is_some() {
            return Err(Refusal::new("this person already has an account").into());
        }
        sqlx::query("DELETE FROM invitations WHERE person_id = $1 AND used_at IS NULL")
            .bind(person)
            .execute(&mut *tx)
            .await?;
        let token = random_token();
        let t = now();
        let expires_at = t + INVITATION_DAYS * 24 * 60 * 60;
        sqlx::query(
            "INSERT INTO invitations (token_hash, person_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(person)
        .bind(by)
        .bind(t)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            by,
            "invitation.create",
            Some(("person", person)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(NewInvitation { token, expires_at })
    }

    /// The invitation behind a link, if it can be accepted now.
    pub async fn invitation(&self, token: &str) -> Result<Option<OpenInvitation>> {
        let mut conn = self.pool().acquire().await?;
        open_invitation(&mut conn, token).await
    }

    /// The invitee opens their account: one transaction that checks the invitation can still be
    /// used, creates the account for its person (login rules as for every account) and marks the
    /// invitation used. Returns the new account's id.
    pub async fn accept_invitation(&self, token: &str, login: &str, password: &str) -> Result<i64> {
        // Say nothing about the password to someone holding no valid link.
        if self.invitation(token).await?.is_none() {
            return Err(unusable());
        }
        check_new_password(password)?;
        // Argon2 is slow: hash before taking the write lock, off the async workers.
        let password = password.to_string();
        let hash = crate::accounts::hashing(move || hash_password(&password)).await??;
        let mut tx = self.write().await?;
        let invitation = open_invitation(&mut tx, token)
            .await?
            .ok_or_else(unusable)?;
        // Claim it first: of two acceptances racing on PostgreSQL, the second updates nothing.
        let claimed =
            sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now())
                .bind(invitation.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if claimed != 1 {
            return Err(unusable());
        }
        let account =
            insert_account(&mut tx, login, Some(invitation.person_id), &hash, false).await?;
        sqlx::query("UPDATE invitations SET account_id = $1 WHERE id = $2")
            .bind(account)
            .bind(invitation.id)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            Some(account),
            "invitation.accept",
            Some(("person", invitation.person_id)),
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// The account of a person, if they have one.
    pub async fn account_of_person(&self, person: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1 ORDER BY id LIMIT 1")
                .bind(person)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}
