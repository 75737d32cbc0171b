-- The audit log: every change, and every view of identifying details, as who (an account id, or
-- none for the command line), what (an action and the object's kind and id, with counts or fixed
-- words only, never free text) and when (unix seconds). Never a name, an email, a phone, an
-- address, a reason typed by an officer, nor an IP address.
--
-- Each entry is chained to the one before: hash = SHA-256(previous hash || canonical encoding of
-- the entry, its sequence number included); see crates/store/src/audit.rs. `audit_head` holds the
-- last sequence number and hash: appends update it first, which serialises concurrent writers
-- (PostgreSQL holds the row lock until commit), and `iskra audit verify` compares it with the
-- last entry, so deleting entries from the end is detected too.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor BIGINT,
    action TEXT NOT NULL,
    object_kind TEXT,
    object_id BIGINT,
    detail TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
