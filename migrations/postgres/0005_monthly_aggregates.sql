-- Monthly roll-ups of the counters (PostgreSQL). Keep in step with ../sqlite/0005_monthly_aggregates.sql.

-- The same counts per Europe/Paris month (`YYYY-MM`): a window reads whole months here and only
-- its edge days from `aggregates`. Kept by a trigger, in the transaction that moves a day counter.
CREATE TABLE monthly_aggregates (
    procedure_id TEXT NOT NULL,
    month        TEXT NOT NULL,
    button_id    TEXT NOT NULL,
    question     TEXT NOT NULL,
    value        TEXT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (procedure_id, month, button_id, question, value)
);
CREATE INDEX monthly_aggregates_month ON monthly_aggregates (month, procedure_id);
INSERT INTO monthly_aggregates
    SELECT procedure_id, substr(day, 1, 7), button_id, question, value, SUM(count)
    FROM aggregates GROUP BY procedure_id, substr(day, 1, 7), button_id, question, value;

CREATE FUNCTION aggregates_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE monthly_aggregates SET count = count + NEW.count - OLD.count
        WHERE procedure_id = NEW.procedure_id AND month = substr(NEW.day, 1, 7)
          AND button_id = NEW.button_id AND question = NEW.question AND value = NEW.value;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE monthly_aggregates SET count = count - OLD.count
        WHERE procedure_id = OLD.procedure_id AND month = substr(OLD.day, 1, 7)
          AND button_id = OLD.button_id AND question = OLD.question AND value = OLD.value;
    ELSE
        INSERT INTO monthly_aggregates (procedure_id, month, button_id, question, value, count)
        VALUES (NEW.procedure_id, substr(NEW.day, 1, 7), NEW.button_id, NEW.question, NEW.value, NEW.count)
        ON CONFLICT (procedure_id, month, button_id, question, value)
        DO UPDATE SET count = monthly_aggregates.count + excluded.count;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER aggregates_roll_up AFTER INSERT OR UPDATE OR DELETE ON aggregates
    FOR EACH ROW EXECUTE FUNCTION aggregates_roll_up();
