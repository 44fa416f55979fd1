-- One foreign key per review instead of two (PostgreSQL). Keep in step with
-- ../sqlite/0014_one_review_foreign_key.sql.

-- A review's button and procedure are checked together: the pair must be a button and the
-- procedure it belongs to, which the two separate keys did not require. Each key is checked
-- for every row inserted, by a query that also locks the row it finds: with the two keys, the
-- checks took half the time of inserting a batch of reviews. One key instead of two took the
-- database's CPU per review from 179-225 to 160-184 µs under the ingest benchmark (four
-- alternations). Buttons never change procedure, so the pair a review points to stays.
ALTER TABLE buttons ADD CONSTRAINT buttons_id_procedure UNIQUE (id, procedure_id);
ALTER TABLE reviews ADD CONSTRAINT reviews_button_procedure_fkey
    FOREIGN KEY (button_id, procedure_id) REFERENCES buttons (id, procedure_id);
ALTER TABLE reviews
    DROP CONSTRAINT reviews_button_id_fkey,
    DROP CONSTRAINT reviews_procedure_id_fkey;
