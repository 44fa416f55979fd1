-- People of the back-office: accounts, their organisations, invitations and password resets,
-- sessions, failed sign-ins, and the audit log of what they do. Keep in step with
-- ../sqlite/0019_accounts.sql. Secrets (invitation and reset links, session ids) are stored
-- only as SHA-256 hashes; passwords only as Argon2id hashes.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    is_superadmin SMALLINT NOT NULL DEFAULT 0 CHECK (is_superadmin IN (0, 1)),
    lang          TEXT NOT NULL DEFAULT 'fr',
    disabled_at   BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id);

-- An invitation names a role: 'superadmin', or 'admin' / 'member' of its organisation. One
-- without an email is the first account's, printed by avis serve on an instance with nobody.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    email           TEXT,
    organisation_id TEXT REFERENCES organisations (id),
    role            TEXT NOT NULL CHECK (role IN ('superadmin', 'admin', 'member')),
    invited_by      TEXT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX invitations_organisation ON invitations (organisation_id, created_at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- `id` names a session in listings; the cookie holds a secret whose hash is `secret_hash`.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

-- Failed sign-ins, per subject ('email:…' or 'address:…'), counted over a recent window.
CREATE TABLE sign_in_failures (
    subject TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_subject ON sign_in_failures (subject, at);

-- What people do: who (an account or an API key), when, what, on which object, in which
-- organisation. Never a secret.
CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    user_id         TEXT,
    actor           TEXT NOT NULL,
    organisation_id TEXT,
    action          TEXT NOT NULL,
    subject         TEXT,
    details         TEXT NOT NULL DEFAULT ''
);
-- Ids are UUIDv7, in time order: the primary key pages the whole log.
CREATE INDEX audit_events_organisation ON audit_events (organisation_id, id);
