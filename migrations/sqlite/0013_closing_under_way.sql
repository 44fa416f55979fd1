-- A closing of days under way (SQLite). Keep in step with ../postgres/0013_closing_under_way.sql.

-- Closing days writes their running totals one group of buttons at a time, so that reviews
-- wait for one group, never for the whole closing. Until the last closed day moves, `closing`
-- holds the day being closed: writes for days up to it keep the running totals already written
-- for them in step, as they do for closed days. NULL when no closing is under way.
ALTER TABLE running_counters_through ADD COLUMN closing TEXT;
