-- Identifying details encrypted at rest (see crates/store/src/vault.rs).
--
-- Each identifying field is its own XChaCha20-Poly1305 ciphertext (nonce, ciphertext, tag),
-- bound to this table, its column, the person and the key version; NULL when the field is empty.
-- email_key and phone_key are keyed blind indexes (truncated HMAC-SHA256 of the normal form),
-- never the address or number itself. The key is not in the database.
--
-- Identities stored in plain text before this migration cannot be encrypted by SQL: Iskra refuses
-- to run this migration over a database that holds any (see Store::open), so nothing is lost
-- here; such a database must be exported with the old binary and imported into a new one (the
-- demo simply re-seeds a new data directory).
DROP TABLE identities;
CREATE TABLE identities (
    -- The rowid itself: one B-tree, filled in order by a bulk import.
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    key_version BIGINT NOT NULL,
    legal_name BLOB,
    email BLOB,
    phone BLOB,
    address BLOB,
    workplace BLOB,
    notes BLOB,
    email_key BLOB,
    phone_key BLOB
);
CREATE INDEX identities_by_email ON identities(email_key);
CREATE INDEX identities_by_phone ON identities(phone_key);

-- The key check: one row, written when the first key opens the database. key_check is derived
-- one-way from the key under its own label, so it tells a wrong key from the right one and
-- reveals nothing; passphrase_salt is the Argon2id salt when the key is a passphrase.
CREATE TABLE vault (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    key_version BIGINT NOT NULL,
    key_check BLOB NOT NULL,
    passphrase_salt BLOB,
    changed_at BIGINT NOT NULL
);
