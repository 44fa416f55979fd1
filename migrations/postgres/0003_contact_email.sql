-- Contact email addresses (PostgreSQL). Keep in step with ../sqlite/0003_contact_email.sql.

-- Whether a button offers to leave an email address to be contacted back (off by default).
ALTER TABLE buttons ADD COLUMN asks_contact_email SMALLINT NOT NULL DEFAULT 0 CHECK (asks_contact_email IN (0, 1));

-- Addresses left with explicit consent, apart from the answers, deleted after their retention.
CREATE TABLE contact_emails (
    review_id    TEXT PRIMARY KEY REFERENCES reviews (id),
    email        TEXT NOT NULL,
    consented_at BIGINT NOT NULL,
    delete_after BIGINT NOT NULL
);
CREATE INDEX contact_emails_delete_after ON contact_emails (delete_after);
