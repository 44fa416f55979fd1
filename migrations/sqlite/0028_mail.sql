-- Mail: the outbox of messages to send through SMTP (SQLite). Keep in step with
-- ../postgres/0028_mail.sql.

-- One message, written in the transaction of what causes it (an invitation, a reset link), so a
-- message is queued exactly when its cause is kept. `id` becomes its Message-ID: a message sent
-- again after a crash is recognisably the same one. A node takes messages up by setting
-- `locked_until` (its lease); past it another node may send them. `sent_at` or `failed_at` ends
-- a message; until then it is tried again at `next_attempt_at`, with `last_error` saying why
-- the latest attempt failed (never a credential).
CREATE TABLE mail_messages (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    last_error      TEXT,
    sent_at         INTEGER,
    failed_at       INTEGER
);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
