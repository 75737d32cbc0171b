-- A transfer into a unit outside the mover's reach is a request, which the receiving unit's
-- secretary accepts or refuses; until then nothing moves. A request is never deleted: it is
-- decided (accepted, refused) or lapses (the person moved or left by another path).
CREATE TABLE transfer_requests (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    from_unit BIGINT NOT NULL REFERENCES units(id),
    to_unit BIGINT NOT NULL REFERENCES units(id),
    reason TEXT NOT NULL,
    requested_by BIGINT REFERENCES accounts(id),
    requested_on TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decision TEXT CHECK (decision IN ('accepted', 'refused', 'lapsed')),
    decided_by BIGINT REFERENCES accounts(id),
    decided_on TEXT,
    decided_at BIGINT
);
CREATE INDEX transfer_requests_waiting ON transfer_requests(to_unit, decision);
CREATE INDEX transfer_requests_of_person ON transfer_requests(person_id, decision);

-- Work the binary does once, in Rust, after a migration that SQL alone cannot do (it needs the
-- statutes, which are data). A row is a chore still to do; doing it deletes the row in the same
-- transaction, so a chore interrupted is done at the next start.
CREATE TABLE chores (
    name TEXT PRIMARY KEY
);
-- A closed unit's dues shares now go to the nearest body that may know of it: the payments
-- already split through units that may not are split again.
INSERT INTO chores (name) VALUES ('dues.closed_resplit');
