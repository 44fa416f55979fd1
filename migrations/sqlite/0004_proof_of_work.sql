-- Proof of work per button (SQLite). Keep in step with ../postgres/0004_proof_of_work.sql.

-- Whether reviews through a button must carry a solved ALTCHA challenge (off by default).
ALTER TABLE buttons ADD COLUMN requires_proof_of_work INTEGER NOT NULL DEFAULT 0 CHECK (requires_proof_of_work IN (0, 1));
