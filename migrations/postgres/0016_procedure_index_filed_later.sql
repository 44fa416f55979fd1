-- New reviews join their procedure's index in groups (SQLite). Keep in step with
-- ../sqlite/0016_procedure_index_filed_later.sql.

-- The same column on PostgreSQL, where every review is filed at once: its log records the
-- entry added to an index rather than the whole page at each commit, so one commit at a time
-- costs it little, and the index stays as it was.
ALTER TABLE reviews ADD COLUMN filed SMALLINT NOT NULL DEFAULT 1;
