-- The duplicate index holds live fingerprints only (PostgreSQL). Keep in step with ../sqlite/0010_fingerprint_index_partial.sql.

-- A fingerprint is cleared a day after its review; the index still kept an entry for every
-- review ever stored (and for every seeded one, which has none). Duplicate screening only looks
-- fingerprints up by value, and the hourly clearing only looks for those not yet cleared.
DROP INDEX reviews_fingerprint;
CREATE INDEX reviews_fingerprint ON reviews (fingerprint, created_at) WHERE fingerprint IS NOT NULL;
