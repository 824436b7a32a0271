-- drawdown store, version 1.
--
-- Timestamps (`*_at`) are INTEGER unix milliseconds, UTC; days of the model
-- (`published`) are TEXT `YYYY-MM-DD`. JSON columns hold the serde shapes of
-- `crate::model` and `crate::timeline`, the same shapes as `--format json`.
-- Everything one article changes is written by `SqliteStore::record` in one
-- transaction.

-- articles: one row per processed article. `content_hash` is
-- `Article::content_hash`: the same text dropped twice is stored once, and
-- `has_article` looks it up through the UNIQUE index.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    content_hash TEXT    NOT NULL UNIQUE,
    title        TEXT    NOT NULL,
    source       TEXT,
    url          TEXT,
    path         TEXT,
    published    TEXT    NOT NULL,
    processed_at INTEGER NOT NULL
);

-- claims: every claim extracted from an article, with what the timeline made
-- of it (`change_kind`: new, confirmation, refinement, update, contradiction;
-- NULL when the claim was recorded but not diffed, e.g. a rejected proposal).
-- `claim` is the `model::Claim` JSON.
CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    event_key   TEXT    NOT NULL,
    attribute   TEXT    NOT NULL,
    change_kind TEXT CHECK (change_kind IS NULL OR change_kind IN
                    ('new', 'confirmation', 'refinement', 'update', 'contradiction')),
    claim       TEXT    NOT NULL
);
CREATE INDEX claims_article ON claims (article_id);
CREATE INDEX claims_event ON claims (event_key, attribute);

-- timeline: the current state of each (event, attribute), one `timeline::Entry`
-- JSON each, replaced whenever an article touches it.
CREATE TABLE timeline (
    event_key  TEXT    NOT NULL,
    attribute  TEXT    NOT NULL,
    entry      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (event_key, attribute)
);

-- alerts: the outbox. `id` is the alert's stable id (`model::Alert::id`): the
-- same change raised again is not stored or queued twice. `seq` is the
-- insertion order, stable across VACUUM (unlike an implicit rowid);
-- `article_id` is the article that first raised it. `alert` is the
-- `model::Alert` JSON, exactly what sinks deliver.
CREATE TABLE alerts (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    kind       TEXT    NOT NULL,
    event_key  TEXT    NOT NULL,
    attribute  TEXT    NOT NULL,
    raised_at  INTEGER NOT NULL,
    alert      TEXT    NOT NULL
);
CREATE INDEX alerts_raised ON alerts (raised_at, seq);

-- deliveries: one row per alert and sink. A row is `pending` until the sink
-- accepts it (`delivered`, with `delivered_at`) or delivery is given up
-- (`failed`); `attempts`, `last_error` and `next_attempt_at` drive retries.
-- UNIQUE (alert_id, sink): an alert is sent at most once to each sink.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    alert_id        TEXT    NOT NULL REFERENCES alerts (id),
    sink            TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    INTEGER,
    UNIQUE (alert_id, sink)
);
-- What `due_deliveries` asks: this sink's pending rows due by now.
CREATE INDEX deliveries_due ON deliveries (sink, next_attempt_at) WHERE state = 'pending';
