-- A review's button is checked by the statement that writes a batch, not by a foreign key
-- (PostgreSQL). Keep in step with ../postgres/0018_buttons_checked_by_each_batch.sql.

-- SQLite keeps its foreign keys, two lookups without row locks. Buttons are closed, never
-- deleted, and keep their procedure: the keys already refuse deleting a button that has reviews;
-- these triggers refuse the rest, as on PostgreSQL.
CREATE TRIGGER buttons_not_deleted BEFORE DELETE ON buttons
BEGIN
    SELECT RAISE(ABORT, 'buttons are closed, never deleted, and keep their id and procedure');
END;

CREATE TRIGGER buttons_keys_kept BEFORE UPDATE OF id, procedure_id ON buttons
WHEN OLD.id IS NOT NEW.id OR OLD.procedure_id IS NOT NEW.procedure_id
BEGIN
    SELECT RAISE(ABORT, 'buttons are closed, never deleted, and keep their id and procedure');
END;

CREATE TRIGGER reviews_keep_their_button BEFORE UPDATE OF button_id, procedure_id ON reviews
WHEN OLD.button_id IS NOT NEW.button_id OR OLD.procedure_id IS NOT NEW.procedure_id
BEGIN
    SELECT RAISE(ABORT, 'a review keeps its button and procedure');
END;
