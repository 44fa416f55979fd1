-- The incumbent's forms, which its observatory figures are narrowed to (SQLite). Keep in step
-- with ../postgres/0033_legacy_forms.sql.

-- The observatory's robot asks for one form of a product: the incumbent counts the answers of
-- the reviews that carry that form, and for a legacy form (the one each product was given when
-- forms came, in 2025) those that carry form 1 or 2 or none too, as every review did before June
-- 2025. `avis import jdma` keeps the forms of each imported product, and each button's form.
-- A review created in avis carries its button's form, or its procedure's legacy form (else its
-- first one) when the button was made in avis.
CREATE TABLE legacy_forms (
    legacy_id    BIGINT PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    title        TEXT NOT NULL,
    is_legacy    INTEGER NOT NULL CHECK (is_legacy IN (0, 1))
);
CREATE INDEX legacy_forms_procedure ON legacy_forms (procedure_id);

ALTER TABLE buttons ADD COLUMN legacy_form_id BIGINT;

-- The imported reviews that carry another form than their button's, except the older ones
-- (form 1, 2 or none) of a button on its product's one legacy form, which count with that
-- form's anyway (unless form 1 or 2 is one of the product's and not a legacy one): mostly the
-- reviews left before June 2025 through a button of a form that is not a legacy one. A window reads the rows of one procedure between two instants, and counts
-- each review's answers under the form it carries rather than its button's. form_id is null
-- for a review that carried none.
CREATE TABLE legacy_review_forms (
    review_id    TEXT PRIMARY KEY REFERENCES reviews (id),
    procedure_id TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    form_id      BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX legacy_review_forms_window ON legacy_review_forms (procedure_id, created_at);

-- Procedures whose reviews must be noted again, from the incumbent's database, before the next
-- import goes on: their forms or their buttons' forms changed there (or the import stopped
-- before it noted them again). Procedures imported before forms were kept are among them.
CREATE TABLE legacy_pending_notes (
    procedure_id TEXT PRIMARY KEY REFERENCES procedures (id)
);
INSERT INTO legacy_pending_notes (procedure_id) SELECT id FROM procedures WHERE legacy_id IS NOT NULL;
