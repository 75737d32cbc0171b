-- A unit elects its delegates to a congress (issue 5, section 2): among its members with a vote on
-- the congress's membership day, by the count (STV), with nominations. The elected become the
-- unit's delegates with its mandates; the next ones, in the order of further counts, substitutes.
-- state: nominating, open, closed.
CREATE TABLE unit_delegate_elections (
    id INTEGER PRIMARY KEY,
    congress_id BIGINT NOT NULL REFERENCES congresses(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    -- The count's report (count::Report as JSON), once closed.
    report TEXT,
    UNIQUE (congress_id, unit_id)
);
CREATE TABLE unit_delegate_candidates (
    id INTEGER PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES unit_delegate_elections(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    accepted BIGINT NOT NULL DEFAULT 0,
    UNIQUE (election_id, person_id)
);
-- Who voted, kept apart from the ballots: no identifier or time links the two.
CREATE TABLE unit_delegate_voters (
    election_id BIGINT NOT NULL REFERENCES unit_delegate_elections(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (election_id, person_id)
) WITHOUT ROWID;
-- One ranked ballot per voter: candidate ids in order of preference, comma-separated; the id is
-- random, so the stored order says nothing of the order of voting.
CREATE TABLE unit_delegate_ballots (
    id TEXT PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES unit_delegate_elections(id),
    ranking TEXT NOT NULL
) WITHOUT ROWID;
-- Speakers' lists (issue 5, section 3): a time limit per speech for each agenda item, and an
-- optional quota: speakers tagged by the presidium, the list alternating tags.
ALTER TABLE congress_agenda ADD COLUMN speech_minutes BIGINT NOT NULL DEFAULT 5;
ALTER TABLE congress_agenda ADD COLUMN alternate_tags BIGINT NOT NULL DEFAULT 0;
ALTER TABLE congress_speakers ADD COLUMN tag TEXT NOT NULL DEFAULT '';
-- When the speaker took the floor (unix seconds): the projector counts the time down from it.
ALTER TABLE congress_speakers ADD COLUMN started_at BIGINT;
-- The order in which speakers were called on an item (1, 2, ...): the quota looks at the last.
ALTER TABLE congress_speakers ADD COLUMN called BIGINT;
