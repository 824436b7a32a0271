-- drawdown store, version 3: delivery states for issue 6.
--
-- `deliveries` gains:
-- - the state `skipped`: the sink's filter does not want this alert (it is
--   never sent to that sink, and that is not a failure);
-- - `queued_at` (unix ms): when the delivery was queued or last re-queued
--   (`alerts retry`, `alerts resend`). Rows queued by `record` leave it NULL,
--   meaning "when the alert was raised" (`alerts.raised_at`). Deliveries still
--   pending `[alerts] max_delivery_age` after it are dead-lettered (`failed`,
--   with their last error).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
-- Nothing references `deliveries`, so dropping the old table is safe.
CREATE TABLE deliveries_v3 (
    id              INTEGER PRIMARY KEY,
    alert_id        TEXT    NOT NULL REFERENCES alerts (id),
    sink            TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    INTEGER,
    queued_at       INTEGER,
    UNIQUE (alert_id, sink)
);
INSERT INTO deliveries_v3
    (id, alert_id, sink, state, attempts, next_attempt_at, last_error, delivered_at, queued_at)
SELECT id, alert_id, sink, state, attempts, next_attempt_at, last_error, delivered_at, NULL
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v3 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (sink, next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_state ON deliveries (state, sink);
