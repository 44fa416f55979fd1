-- Reviews excluded or restored from the back-office (PostgreSQL). Keep in step with ../sqlite/0023_moderation_by_people.sql.

-- The person who acted, when it was one; `key_id` stays the API key, and neither is the command line.
ALTER TABLE audit_log ADD COLUMN user_id TEXT;
