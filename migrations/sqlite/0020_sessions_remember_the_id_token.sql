-- A session opened through ProConnect keeps the id_token the provider gave, so that signing out
-- can end the provider's session too (its end_session_endpoint wants it as id_token_hint).
ALTER TABLE sessions ADD COLUMN id_token TEXT;
