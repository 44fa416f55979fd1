-- Reviews stored but not yet added to the counters (SQLite). Keep in step with
-- ../postgres/0012_reviews_waiting_to_be_counted.sql.

-- The review writer stores each new review with its id here, in the review's own transaction,
-- and adds the reviews listed here to the counters in bulk (at most a second later, or at once
-- when a reader of the indicators asks), removing them from the list in that same transaction.
-- Moving a counter row for each batch of a few dozen reviews was a third of the cost of storing
-- them. Whatever a crash interrupts stays listed and is counted after the restart, so the
-- counters never miss nor double-count a stored review.
CREATE TABLE reviews_waiting (
    review_id TEXT PRIMARY KEY
) WITHOUT ROWID;
