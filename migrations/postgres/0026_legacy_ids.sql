-- What the incumbent called each imported object, kept by `avis import jdma` (PostgreSQL).
-- Keep in step with ../sqlite/0026_legacy_ids.sql.

-- Each imported object keeps its id in the incumbent's database, so that a later import skips
-- what is already here (and, for reviews, goes on after the last one imported), and so that the
-- incumbent's links and the observatory's ids can still be matched. Objects created in avis
-- have none: the unique indexes only hold imported rows.
ALTER TABLE organisations ADD COLUMN legacy_id BIGINT;
CREATE UNIQUE INDEX organisations_legacy ON organisations (legacy_id) WHERE legacy_id IS NOT NULL;

-- A procedure's product id, and the démarche id of the incumbent's XWiki era (its oldest links).
ALTER TABLE procedures ADD COLUMN legacy_id BIGINT;
ALTER TABLE procedures ADD COLUMN legacy_xwiki_id BIGINT;
CREATE UNIQUE INDEX procedures_legacy ON procedures (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE INDEX procedures_legacy_xwiki ON procedures (legacy_xwiki_id) WHERE legacy_xwiki_id IS NOT NULL;

-- A button's id, and its legacy title: the `nd_source` value of the XWiki-era links.
ALTER TABLE buttons ADD COLUMN legacy_id BIGINT;
ALTER TABLE buttons ADD COLUMN legacy_source TEXT;
CREATE UNIQUE INDEX buttons_legacy ON buttons (legacy_id) WHERE legacy_id IS NOT NULL;

ALTER TABLE reviews ADD COLUMN legacy_id BIGINT;
CREATE UNIQUE INDEX reviews_legacy ON reviews (legacy_id) WHERE legacy_id IS NOT NULL;
