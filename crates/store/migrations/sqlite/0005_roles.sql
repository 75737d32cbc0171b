-- Offices, each held in one unit. Membership itself is not granted here: it follows from a
-- person's status. An office that ends keeps its row (who held what, and until when), and the
-- access rules read only the rows that have not ended, so a removal takes effect at once.
CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL CHECK (role IN ('secretary', 'treasurer', 'agent', 'editor', 'credentials', 'presidium', 'central', 'security', 'admin')),
    granted_at BIGINT NOT NULL,
    granted_by BIGINT REFERENCES accounts(id),
    ended_at BIGINT,
    ended_by BIGINT REFERENCES accounts(id)
);
CREATE INDEX roles_by_account ON roles(account_id, ended_at);
CREATE INDEX roles_by_unit ON roles(unit_id, ended_at);
