-- Abuse resistance and privacy (PostgreSQL). Keep in step with ../sqlite/0002_abuse_and_privacy.sql.

-- How many personal data were replaced in the review's texts; a keyed hash of the client
-- (address, user agent, procedure) under the day's salt, cleared after a day; when the free
-- texts were purged at the end of their retention.
ALTER TABLE reviews ADD COLUMN redactions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN fingerprint TEXT;
ALTER TABLE reviews ADD COLUMN text_purged_at BIGINT;
CREATE INDEX reviews_fingerprint ON reviews (fingerprint, created_at);
CREATE INDEX reviews_button_created ON reviews (button_id, created_at);

-- One secret salt per Europe/Paris day, deleted once the day is over.
CREATE TABLE salts (
    day  TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);

-- Who excluded or restored which review, when and why.
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    key_id     TEXT,
    action     TEXT NOT NULL,
    review_id  TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX audit_log_review ON audit_log (review_id, at);
