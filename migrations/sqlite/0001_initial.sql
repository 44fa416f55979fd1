-- avis schema, version 1 (SQLite). Keep in step with ../postgres/0001_initial.sql.
-- Ids are UUIDv7 text, instants are Unix milliseconds, days are Europe/Paris ISO dates,
-- flags are 0/1 integers: the same representation on both backends.

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE procedures (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    external_id     TEXT UNIQUE,
    is_essential    INTEGER NOT NULL DEFAULT 0 CHECK (is_essential IN (0, 1)),
    is_public       INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    yearly_volume   INTEGER CHECK (yearly_volume >= 0),
    closed_at       INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX procedures_organisation ON procedures (organisation_id);

CREATE TABLE buttons (
    id              TEXT PRIMARY KEY,
    procedure_id    TEXT NOT NULL REFERENCES procedures (id),
    label           TEXT NOT NULL,
    source          TEXT NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    is_test         INTEGER NOT NULL DEFAULT 0 CHECK (is_test IN (0, 1)),
    closed_at       INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX buttons_procedure ON buttons (procedure_id);

CREATE TABLE reviews (
    id                    TEXT PRIMARY KEY,
    button_id             TEXT NOT NULL REFERENCES buttons (id),
    procedure_id          TEXT NOT NULL REFERENCES procedures (id),
    questionnaire_version INTEGER NOT NULL,
    day                   TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    answers               TEXT NOT NULL,
    contact_tried_other   TEXT,
    verbatim              TEXT,
    edit_token_hash       TEXT NOT NULL,
    edit_token_expires_at INTEGER NOT NULL,
    excluded_reason       TEXT
);
CREATE INDEX reviews_procedure_created ON reviews (procedure_id, created_at);

-- Counts per procedure, button, day, question and value of the reviews that count, moved in the
-- same transaction as every review insert or update.
CREATE TABLE aggregates (
    procedure_id TEXT NOT NULL,
    day          TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    question     TEXT NOT NULL,
    value        TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (procedure_id, day, button_id, question, value)
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    prefix          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL UNIQUE,
    scope           TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER
);
