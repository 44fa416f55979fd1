-- New reviews look at the endpoints only when one wants them (PostgreSQL). Keep in step with
-- ../sqlite/0032_webhooks_created_only_when_owed.sql.

-- Nothing to change here: PostgreSQL's trigger of migration 27 runs once per statement, for a
-- whole batch. The version exists so both backends count the same.
SELECT 1;
