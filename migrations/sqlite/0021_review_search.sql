-- Full-text search in comments (SQLite). Keep in step with ../postgres/0021_review_search.sql.

-- An index of the comments, words folded (case and accents aside) by the tokenizer. It holds no
-- copy of the text: it reads it from the reviews, and triggers keep it in step.
CREATE VIRTUAL TABLE review_search USING fts5 (
    verbatim,
    content = 'reviews',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO review_search (rowid, verbatim)
    SELECT rowid, verbatim FROM reviews WHERE verbatim IS NOT NULL;

CREATE TRIGGER review_search_insert AFTER INSERT ON reviews
    WHEN new.verbatim IS NOT NULL
BEGIN
    INSERT INTO review_search (rowid, verbatim) VALUES (new.rowid, new.verbatim);
END;

CREATE TRIGGER review_search_update AFTER UPDATE OF verbatim ON reviews
    WHEN old.verbatim IS NOT new.verbatim
BEGIN
    INSERT INTO review_search (review_search, rowid, verbatim)
        SELECT 'delete', old.rowid, old.verbatim WHERE old.verbatim IS NOT NULL;
    INSERT INTO review_search (rowid, verbatim)
        SELECT new.rowid, new.verbatim WHERE new.verbatim IS NOT NULL;
END;

CREATE TRIGGER review_search_delete AFTER DELETE ON reviews
    WHEN old.verbatim IS NOT NULL
BEGIN
    INSERT INTO review_search (review_search, rowid, verbatim) VALUES ('delete', old.rowid, old.verbatim);
END;
