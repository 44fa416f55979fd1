-- Webhooks: an organisation's endpoints, the messages owed to them, and every attempt to deliver
-- one (SQLite). Keep in step with ../postgres/0027_webhooks.sql.

-- One endpoint. `events` lists the event types it wants, each between spaces
-- (` review.created review.excluded `); `procedure_id`, if set, narrows them to one procedure.
-- `secret` signs every message (`whsec_…`): it has to be read to sign, so it is kept as is, and
-- shown once, at creation.
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    procedure_id    TEXT REFERENCES procedures (id),
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    enabled         SMALLINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks (organisation_id);

-- The outbox: one message per endpoint and event, written by the triggers below in the
-- transaction that changed the review, so that no event is lost. `seq` orders an endpoint's
-- messages as they were written, even within one millisecond. `payload` is the body, written
-- at the first attempt and sent unchanged on every later one. A node sending a message holds it
-- until `locked_until`; one that stopped meanwhile lets another take it up after that.
CREATE TABLE webhook_messages (
    id              TEXT PRIMARY KEY,
    seq             BIGINT NOT NULL,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    review_id       TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    payload         TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    delivered_at    BIGINT,
    failed_at       BIGINT
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_messages_webhook ON webhook_messages (webhook_id, seq);
-- An endpoint's messages not yet delivered nor given up, in order: the next one to send.
CREATE INDEX webhook_messages_open ON webhook_messages (webhook_id, seq)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_messages_finished ON webhook_messages (occurred_at)
    WHERE delivered_at IS NOT NULL OR failed_at IS NOT NULL;
CREATE INDEX webhook_messages_seq ON webhook_messages (seq);

-- Every attempt: when, the answer's status (none: no answer) or what went wrong, how long.
CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    status      BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, at);

-- A review's events, for every enabled endpoint of its organisation (and procedure, if narrowed)
-- that wants them. Without such an endpoint a review costs one look at an empty table.
CREATE TRIGGER webhooks_review_created AFTER INSERT ON reviews
    WHEN EXISTS (SELECT 1 FROM webhooks WHERE enabled = 1 AND events LIKE '% review.created %')
BEGIN
    INSERT INTO webhook_messages (id, seq, webhook_id, event, review_id, occurred_at, next_attempt_at)
        SELECT lower(hex(randomblob(16))), (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_messages), w.id, 'review.created', new.id, new.created_at, new.created_at
        FROM webhooks w JOIN procedures p ON p.organisation_id = w.organisation_id
        WHERE p.id = new.procedure_id AND w.enabled = 1 AND w.events LIKE '% review.created %'
          AND (w.procedure_id IS NULL OR w.procedure_id = new.procedure_id);
END;

-- Answers added or changed by the citizen; not the texts emptied when their time is up.
CREATE TRIGGER webhooks_review_updated AFTER UPDATE OF answers, verbatim ON reviews
    WHEN (old.answers IS NOT new.answers OR old.verbatim IS NOT new.verbatim)
        AND new.text_purged_at IS old.text_purged_at
        AND EXISTS (SELECT 1 FROM webhooks WHERE enabled = 1 AND events LIKE '% review.updated %')
BEGIN
    INSERT INTO webhook_messages (id, seq, webhook_id, event, review_id, occurred_at, next_attempt_at)
        SELECT lower(hex(randomblob(16))), (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_messages), w.id, 'review.updated', new.id, new.updated_at, new.updated_at
        FROM webhooks w JOIN procedures p ON p.organisation_id = w.organisation_id
        WHERE p.id = new.procedure_id AND w.enabled = 1 AND w.events LIKE '% review.updated %'
          AND (w.procedure_id IS NULL OR w.procedure_id = new.procedure_id);
END;

CREATE TRIGGER webhooks_review_moderated AFTER UPDATE OF excluded_reason ON reviews
    WHEN (old.excluded_reason IS NULL) IS NOT (new.excluded_reason IS NULL)
BEGIN
    INSERT INTO webhook_messages (id, seq, webhook_id, event, review_id, occurred_at, next_attempt_at)
        SELECT lower(hex(randomblob(16))), (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_messages), w.id, e.event, new.id, e.at, e.at
        FROM (SELECT CASE WHEN new.excluded_reason IS NULL THEN 'review.restored' ELSE 'review.excluded' END AS event,
                     CAST(unixepoch('subsec') * 1000 AS INTEGER) AS at) e,
             webhooks w JOIN procedures p ON p.organisation_id = w.organisation_id
        WHERE p.id = new.procedure_id AND w.enabled = 1 AND w.events LIKE '% ' || e.event || ' %'
          AND (w.procedure_id IS NULL OR w.procedure_id = new.procedure_id);
END;
