-- The paper (issue 6): publications, editions, articles, correspondence from below, and
-- circulation by sale or return. Money is integer cents; days are ISO text; instants unix seconds.

CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- The unit whose editors run it (the central committee for the central organ).
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- The reserve printed on top of the orders, in percent of them.
    reserve_percent BIGINT NOT NULL DEFAULT 5 CHECK (reserve_percent >= 0),
    created_at BIGINT NOT NULL
);

CREATE TABLE editions (
    id INTEGER PRIMARY KEY,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    number BIGINT NOT NULL CHECK (number >= 1),
    issued_on TEXT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    headline TEXT NOT NULL,
    -- Set when the circulation is planned: bundles plus reserve.
    print_run BIGINT,
    reserve BIGINT,
    published BIGINT NOT NULL DEFAULT 0,
    UNIQUE (publication_id, number)
);
CREATE INDEX editions_public ON editions(publication_id, published, number);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    edition_id BIGINT REFERENCES editions(id),
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    -- Rendered and sanitised when saved.
    body_html TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'edited', 'approved', 'published')),
    position BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX articles_by_edition ON articles(edition_id, position);
CREATE INDEX articles_by_publication ON articles(publication_id, state);

-- Reports from below. The id is random, so that the order of ids says nothing about the order
-- of arrival. An anonymous report has no sender and nothing else that could identify one: no
-- account, no address, and the day it came (never a finer time).
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    category TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    happened_on TEXT NOT NULL,
    -- YYYY-MM of happened_on, for the single picture.
    month TEXT NOT NULL,
    received_on TEXT NOT NULL,
    body TEXT NOT NULL,
    sender_person_id BIGINT REFERENCES persons(id),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'accepted', 'merged', 'used', 'rejected')),
    -- 1 unless rejected or merged into another: what the single picture counts.
    counted BIGINT NOT NULL DEFAULT 1,
    merged_into BIGINT REFERENCES reports(id),
    article_id BIGINT REFERENCES articles(id)
) WITHOUT ROWID; -- keyed by the random id only: no hidden rowid keeping the order of arrival
-- The single picture reads only these covering indexes.
CREATE INDEX reports_by_category ON reports(counted, category);
CREATE INDEX reports_by_month ON reports(counted, month);
CREATE INDEX reports_by_unit ON reports(counted, unit_id);
CREATE INDEX reports_by_status ON reports(status, received_on);

-- Standing orders: copies per edition, per unit.
CREATE TABLE paper_orders (
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    copies BIGINT NOT NULL CHECK (copies >= 0),
    PRIMARY KEY (publication_id, unit_id)
);

-- Subscribers, each delivered by a unit's agent. Only their number per unit goes up.
CREATE TABLE paper_subscriptions (
    id INTEGER PRIMARY KEY,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    person_id BIGINT REFERENCES persons(id),
    copies BIGINT NOT NULL CHECK (copies >= 1),
    active BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX paper_subscriptions_by_unit ON paper_subscriptions(publication_id, unit_id);

-- One bundle per unit and edition, fixed when the edition's circulation is planned.
CREATE TABLE bundles (
    edition_id BIGINT NOT NULL REFERENCES editions(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    ordered BIGINT NOT NULL,
    subscribers BIGINT NOT NULL,
    copies BIGINT NOT NULL,
    PRIMARY KEY (edition_id, unit_id)
);
CREATE INDEX bundles_by_unit ON bundles(unit_id, edition_id);

-- The agent's return for a bundle; a correction replaces it.
CREATE TABLE bundle_returns (
    edition_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    received BIGINT NOT NULL,
    sold BIGINT NOT NULL,
    free BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    remitted_cents BIGINT NOT NULL CHECK (remitted_cents >= 0),
    recorded_on TEXT NOT NULL,
    PRIMARY KEY (edition_id, unit_id),
    FOREIGN KEY (edition_id, unit_id) REFERENCES bundles(edition_id, unit_id)
);
