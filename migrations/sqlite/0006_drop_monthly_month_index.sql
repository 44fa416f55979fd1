-- (SQLite) Keep in step with ../postgres/0006_drop_monthly_month_index.sql.

-- Windows read the roll-ups procedure by procedure, along their key: an index by month only cost
-- writes, and led SQLite's planner to a slower path.
DROP INDEX monthly_aggregates_month;
