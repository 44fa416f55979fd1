-- New reviews join their procedure's index in groups rather than one commit at a time (SQLite).
-- Keep in step with ../postgres/0016_procedure_index_filed_later.sql.

-- Each commit of the review writer holds a few dozen reviews spread over as many procedures:
-- every one of them rewrote its procedure's last leaf of the index, so the log took a page per
-- review for this index alone. The writer now stores its reviews unfiled (`filed = 0`) and files
-- those waiting every few thousand reviews or every second, in one transaction: each procedure's
-- last leaf is then written once per group. Reviews stored any other way are filed at once.
-- Those waiting are found through an index in the order they came, whose last leaf is shared by
-- a whole commit; a listing of one procedure reads both indexes (see `Store::list_reviews`).
ALTER TABLE reviews ADD COLUMN filed INTEGER NOT NULL DEFAULT 1;
DROP INDEX reviews_procedure_created;
CREATE INDEX reviews_procedure_created ON reviews (procedure_id, created_at) WHERE filed = 1;
CREATE INDEX reviews_unfiled ON reviews (created_at) WHERE filed = 0;
