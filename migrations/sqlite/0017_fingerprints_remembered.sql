-- Duplicates are looked for in the review writer's memory, not in an index (SQLite). Keep in
-- step with ../postgres/0017_fingerprints_remembered.sql.

-- Every review put its fingerprint into this index at a random place, and each commit wrote a
-- page of it per review. A SQLite database has one node, whose writer stores every review: it
-- remembers the fingerprints of the duplicate window (see `domain::duplicates`) and, at start,
-- reads them back through the index below, where new fingerprints go at the end in the order
-- they came. The hourly clearing of fingerprints a day old reads the same index from its start.
DROP INDEX reviews_fingerprint;
CREATE INDEX reviews_fingerprinted ON reviews (created_at) WHERE fingerprint IS NOT NULL;
