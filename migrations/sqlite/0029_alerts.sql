-- Alerts and digests by mail (SQLite). Keep in step with ../postgres/0029_alerts.sql.

-- What one person asked to hear about one procedure, and how far the mail task has gone.
-- - `new_reviews`: mail about new reviews, at most one message every `every_minutes` and at
--   most a day's cap; `seen_until` (Unix ms) is the creation time up to which reviews were
--   counted in a message (or existed when the person subscribed); `alerted_at` the latest
--   such message, `alerts_day` (a Paris day) and `alerts_on_day` how many went that day.
-- - `below` / `above`: satisfaction levels (score out of 10) whose crossing is mailed; `side`
--   is where satisfaction stood at the last look (`below`, `between`, `above`), null until known.
-- - `exclusions`: mail when many reviews are excluded within an hour; `burst_at` the latest.
-- - `digest`: `none`, `daily`, `weekly` or `monthly`; `digest_until` the last day (a Paris
--   day) of the latest period mailed, or of the period that had just ended at subscription.
-- - `base_url`: the address the person uses the back-office at, for the messages' links.
CREATE TABLE alert_subscriptions (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    procedure_id  TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    new_reviews   INTEGER NOT NULL DEFAULT 0,
    every_minutes INTEGER NOT NULL DEFAULT 60,
    seen_until    INTEGER NOT NULL,
    alerted_at    INTEGER,
    alerts_day    TEXT,
    alerts_on_day INTEGER NOT NULL DEFAULT 0,
    below         REAL,
    above         REAL,
    side          TEXT,
    exclusions    INTEGER NOT NULL DEFAULT 0,
    burst_at      INTEGER,
    digest        TEXT NOT NULL DEFAULT 'none',
    digest_until  TEXT,
    base_url      TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, procedure_id)
);
CREATE INDEX alert_subscriptions_procedure ON alert_subscriptions (procedure_id);

-- The links that turn alerts or digests off, one per message, kept as a hash of their secret:
-- `procedure_id` set, that procedure's alerts; null, the person's digests.
CREATE TABLE unsubscribe_links (
    key_hash     TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    procedure_id TEXT,
    created_at   INTEGER NOT NULL
);

-- A message may carry the link that stops its kind (the List-Unsubscribe header).
ALTER TABLE mail_messages ADD COLUMN unsubscribe_url TEXT;
