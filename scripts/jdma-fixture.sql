-- A synthetic database shaped like the incumbent « Je donne mon avis » service's, for the tests
-- and the benchmark of `avis import jdma`. Our own schema, written from what the incumbent's
-- public Prisma schema says of the tables the importer reads: quoted camel-cased names,
-- `timestamp(3)` instants in UTC, `Review` and `Answer` partitioned by month on their own
-- `created_at`, a child answer's key pointing at its parent's (id, created_at).
--
-- Its size is the setting `jdma.reviews` (SET jdma.reviews = 1000 before running this file).
-- Everything is deterministic: the same size gives the same rows. The data covers every kind
-- of answer of the three eras and the traps the importer must know:
--   * before 2023-10-06 (the XWiki era): codes `score`, `comprehensible`, `easy`, `aide`;
--   * from 2023-10-06 to 2024-04-22: `comprehension` on 3 levels (option ids 7 to 9) and one
--     `contact_reached` for every channel, without parent;
--   * from 2024-04-23: the current form, `contact_reached` (17 « Oui », 18 « Non ») and
--     `contact_satisfaction` (19 to 23) children of each `contact_tried` channel (9 to 12), and
--     17 « Je n'ai pas eu besoin d'aide » under `contact_tried`;
--   * reviews before June 2025 carry form 1 or 2 whatever their product (no foreign key);
--   * children share their parent's `created_at`; a comment may come minutes after its review,
--     into the next month's partition;
--   * test buttons, deleted buttons, an archived product, accents and personal data in comments,
--     contact addresses, a client identifier (`user_id`) the importer must not carry over, a few
--     reviews without a satisfaction answer.

SET client_min_messages = warning;
DROP TABLE IF EXISTS "Answer", "Review", "Button", "Form", "Product", "Entity" CASCADE;
DROP TYPE IF EXISTS "AnswerIntention", "AnswerKind", "ProductStatus";
DROP FUNCTION IF EXISTS jdma_pick(BIGINT, INT, INT);

CREATE TYPE "AnswerIntention" AS ENUM ('very_good', 'good', 'medium', 'bad', 'very_bad', 'neutral');
CREATE TYPE "AnswerKind" AS ENUM ('text', 'checkbox', 'radio');
CREATE TYPE "ProductStatus" AS ENUM ('published', 'archived');

CREATE TABLE "Entity" (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    name_formatted TEXT,
    acronym TEXT NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP(3) NOT NULL
);

CREATE TABLE "Product" (
    id SERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    title_formatted TEXT,
    status "ProductStatus" NOT NULL DEFAULT 'published',
    entity_id INTEGER NOT NULL REFERENCES "Entity" (id),
    urls TEXT[],
    volume INTEGER,
    xwiki_id INTEGER UNIQUE,
    "isPublic" BOOLEAN,
    "isTop250" BOOLEAN,
    "hasBeenTop250" BOOLEAN,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP(3) NOT NULL
);

CREATE TABLE "Form" (
    id SERIAL PRIMARY KEY,
    title TEXT,
    form_template_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES "Product" (id),
    legacy BOOLEAN NOT NULL DEFAULT FALSE,
    "isTop250" BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at TIMESTAMP(3),
    "isDeleted" BOOLEAN DEFAULT FALSE
);

CREATE TABLE "Button" (
    id SERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    xwiki_title TEXT,
    "isTest" BOOLEAN DEFAULT FALSE,
    form_id INTEGER NOT NULL REFERENCES "Form" (id),
    delete_reason TEXT,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP(3) NOT NULL,
    deleted_at TIMESTAMP(3),
    "isDeleted" BOOLEAN DEFAULT FALSE
);

-- Keys and indexes come after the rows: building them once is much faster than keeping them.
CREATE TABLE "Review" (
    id SERIAL NOT NULL,
    form_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    button_id INTEGER NOT NULL,
    xwiki_id INTEGER,
    user_id TEXT,
    has_verbatim BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
) PARTITION BY RANGE (created_at);

CREATE TABLE "Answer" (
    id SERIAL NOT NULL,
    field_label TEXT NOT NULL,
    field_code TEXT NOT NULL,
    answer_item_id INTEGER NOT NULL,
    answer_text TEXT NOT NULL,
    intention "AnswerIntention",
    kind "AnswerKind" NOT NULL,
    review_id INTEGER NOT NULL,
    review_created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    parent_answer_id INTEGER,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
) PARTITION BY RANGE (created_at);

-- One partition per month, as the incumbent has them, from before the first review to after today.
DO $$
DECLARE month DATE;
BEGIN
    FOR month IN SELECT generate_series(DATE '2021-12-01', date_trunc('month', now())::DATE + 62, INTERVAL '1 month')::DATE LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF "Review" FOR VALUES FROM (%L) TO (%L)',
            'Review_' || to_char(month, 'YYYY_MM'), month, (month + INTERVAL '1 month')::DATE);
        EXECUTE format('CREATE TABLE %I PARTITION OF "Answer" FOR VALUES FROM (%L) TO (%L)',
            'Answer_' || to_char(month, 'YYYY_MM'), month, (month + INTERVAL '1 month')::DATE);
    END LOOP;
END $$;

-- A deterministic draw in [0, range) for row `n` and purpose `salt`.
CREATE FUNCTION jdma_pick(n BIGINT, salt INT, range INT) RETURNS INT
    LANGUAGE SQL IMMUTABLE PARALLEL SAFE
    RETURN (abs(hashint8(n * 1009 + salt)) % range)::INT;

CREATE TEMPORARY TABLE jdma_size AS
SELECT current_setting('jdma.reviews')::BIGINT AS reviews,
       greatest(3, least(200, current_setting('jdma.reviews')::BIGINT / 5000))::INT AS entities,
       greatest(8, least(2000, current_setting('jdma.reviews')::BIGINT / 500))::INT AS products,
       TIMESTAMP '2022-01-01' AS first_at,
       date_trunc('day', now() AT TIME ZONE 'UTC') - INTERVAL '1 day' AS last_at;

INSERT INTO "Entity" (id, name, acronym, created_at, updated_at)
SELECT e, CASE e % 3 WHEN 0 THEN 'Ministère de l''Intérieur ' WHEN 1 THEN 'Caisse d''allocations familiales '
              ELSE 'Direction générale des Finances publiques ' END || e,
       'E' || e, TIMESTAMP '2021-06-01' + e * INTERVAL '1 hour', TIMESTAMP '2021-06-01'
FROM jdma_size, generate_series(1, entities) e;

-- Products 1 mod 8 have an essential form, every third is public, 7 mod 50 is archived.
INSERT INTO "Product" (id, title, status, entity_id, volume, xwiki_id, "isPublic", created_at, updated_at)
SELECT p, 'Démarche n° ' || p || ' — demande d''aide au logement',
       CASE WHEN p % 50 = 7 THEN 'archived' ELSE 'published' END::"ProductStatus",
       1 + (p - 1) % entities, CASE WHEN p % 4 <> 0 THEN p * 1000 END,
       CASE WHEN p % 2 = 0 THEN 10000 + p END, p % 3 = 0,
       TIMESTAMP '2021-07-01' + p * INTERVAL '1 minute', TIMESTAMP '2021-07-01'
FROM jdma_size, generate_series(1, products) p;

INSERT INTO "Form" (id, title, form_template_id, product_id, legacy, "isTop250")
SELECT p, 'Formulaire de satisfaction', 1, p, TRUE, p % 8 = 1
FROM jdma_size, generate_series(1, products) p;

-- Two buttons per product: 2p-1 the site's, 2p the email's; 3 mod 10 a test, 5 mod 10 deleted.
INSERT INTO "Button" (id, title, xwiki_title, "isTest", form_id, created_at, updated_at, deleted_at, "isDeleted")
SELECT b, CASE WHEN b % 2 = 1 THEN 'Bouton en fin de démarche' ELSE 'Lien dans l''e-mail de confirmation' END,
       CASE WHEN b % 2 = 1 THEN 'button' ELSE 'email' END, b % 10 = 3, (b + 1) / 2,
       TIMESTAMP '2021-08-01' + b * INTERVAL '1 minute', TIMESTAMP '2021-08-01',
       CASE WHEN b % 10 = 5 THEN TIMESTAMP '2025-01-15 10:00' END, b % 10 = 5
FROM jdma_size, generate_series(1, 2 * products) b;

-- Reviews in the order of their ids, evenly from 2022 to yesterday.
INSERT INTO "Review" (id, form_id, product_id, button_id, xwiki_id, user_id, has_verbatim, created_at)
SELECT n, CASE WHEN at < TIMESTAMP '2025-06-01' THEN 1 + (n % 2)::INT ELSE (b + 1) / 2 END,
       (b + 1) / 2, b, CASE WHEN at < TIMESTAMP '2023-10-06' THEN 10000 + (b + 1) / 2 END,
       md5(n::TEXT), jdma_pick(n, 13, 1000) < 250, at
FROM (
    SELECT n, 1 + jdma_pick(n, 1, 2 * products) AS b,
           date_trunc('milliseconds', first_at + (last_at - first_at) * ((n - 1)::FLOAT8 / reviews)) AS at
    FROM jdma_size, generate_series(1, reviews) n
) drawn;

-- Answers. Each review's answer ids are 24·n + slot, so children can name their parent:
-- 0 satisfaction (or `score`), 1 comprehension (or `comprehensible`), 2 `easy`, 3 `aide`,
-- 4–7 the administration channels of `contact_tried` (counter, phone, email, chat),
-- 8 another `contact_tried` option, 9–12 `contact_reached` of channels 4–7 (9 alone, without
-- parent, in the 3-level era), 13 verbatim, 14 contact email, 15 `contact_tried_verbatim`,
-- 16–19 `contact_satisfaction` of channels 4–7.
INSERT INTO "Answer" (id, field_label, field_code, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * r.id + a.slot, a.code, a.code, a.item, a.text, a.intention::"AnswerIntention",
       a.kind::"AnswerKind", r.id, r.created_at,
       CASE WHEN a.parent IS NOT NULL THEN 24 * r.id + a.parent END,
       r.created_at + a.later
FROM (
    SELECT id, created_at,
           CASE WHEN created_at < TIMESTAMP '2023-10-06' THEN 0
                WHEN created_at < TIMESTAMP '2024-04-23' THEN 1 ELSE 2 END AS era,
           jdma_pick(id, 0, 1000) AS p0, jdma_pick(id, 2, 3) AS sat, jdma_pick(id, 3, 1000) AS p3,
           jdma_pick(id, 4, 5) AS comp, jdma_pick(id, 5, 6) AS aide,
           jdma_pick(id, 10, 1000) < 150 AS c0, jdma_pick(id, 11, 1000) < 150 AS c1,
           jdma_pick(id, 12, 1000) < 150 AS c2, jdma_pick(id, 14, 1000) < 150 AS c3,
           jdma_pick(id, 20, 1000) < 750 AS y0, jdma_pick(id, 21, 1000) < 750 AS y1,
           jdma_pick(id, 22, 1000) < 750 AS y2, jdma_pick(id, 23, 1000) < 750 AS y3,
           jdma_pick(id, 8, 1000) AS p8, jdma_pick(id, 9, 6) AS other,
           jdma_pick(id, 13, 1000) AS p13, jdma_pick(id, 15, 1000) AS p14, jdma_pick(id, 16, 5) AS quality
    FROM "Review"
) r
CROSS JOIN LATERAL (VALUES
    -- 0: satisfaction; 5 in 1000 reviews have none.
    (0, CASE WHEN r.era = 0 THEN 'score' ELSE 'satisfaction' END,
        CASE WHEN r.era = 0 THEN 0 ELSE 1 + r.sat END,
        CASE WHEN r.era = 0 THEN (1 + r.sat)::TEXT ELSE (ARRAY['Pas bien', 'Moyen', 'Très bien'])[1 + r.sat] END,
        (ARRAY['bad', 'medium', 'good'])[1 + r.sat], 'radio', NULL::INT, INTERVAL '0', r.p0 >= 5),
    (1, CASE WHEN r.era = 0 THEN 'comprehensible' ELSE 'comprehension' END,
        CASE r.era WHEN 0 THEN 0 WHEN 1 THEN 7 + r.comp % 3 ELSE 4 + r.comp END,
        CASE WHEN r.era = 2 THEN (1 + r.comp)::TEXT ELSE (1 + r.comp % 3)::TEXT END,
        (ARRAY['very_bad', 'bad', 'medium', 'good', 'very_good'])[1 + r.comp], 'radio', NULL, INTERVAL '0', r.p3 < 600),
    (2, 'easy', 0, (1 + r.comp % 3)::TEXT, 'neutral', 'radio', NULL, INTERVAL '0', r.era = 0 AND r.p3 < 500),
    (3, 'aide', 0, (ARRAY['aucune', 'proche', 'association', 'agent', 'internet', 'autre'])[1 + r.aide],
        'neutral', 'radio', NULL, INTERVAL '0', r.era = 0 AND r.p8 < 500),
    (4, 'contact_tried', 9, 'Au guichet avec l''administration', 'neutral', 'checkbox', NULL, INTERVAL '0', r.era > 0 AND r.c0),
    (5, 'contact_tried', 10, 'Par téléphone avec l''administration', 'neutral', 'checkbox', NULL, INTERVAL '0', r.era > 0 AND r.c1),
    (6, 'contact_tried', 11, 'Par e-mail avec l''administration', 'neutral', 'checkbox', NULL, INTERVAL '0', r.era > 0 AND r.c2),
    (7, 'contact_tried', 12, 'Par chat avec l''administration', 'neutral', 'checkbox', NULL, INTERVAL '0', r.era > 0 AND r.c3),
    -- 8: mostly « Je n'ai pas eu besoin d'aide » (17) alone; sometimes beside a channel (a trap).
    (8, 'contact_tried', 12 + r.other,
        (ARRAY['Une personne proche', 'Une association', 'Des sites internet', 'Autres, précisez',
               'Je n''ai pas eu besoin d''aide', 'Je n''ai pas eu besoin d''aide'])[r.other],
        CASE WHEN r.other >= 5 THEN 'good' ELSE 'neutral' END, 'checkbox', NULL, INTERVAL '0',
        r.era > 0 AND r.p8 < 500 AND r.other >= 1),
    -- 9–12: reached or not; in the 3-level era, one flat answer.
    (9, 'contact_reached', CASE WHEN r.era = 1 THEN 0 WHEN r.y0 THEN 17 ELSE 18 END,
        CASE WHEN r.y0 THEN 'Oui' ELSE 'Non' END, CASE WHEN r.y0 THEN 'good' ELSE 'bad' END, 'radio',
        CASE WHEN r.era = 2 THEN 4 END, INTERVAL '0', (r.era = 2 AND r.c0) OR (r.era = 1 AND (r.c0 OR r.c1 OR r.c2 OR r.c3))),
    (10, 'contact_reached', CASE WHEN r.y1 THEN 17 ELSE 18 END, CASE WHEN r.y1 THEN 'Oui' ELSE 'Non' END,
        CASE WHEN r.y1 THEN 'good' ELSE 'bad' END, 'radio', 5, INTERVAL '0', r.era = 2 AND r.c1),
    (11, 'contact_reached', CASE WHEN r.y2 THEN 17 ELSE 18 END, CASE WHEN r.y2 THEN 'Oui' ELSE 'Non' END,
        CASE WHEN r.y2 THEN 'good' ELSE 'bad' END, 'radio', 6, INTERVAL '0', r.era = 2 AND r.c2),
    (12, 'contact_reached', CASE WHEN r.y3 THEN 17 ELSE 18 END, CASE WHEN r.y3 THEN 'Oui' ELSE 'Non' END,
        CASE WHEN r.y3 THEN 'good' ELSE 'bad' END, 'radio', 7, INTERVAL '0', r.era = 2 AND r.c3),
    -- 13: a comment, a few minutes after the review; some with personal data.
    (13, 'verbatim', 0,
        (ARRAY['Démarche très simple, merci à l''équipe !',
               'Impossible de joindre le service, écrivez-moi à camille.durand' || r.id || '@exemple.fr',
               'Trop long. Rappelez-moi au 06 12 34 56 78 s''il vous plaît.',
               'Le formulaire ne s''affiche pas sur mon téléphone, pièce jointe refusée.'])[1 + r.p13 % 4],
        'neutral', 'text', NULL, INTERVAL '3 minutes', r.p13 < 250),
    (14, 'contact_email', 0, 'usager' || r.id || '@exemple.fr', 'neutral', 'text', NULL, INTERVAL '0',
        r.era = 2 AND r.p14 < 20),
    (15, 'contact_tried_verbatim', 0, 'La mairie de mon village', 'neutral', 'text', NULL, INTERVAL '0',
        r.era > 0 AND r.p8 < 500 AND r.other = 4),
    -- 16–19: the quality of the help, for channels reached.
    (16, 'contact_satisfaction', 19 + r.quality, '', 'neutral', 'radio', 4, INTERVAL '0', r.era = 2 AND r.c0 AND r.y0),
    (17, 'contact_satisfaction', 19 + (r.quality + 1) % 5, '', 'neutral', 'radio', 5, INTERVAL '0', r.era = 2 AND r.c1 AND r.y1),
    (18, 'contact_satisfaction', 19 + (r.quality + 2) % 5, '', 'neutral', 'radio', 6, INTERVAL '0', r.era = 2 AND r.c2 AND r.y2),
    (19, 'contact_satisfaction', 19 + (r.quality + 3) % 5, '', 'neutral', 'radio', 7, INTERVAL '0', r.era = 2 AND r.c3 AND r.y3)
) AS a(slot, code, item, text, intention, kind, parent, later, present)
WHERE a.present;

ALTER TABLE "Review" ADD PRIMARY KEY (id, created_at);
CREATE INDEX ON "Review" (product_id, created_at);
ALTER TABLE "Answer" ADD PRIMARY KEY (id, created_at);
CREATE INDEX ON "Answer" (review_id, review_created_at);
CREATE INDEX ON "Answer" (parent_answer_id, created_at);
SELECT setval(pg_get_serial_sequence('"Entity"', 'id'), (SELECT max(id) FROM "Entity"));
SELECT setval(pg_get_serial_sequence('"Product"', 'id'), (SELECT max(id) FROM "Product"));
SELECT setval(pg_get_serial_sequence('"Form"', 'id'), (SELECT max(id) FROM "Form"));
SELECT setval(pg_get_serial_sequence('"Button"', 'id'), (SELECT max(id) FROM "Button"));
SELECT setval(pg_get_serial_sequence('"Review"', 'id'), greatest(1, (SELECT max(id) FROM "Review")));
SELECT setval(pg_get_serial_sequence('"Answer"', 'id'), greatest(1, (SELECT max(id) FROM "Answer")));
ANALYZE;
