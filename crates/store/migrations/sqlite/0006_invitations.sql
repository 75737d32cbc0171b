-- One-time links by which an officer invites an admitted member to open an account.
-- Only the SHA-256 of the link's 256-bit token is kept, as for sessions: a copy of the database
-- hands out no usable invitations. A new invitation for the same person replaces an unused one.
-- Instants are unix seconds; used_at is set once, when the invitation is accepted.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    created_by BIGINT REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    account_id BIGINT REFERENCES accounts(id)
);
CREATE INDEX invitations_by_person ON invitations(person_id);
