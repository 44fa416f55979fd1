-- Webhooks: an organisation's endpoints, the messages owed to them, and every attempt to deliver
-- one (PostgreSQL). Keep in step with ../sqlite/0027_webhooks.sql, which says what each holds.

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

CREATE TABLE webhook_messages (
    id              TEXT PRIMARY KEY,
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
CREATE INDEX webhook_messages_webhook ON webhook_messages (webhook_id, occurred_at);

CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    status      BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, at);

-- The messages of `event` about each review of `changed` (id, procedure_id, at), for every
-- enabled endpoint that wants them.
CREATE FUNCTION webhook_messages_of(event text, changed jsonb) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO webhook_messages (id, webhook_id, event, review_id, occurred_at, next_attempt_at)
            SELECT replace(CAST(gen_random_uuid() AS text), '-', ''), w.id, event, c.id, c.at, c.at
            FROM jsonb_to_recordset(changed) AS c (id text, procedure_id text, at bigint)
            JOIN procedures p ON p.id = c.procedure_id
            JOIN webhooks w ON w.organisation_id = p.organisation_id
            WHERE w.enabled = 1 AND w.events LIKE '% ' || event || ' %'
              AND (w.procedure_id IS NULL OR w.procedure_id = c.procedure_id)
    $$;

-- A batch of reviews is one statement: one look at the endpoints for the whole batch, none at
-- all when no endpoint wants new reviews.
CREATE FUNCTION webhooks_reviews_created() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM webhooks WHERE enabled = 1 AND events LIKE '% review.created %') THEN
            PERFORM webhook_messages_of('review.created',
                (SELECT jsonb_agg(jsonb_build_object('id', id, 'procedure_id', procedure_id, 'at', created_at))
                 FROM added));
        END IF;
        RETURN NULL;
    END
    $$;

CREATE TRIGGER webhooks_review_created AFTER INSERT ON reviews
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_reviews_created();

CREATE FUNCTION webhooks_review_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        event text;
        at bigint;
    BEGIN
        IF (old.excluded_reason IS NULL) <> (new.excluded_reason IS NULL) THEN
            event := CASE WHEN new.excluded_reason IS NULL THEN 'review.restored' ELSE 'review.excluded' END;
            at := CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint);
        ELSIF (old.answers IS DISTINCT FROM new.answers OR old.verbatim IS DISTINCT FROM new.verbatim)
              AND new.text_purged_at IS NOT DISTINCT FROM old.text_purged_at THEN
            event := 'review.updated';
            at := new.updated_at;
        ELSE
            RETURN NULL;
        END IF;
        PERFORM webhook_messages_of(event,
            jsonb_build_array(jsonb_build_object('id', new.id, 'procedure_id', new.procedure_id, 'at', at)));
        RETURN NULL;
    END
    $$;

CREATE TRIGGER webhooks_review_changed AFTER UPDATE OF answers, verbatim, excluded_reason ON reviews
    FOR EACH ROW EXECUTE FUNCTION webhooks_review_changed();
