-- drawdown store, version 2: feed polling state, feed items seen, and text
-- fingerprints for syndication. Timestamps are INTEGER unix milliseconds.

-- feeds: one row per configured feed, keyed by the URL as configured.
-- `current_url` is where a permanent redirect (301/308) moved it;
-- `etag` / `last_modified` are sent back as If-None-Match / If-Modified-Since;
-- `disabled` holds the reason a feed is no longer polled (410 Gone).
CREATE TABLE feeds (
    url                TEXT    PRIMARY KEY,
    current_url        TEXT,
    etag               TEXT,
    last_modified      TEXT,
    next_poll_at       INTEGER,
    last_polled_at     INTEGER,
    last_success_at    INTEGER,
    last_status        INTEGER,
    consecutive_errors INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
    last_error         TEXT,
    items_seen         INTEGER NOT NULL DEFAULT 0 CHECK (items_seen >= 0),
    polls              INTEGER NOT NULL DEFAULT 0 CHECK (polls >= 0),
    disabled           TEXT
);

-- feed_items: every item handed to the pipeline (or skipped as already known),
-- per feed and item id (GUID, else link, else a hash of the content).
-- `text_hash` notices edits; `canonical_link` makes a story new once across feeds.
CREATE TABLE feed_items (
    feed_url       TEXT    NOT NULL,
    item_id        TEXT    NOT NULL,
    canonical_link TEXT,
    text_hash      TEXT    NOT NULL,
    seen_at        INTEGER NOT NULL,
    PRIMARY KEY (feed_url, item_id)
);
CREATE INDEX feed_items_link ON feed_items (canonical_link) WHERE canonical_link IS NOT NULL;

-- fingerprints: the MinHash signature (64 x u32, little-endian) of each
-- processed article's text (syndication):
-- a near-identical text under another URL is a reprint, not a new source.
CREATE TABLE fingerprints (
    content_hash TEXT    PRIMARY KEY,
    signature    BLOB    NOT NULL,
    url          TEXT,
    source       TEXT,
    title        TEXT    NOT NULL,
    published    TEXT    NOT NULL,
    seen_at      INTEGER NOT NULL
);
CREATE INDEX fingerprints_published ON fingerprints (published);
