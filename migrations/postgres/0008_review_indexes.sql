-- Indexes on reviews for the writes they cost (PostgreSQL). Keep in step with ../sqlite/0008_review_indexes.sql.

-- Every review went into this index at a random place; listing a button's reviews now goes
-- through its procedure's index instead (a button belongs to one procedure).
DROP INDEX reviews_button_created;

-- The reviews whose texts are still kept, oldest first: the retention purge reads only those
-- past their time instead of every review. New reviews go at its end; purged ones leave it.
CREATE INDEX reviews_texts_kept ON reviews (created_at)
    WHERE verbatim IS NOT NULL OR contact_tried_other IS NOT NULL;
