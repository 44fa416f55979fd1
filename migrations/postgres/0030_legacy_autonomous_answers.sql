-- Answers the incumbent's observatory figures count that an imported review cannot hold
-- (PostgreSQL). Keep in step with ../sqlite/0030_legacy_autonomous_answers.sql.

-- The incumbent let « Je n'ai pas eu besoin d'aide » be ticked beside a channel; avis's
-- questionnaire does not (that choice excludes the others), so `avis import jdma` drops it from
-- the review. The incumbent's autonomy figure counts it all the same, one answer among the
-- others: the import notes each such review here, once, so that the observatory's pull under
-- `--jdma-compat` counts it too. Reviews created in avis never have one. A window reads the
-- rows of one procedure between two instants, and joins their reviews to leave excluded ones out.
CREATE TABLE legacy_autonomous_answers (
    review_id    TEXT PRIMARY KEY REFERENCES reviews (id),
    procedure_id TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX legacy_autonomous_answers_window ON legacy_autonomous_answers (procedure_id, created_at);
