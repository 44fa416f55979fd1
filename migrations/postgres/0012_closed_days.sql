-- The last closed day of the running totals (PostgreSQL). Keep in step with
-- ../sqlite/0012_closed_days.sql.

-- Running totals are kept for closed days only: a write for a later day (nearly every new
-- review is for today) moves the day counters alone, and a window adds the day counters of the
-- days not yet closed to the running totals of the last closed one. Closing a day writes its
-- running totals from its day counters. One row. Every day that has running totals so far is
-- closed: they are all up to date.
CREATE TABLE running_counters_through (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    day TEXT COLLATE "C" NOT NULL
);
INSERT INTO running_counters_through (id, day)
SELECT 1, COALESCE(MAX(day), '0000-01-01') FROM running_counters;
