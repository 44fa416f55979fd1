-- Reviews stored but not yet added to the counters (PostgreSQL). Keep in step with
-- ../sqlite/0012_reviews_waiting_to_be_counted.sql.

-- The review writer stores each new review with its id here, in the review's own transaction,
-- and adds the reviews listed here to the counters in bulk (at most a second later, or at once
-- when a reader of the indicators asks), removing them from the list in that same transaction.
-- Moving counter rows for each batch of a few dozen reviews was half of the time of its
-- statements. Whatever a crash interrupts stays listed and is counted after the restart, so the
-- counters never miss nor double-count a stored review. Nodes sharing the database each count
-- the rows no other node is counting at that moment (their rows are locked while they do).
CREATE TABLE reviews_waiting (
    review_id TEXT COLLATE "C" PRIMARY KEY
);
