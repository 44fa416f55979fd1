-- A review's button is checked by the statement that writes a batch, not by a foreign key
-- (PostgreSQL). Keep in step with ../sqlite/0018_buttons_checked_by_each_batch.sql.

-- The key ran a query for every review inserted and locked the button's row for it: a log
-- record each time, and, with several nodes writing to one button at once, shared locks that
-- PostgreSQL tracks in its multixact files. Without it, batches written straight through the
-- store cost PostgreSQL a fifth less CPU per review. Reviews are now written by one statement
-- that joins each to its button, once per batch, and refuses the batch if a pair (button,
-- procedure) is not a button and the procedure it belongs to (`review_names_no_button` below,
-- with the key's SQLSTATE): see BENCHMARKS.md, 2026-12-04 (late). What the key also prevented,
-- a button deleted or moved under its reviews, the triggers below refuse: buttons are closed,
-- never deleted, and keep their procedure. `avis check` reports any review that names no
-- button, should one be written by hand.
ALTER TABLE reviews DROP CONSTRAINT reviews_button_procedure_fkey;

CREATE FUNCTION review_names_no_button(button TEXT, procedure TEXT) RETURNS TEXT
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no button % in procedure %', button, procedure
        USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE FUNCTION buttons_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'buttons are closed, never deleted, and keep their id and procedure'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER buttons_not_deleted BEFORE DELETE ON buttons
    FOR EACH ROW EXECUTE FUNCTION buttons_kept();
CREATE TRIGGER buttons_not_truncated BEFORE TRUNCATE ON buttons
    FOR EACH STATEMENT EXECUTE FUNCTION buttons_kept();
CREATE TRIGGER buttons_keys_kept BEFORE UPDATE OF id, procedure_id ON buttons
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.procedure_id IS DISTINCT FROM NEW.procedure_id)
    EXECUTE FUNCTION buttons_kept();

CREATE FUNCTION reviews_keep_their_button() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a review keeps its button and procedure'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER reviews_keep_their_button BEFORE UPDATE OF button_id, procedure_id ON reviews
    FOR EACH ROW WHEN (OLD.button_id IS DISTINCT FROM NEW.button_id OR OLD.procedure_id IS DISTINCT FROM NEW.procedure_id)
    EXECUTE FUNCTION reviews_keep_their_button();
