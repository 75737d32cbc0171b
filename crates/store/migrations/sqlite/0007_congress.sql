-- The congress: mandates, participants, agenda and speakers, motions and amendments, votes and
-- elections, and the event log from which the minutes are written.
-- Days are 'YYYY-MM-DD' text; instants are unix seconds.
CREATE TABLE congresses (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    held_on TEXT NOT NULL,
    membership_on TEXT NOT NULL,
    -- The statutes' apportionment rule used, as JSON (core_rules::congress::ApportionRule).
    rule TEXT NOT NULL,
    -- The quorum: at least quorum_num/quorum_den of the mandates present.
    quorum_num BIGINT NOT NULL,
    quorum_den BIGINT NOT NULL,
    -- The workflow states a motion can be in, comma-separated.
    motion_states TEXT NOT NULL,
    -- Supporters a motion needs before it can be admitted.
    supporters_needed BIGINT NOT NULL,
    credentials_report TEXT,
    credentials_approved BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE congress_mandates (
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    voting BIGINT NOT NULL,
    mandates BIGINT NOT NULL,
    PRIMARY KEY (congress_id, unit_id)
);
-- Everyone who takes part: delegates (with mandates), substitutes, consultative voices, guests.
CREATE TABLE congress_participants (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    mandates BIGINT NOT NULL,
    -- pending, accepted, rejected: the credentials committee's finding.
    credential TEXT NOT NULL,
    present BIGINT NOT NULL DEFAULT 0,
    UNIQUE (congress_id, person_id)
);
CREATE TABLE congress_agenda (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    motion_id BIGINT
);
-- The speakers' list of an agenda item. state: waiting, speaking, done.
CREATE TABLE congress_speakers (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES congress_agenda(id),
    participant_id BIGINT NOT NULL REFERENCES congress_participants(id),
    point_of_order BIGINT NOT NULL DEFAULT 0,
    minutes BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE congress_motions (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    -- 1 when adopting it amends the statutes.
    statutes BIGINT NOT NULL DEFAULT 0,
    submitted_by BIGINT REFERENCES congress_participants(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE congress_supporters (
    motion_id BIGINT NOT NULL REFERENCES congress_motions(id),
    participant_id BIGINT NOT NULL REFERENCES congress_participants(id),
    PRIMARY KEY (motion_id, participant_id)
);
-- An amendment: a structured edit (JSON, core_rules::congress::Edit) to the motion's lines, or to
-- the new lines of another amendment (parent_id). state: submitted, adopted, rejected, fallen.
CREATE TABLE congress_amendments (
    id INTEGER PRIMARY KEY,
    motion_id BIGINT NOT NULL REFERENCES congress_motions(id),
    parent_id BIGINT REFERENCES congress_amendments(id),
    edit TEXT NOT NULL,
    state TEXT NOT NULL,
    submitted_by BIGINT REFERENCES congress_participants(id),
    created_at BIGINT NOT NULL
);
-- A vote on a motion, an amendment, the credentials report or any question.
-- subject: motion, amendment, credentials, question. state: open, closed.
CREATE TABLE congress_votes (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    subject TEXT NOT NULL,
    subject_id BIGINT,
    title TEXT NOT NULL,
    secret BIGINT NOT NULL,
    -- count::motion::Rule as JSON.
    rule TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    -- count::motion::Outcome as JSON, once closed.
    outcome TEXT
);
-- A roll call: each delegate's vote, with its weight.
CREATE TABLE congress_roll (
    vote_id BIGINT NOT NULL REFERENCES congress_votes(id),
    participant_id BIGINT NOT NULL REFERENCES congress_participants(id),
    choice TEXT NOT NULL,
    weight BIGINT NOT NULL,
    PRIMARY KEY (vote_id, participant_id)
);
-- Secret votes: who voted is kept here, apart from the ballots, with no time. WITHOUT ROWID
-- stores the rows in key order, not in the order they were written.
CREATE TABLE congress_voters (
    vote_id BIGINT NOT NULL REFERENCES congress_votes(id),
    participant_id BIGINT NOT NULL REFERENCES congress_participants(id),
    PRIMARY KEY (vote_id, participant_id)
) WITHOUT ROWID;
-- The ballots of a secret vote, one row per mandate: no voter, no time, and a random key, so
-- that (WITHOUT ROWID) their stored order is the random key's order, not the order cast.
CREATE TABLE congress_ballots (
    id TEXT PRIMARY KEY,
    vote_id BIGINT NOT NULL REFERENCES congress_votes(id),
    choice TEXT NOT NULL
) WITHOUT ROWID;
-- An election of a body by STV. state: nominating, open, closed.
CREATE TABLE congress_elections (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    title TEXT NOT NULL,
    seats BIGINT NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    -- The count's report (count::Report as JSON), once closed.
    report TEXT
);
CREATE TABLE congress_candidates (
    id INTEGER PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES congress_elections(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    accepted BIGINT NOT NULL DEFAULT 0,
    UNIQUE (election_id, person_id)
);
-- The event log of a congress: who spoke, motions, amendments, votes and results. What happened
-- is in fixed words and ids; the minutes are written from it with party names.
CREATE TABLE congress_events (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    participant_id BIGINT,
    subject_id BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX congress_events_by_congress ON congress_events(congress_id, id);
CREATE INDEX congress_participants_by_person ON congress_participants(person_id);
CREATE TABLE congress_election_voters (
    election_id BIGINT NOT NULL REFERENCES congress_elections(id),
    participant_id BIGINT NOT NULL REFERENCES congress_participants(id),
    PRIMARY KEY (election_id, participant_id)
) WITHOUT ROWID;
-- One ranked ballot per mandate: candidate ids in order of preference, comma-separated.
CREATE TABLE congress_election_ballots (
    id TEXT PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES congress_elections(id),
    ranking TEXT NOT NULL
) WITHOUT ROWID;
