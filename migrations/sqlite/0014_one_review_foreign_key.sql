-- One foreign key per review instead of two. Keep in step with
-- ../postgres/0014_one_review_foreign_key.sql.

-- Nothing to change on SQLite: its foreign keys cannot change without rebuilding the reviews
-- table, and its two checks are two lookups in small tables, without the row locks that made
-- them costly on PostgreSQL.
SELECT 1;
