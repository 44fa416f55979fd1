-- Duplicates are looked for in the review writer's memory (SQLite). Keep in step with
-- ../sqlite/0017_fingerprints_remembered.sql.

-- Nothing to change on PostgreSQL: several nodes may write to one database, so duplicates are
-- still looked for in the index of fingerprints, which every node shares.
SELECT 1;
