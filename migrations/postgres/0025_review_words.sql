-- The comments' words in a table of their own (PostgreSQL), as SQLite's full-text table of
-- migration 24 holds them. Keep in step with ../sqlite/0025_review_words.sql.
--
-- The index of migration 21 was on an expression of the reviews' text: checking one review's
-- words meant folding its text again, and a search could only gather every review holding a
-- word, in all procedures, before keeping a procedure's. Here each commented review has a row
-- with its folded words, kept in step by triggers, plus two words naming its procedure and its
-- button (`@p` or `@b` and the id's hexadecimal digits: a typed word never holds `@`, so no
-- search finds them by chance). A search in a procedure either reads its newest rows through
-- their own index and checks their words, or gathers the procedure's matches from the words'
-- inverted index; src/store/moderation.rs chooses.

DROP INDEX reviews_search;

-- What a review's row holds: its comment's folded words and its two naming words.
CREATE FUNCTION avis_review_words(procedure_id text, button_id text, verbatim text)
    RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT to_tsvector('simple', avis_fold(verbatim))
            || array_to_tsvector(ARRAY['@p' || replace(procedure_id, '-', ''),
                                       '@b' || replace(button_id, '-', '')])
    $$;

CREATE TABLE review_words (
    review_id text COLLATE "C" PRIMARY KEY,
    procedure_id text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    words tsvector NOT NULL
);

INSERT INTO review_words (review_id, procedure_id, created_at, words)
    SELECT id, procedure_id, created_at, avis_review_words(procedure_id, button_id, verbatim)
    FROM reviews WHERE verbatim IS NOT NULL;

CREATE INDEX review_words_search ON review_words USING gin (words);
CREATE INDEX review_words_procedure_created ON review_words (procedure_id, created_at);
CREATE INDEX review_words_created ON review_words (created_at);

-- Reviews come in batches: one statement adds the words of a whole batch.
CREATE FUNCTION review_words_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO review_words (review_id, procedure_id, created_at, words)
            SELECT id, procedure_id, created_at, avis_review_words(procedure_id, button_id, verbatim)
            FROM added WHERE verbatim IS NOT NULL;
        RETURN NULL;
    END
    $$;

CREATE TRIGGER review_words_insert AFTER INSERT ON reviews
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION review_words_insert();

-- A comment amended, purged or redacted again.
CREATE FUNCTION review_words_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        DELETE FROM review_words WHERE review_id = old.id;
        IF new.verbatim IS NOT NULL THEN
            INSERT INTO review_words (review_id, procedure_id, created_at, words) VALUES (
                new.id, new.procedure_id, new.created_at,
                avis_review_words(new.procedure_id, new.button_id, new.verbatim));
        END IF;
        RETURN NULL;
    END
    $$;

CREATE TRIGGER review_words_update AFTER UPDATE OF verbatim ON reviews
    FOR EACH ROW WHEN (old.verbatim IS DISTINCT FROM new.verbatim)
    EXECUTE FUNCTION review_words_update();

CREATE FUNCTION review_words_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        DELETE FROM review_words WHERE review_id IN (SELECT id FROM removed);
        RETURN NULL;
    END
    $$;

CREATE TRIGGER review_words_delete AFTER DELETE ON reviews
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION review_words_delete();
