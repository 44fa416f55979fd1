-- Monthly roll-ups of the counters (SQLite). Keep in step with ../postgres/0005_monthly_aggregates.sql.

-- The day counters, stored once in their key's order (no separate rowid table and index).
CREATE TABLE aggregates_by_key (
    procedure_id TEXT NOT NULL,
    day          TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    question     TEXT NOT NULL,
    value        TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (procedure_id, day, button_id, question, value)
) WITHOUT ROWID;
INSERT INTO aggregates_by_key SELECT procedure_id, day, button_id, question, value, count FROM aggregates;
DROP TABLE aggregates;
ALTER TABLE aggregates_by_key RENAME TO aggregates;

-- The same counts per Europe/Paris month (`YYYY-MM`): a window reads whole months here and only
-- its edge days from `aggregates`. Kept by triggers, in the transaction that moves a day counter.
CREATE TABLE monthly_aggregates (
    procedure_id TEXT NOT NULL,
    month        TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    question     TEXT NOT NULL,
    value        TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (procedure_id, month, button_id, question, value)
) WITHOUT ROWID;
CREATE INDEX monthly_aggregates_month ON monthly_aggregates (month, procedure_id);
INSERT INTO monthly_aggregates
    SELECT procedure_id, substr(day, 1, 7), button_id, question, value, SUM(count)
    FROM aggregates GROUP BY procedure_id, substr(day, 1, 7), button_id, question, value;

CREATE TRIGGER aggregates_roll_up_insert AFTER INSERT ON aggregates BEGIN
    INSERT INTO monthly_aggregates (procedure_id, month, button_id, question, value, count)
    VALUES (NEW.procedure_id, substr(NEW.day, 1, 7), NEW.button_id, NEW.question, NEW.value, NEW.count)
    ON CONFLICT (procedure_id, month, button_id, question, value)
    DO UPDATE SET count = count + excluded.count;
END;
CREATE TRIGGER aggregates_roll_up_update AFTER UPDATE OF count ON aggregates BEGIN
    UPDATE monthly_aggregates SET count = count + NEW.count - OLD.count
    WHERE procedure_id = NEW.procedure_id AND month = substr(NEW.day, 1, 7)
      AND button_id = NEW.button_id AND question = NEW.question AND value = NEW.value;
END;
CREATE TRIGGER aggregates_roll_up_delete AFTER DELETE ON aggregates BEGIN
    UPDATE monthly_aggregates SET count = count - OLD.count
    WHERE procedure_id = OLD.procedure_id AND month = substr(OLD.day, 1, 7)
      AND button_id = OLD.button_id AND question = OLD.question AND value = OLD.value;
END;
