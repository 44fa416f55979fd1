-- Full-text search narrowed to a procedure or a button (PostgreSQL). Keep in step with
-- ../sqlite/0024_review_search_by_procedure.sql.

-- Nothing to change here: PostgreSQL combines the words' index of migration 21 with the
-- procedure's own index by itself. The version exists so both backends count the same.
SELECT 1;
