-- The comments' words in a table of their own (PostgreSQL). SQLite already has one, the
-- full-text table of migration 24: nothing to change here. The version exists so both backends
-- count the same; see ../postgres/0025_review_words.sql.
SELECT 1;
