-- Iskra's foundation: the organisation, its units, its people under its statutes.
-- Dates are ISO text (YYYY-MM-DD, months YYYY-MM); instants are unix seconds.
-- Flags are integers 0/1 so that both backends read them the same way.

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE unit_kinds (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    plural TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('party', 'section', 'affiliate')),
    level BIGINT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    kind TEXT NOT NULL REFERENCES unit_kinds(code),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    closed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX units_by_parent ON units(parent_id);

-- The closure of the unit tree: one row per (ancestor, descendant), the unit itself at depth 0.
-- Every query scoped to a branch joins through here, so it reads only that branch.
CREATE TABLE unit_tree (
    ancestor_id BIGINT NOT NULL REFERENCES units(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, unit_id)
);
CREATE INDEX unit_tree_up ON unit_tree(unit_id, depth);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    person_id BIGINT,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL DEFAULT 0,
    suspended BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Server-side sessions. Only a hash of the cookie's token is kept, so a copy of the database
-- does not hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);

-- A bulk import, so that a person's history can say where they came from without a row each.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    rows_created BIGINT NOT NULL,
    rows_updated BIGINT NOT NULL,
    by_account BIGINT REFERENCES accounts(id),
    at BIGINT NOT NULL
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    card TEXT UNIQUE,
    pseudonym TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL CHECK (status IN ('supporter', 'applicant', 'member', 'lapsed', 'left', 'expelled')),
    since TEXT NOT NULL,
    admitted_on TEXT,
    programme_accepted BIGINT NOT NULL DEFAULT 0,
    monthly_income_cents BIGINT CHECK (monthly_income_cents >= 0),
    reduced_rate BIGINT NOT NULL DEFAULT 0,
    -- Kept up to date with each payment, meeting and task recorded, so that today's standing of
    -- a million people is one scan of this table. Past dates are computed from the records.
    paid_through TEXT,
    last_participation TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES accounts(id),
    import_id BIGINT REFERENCES imports(id)
);
CREATE INDEX persons_by_unit ON persons(unit_id, status);
CREATE INDEX persons_by_unit_pseudonym ON persons(unit_id, pseudonym);

-- Identifying details, kept apart from the pseudonym. The keys are normalised email and phone,
-- used only to find duplicates.
CREATE TABLE identities (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    legal_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    workplace TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    email_key TEXT,
    phone_key TEXT
);
CREATE INDEX identities_by_email ON identities(email_key);
CREATE INDEX identities_by_phone ON identities(phone_key);

-- Every change to a person after their creation: status, transfer, identity.
CREATE TABLE person_history (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    on_date TEXT NOT NULL,
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT NOT NULL,
    by_account BIGINT REFERENCES accounts(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX person_history_by_person ON person_history(person_id, id);
CREATE INDEX person_history_by_date ON person_history(change, on_date);

CREATE TABLE statutes (
    version BIGINT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    adopted_on TEXT NOT NULL,
    adopted_by TEXT NOT NULL,
    rules TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE dues_payments (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    source TEXT NOT NULL CHECK (source IN ('treasurer', 'bank', 'import')),
    reference TEXT UNIQUE,
    recorded_by BIGINT REFERENCES accounts(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX dues_by_person ON dues_payments(person_id, period);
CREATE INDEX dues_by_period ON dues_payments(period, person_id, paid_on);

-- How each payment was divided between the member's unit and the bodies above it, under the
-- statutes in force when it was recorded.
CREATE TABLE dues_shares (
    payment_id BIGINT NOT NULL REFERENCES dues_payments(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (payment_id, unit_id)
);
CREATE INDEX dues_shares_by_unit ON dues_shares(unit_id);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    recorded_by BIGINT REFERENCES accounts(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX meetings_by_unit ON meetings(unit_id, held_on);
CREATE INDEX meetings_by_day ON meetings(held_on);

CREATE TABLE attendance (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX attendance_by_person ON attendance(person_id);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    done_on TEXT NOT NULL,
    description TEXT NOT NULL,
    recorded_by BIGINT REFERENCES accounts(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX tasks_by_person ON tasks(person_id, done_on);
CREATE INDEX tasks_by_day ON tasks(done_on);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    applied_on TEXT NOT NULL,
    statement TEXT NOT NULL DEFAULT '',
    decision TEXT CHECK (decision IN ('admitted', 'refused')),
    decided_on TEXT,
    reason TEXT,
    decided_by BIGINT REFERENCES accounts(id)
);
CREATE INDEX applications_by_unit ON applications(unit_id, decision);
