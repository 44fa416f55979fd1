-- Workbooks of reviews built in the background (PostgreSQL). Keep in step with
-- ../sqlite/0022_exports.sql.

-- One export: who asked for it, for which reviews, how far it has got. `filter` is the query
-- string of its filters, `organisation_id` the organisation it is confined to (none: every one).
-- The node building it touches `heartbeat_at` while it works: a running export whose heartbeat
-- has stopped belongs to a node that stopped, and counts as failed.
CREATE TABLE exports (
    id              TEXT PRIMARY KEY,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    organisation_id TEXT REFERENCES organisations (id),
    filter          TEXT NOT NULL,
    lang            TEXT NOT NULL,
    with_contacts   SMALLINT NOT NULL DEFAULT 0 CHECK (with_contacts IN (0, 1)),
    created_by_user TEXT REFERENCES users (id),
    created_by_key  TEXT REFERENCES api_keys (id),
    created_at      BIGINT NOT NULL,
    heartbeat_at    BIGINT NOT NULL,
    finished_at     BIGINT,
    expires_at      BIGINT NOT NULL,
    progress        DOUBLE PRECISION NOT NULL DEFAULT 0,
    rows_total      BIGINT,
    rows_done       BIGINT NOT NULL DEFAULT 0,
    sheets          BIGINT NOT NULL DEFAULT 0,
    size_bytes      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX exports_expires ON exports (expires_at);

-- The finished file, in pieces small enough for one statement, in the database so that every
-- node can serve it.
CREATE TABLE export_chunks (
    export_id TEXT NOT NULL REFERENCES exports (id),
    seq       BIGINT NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (export_id, seq)
);
