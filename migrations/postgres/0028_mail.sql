-- Mail: the outbox of messages to send through SMTP (PostgreSQL). Keep in step with
-- ../sqlite/0028_mail.sql, which says what each column holds.

CREATE TABLE mail_messages (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    sent_at         BIGINT,
    failed_at       BIGINT
);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
