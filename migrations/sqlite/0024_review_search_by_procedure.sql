-- Full-text search narrowed to a procedure or a button (SQLite). PostgreSQL has nothing to change:
-- see ../postgres/0024_review_search_by_procedure.sql.

-- The index of migration 21 knew only the words: a search in one procedure gathered every review
-- with those words, in all procedures, first. This one also holds, in a column of its own, a word
-- naming the review's procedure (`p` and its id's hexadecimal digits) and one naming its button
-- (`b` and its id's), so a search gathers only the procedure's or the button's reviews. It keeps
-- no copy of the comments (contentless); triggers keep it in step with the reviews.
DROP TRIGGER review_search_insert;
DROP TRIGGER review_search_update;
DROP TRIGGER review_search_delete;
DROP TABLE review_search;

CREATE VIRTUAL TABLE review_search USING fts5 (
    scope,
    verbatim,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO review_search (rowid, scope, verbatim)
    SELECT rowid,
           'p' || replace(procedure_id, '-', '') || ' b' || replace(button_id, '-', ''),
           verbatim
    FROM reviews WHERE verbatim IS NOT NULL;

CREATE TRIGGER review_search_insert AFTER INSERT ON reviews
    WHEN new.verbatim IS NOT NULL
BEGIN
    INSERT INTO review_search (rowid, scope, verbatim) VALUES (
        new.rowid,
        'p' || replace(new.procedure_id, '-', '') || ' b' || replace(new.button_id, '-', ''),
        new.verbatim
    );
END;

CREATE TRIGGER review_search_update AFTER UPDATE OF verbatim ON reviews
    WHEN old.verbatim IS NOT new.verbatim
BEGIN
    DELETE FROM review_search WHERE rowid = old.rowid;
    INSERT INTO review_search (rowid, scope, verbatim)
        SELECT new.rowid,
               'p' || replace(new.procedure_id, '-', '') || ' b' || replace(new.button_id, '-', ''),
               new.verbatim
        WHERE new.verbatim IS NOT NULL;
END;

CREATE TRIGGER review_search_delete AFTER DELETE ON reviews
    WHEN old.verbatim IS NOT NULL
BEGIN
    DELETE FROM review_search WHERE rowid = old.rowid;
END;
