-- The level each indicator of a procedure last stood at, for the webhooks' event
-- `indicator.threshold_crossed` (PostgreSQL). Keep in step with ../sqlite/0031_indicator_levels.sql.

-- One row per procedure some endpoint listens to and indicator with levels (satisfaction,
-- comprehension, help_reachable, help_quality): `good`, `medium` or `bad` over the last three
-- months, or `none` while it is not publishable. A change from one level to another writes a
-- message for every endpoint that wants it, in the transaction that moves the row, so the
-- event is neither lost nor written twice. In `webhook_messages`, `review_id` then holds the
-- procedure, and `payload` is written with the message.
CREATE TABLE indicator_levels (
    procedure_id TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    indicator    TEXT NOT NULL,
    level        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (procedure_id, indicator)
);
