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
--   * reviews before June 2025 carry form 1 or 2 whatever their product (no foreign key), later
--     ones their button's form; products 6 mod 12 have a second form, not a legacy one, which
--     their e-mail button belongs to, and products 9 mod 18 have no legacy form at all;
--   * children share their parent's `created_at`; a comment may come minutes after its review,
--     into the next month's partition;
--   * test buttons, deleted buttons, an archived product, accents and personal data in comments,
--     contact addresses, a client identifier (`user_id`) the importer must not carry over, a few
--     reviews without a satisfaction answer.

SET client_min_messages = warning;
DROP TABLE IF EXISTS "Answer", "Review", "Button", "Form", "FormTemplate", "Product", "Entity" CASCADE;
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

CREATE TABLE "FormTemplate" (
    id SERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
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
    AS $$ SELECT (abs(hashint8(n * 1009 + salt)) % range)::INT $$;

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

INSERT INTO "FormTemplate" (id, title, slug, updated_at)
VALUES (1, 'Évaluation de la satisfaction usager', 'root', TIMESTAMP '2025-03-18');

-- A form's title may be empty: its template's then stands for it.
INSERT INTO "Form" (id, title, form_template_id, product_id, legacy, "isTop250")
SELECT p, CASE WHEN p % 2 = 0 THEN 'Formulaire de satisfaction' END, 1, p, p % 18 <> 9, p % 8 = 1
FROM jdma_size, generate_series(1, products) p
UNION ALL
SELECT products + p, 'Formulaire des e-mails', 1, p, FALSE, FALSE
FROM jdma_size, generate_series(1, products) p WHERE p % 12 = 6;

-- The form of button b.
CREATE FUNCTION pg_temp.jdma_form(b BIGINT, products INT) RETURNS INT
    LANGUAGE SQL IMMUTABLE
    AS $$ SELECT CASE WHEN b % 2 = 0 AND (b / 2) % 12 = 6 THEN products + b / 2 ELSE (b + 1) / 2 END::INT $$;

-- Two buttons per product: 2p-1 the site's, 2p the email's; 3 mod 10 a test, 5 mod 10 deleted.
INSERT INTO "Button" (id, title, xwiki_title, "isTest", form_id, created_at, updated_at, deleted_at, "isDeleted")
SELECT b, CASE WHEN b % 2 = 1 THEN 'Bouton en fin de démarche' ELSE 'Lien dans l''e-mail de confirmation' END,
       CASE WHEN b % 2 = 1 THEN 'button' ELSE 'email' END, b % 10 = 3, pg_temp.jdma_form(b, products),
       TIMESTAMP '2021-08-01' + b * INTERVAL '1 minute', TIMESTAMP '2021-08-01',
       CASE WHEN b % 10 = 5 THEN TIMESTAMP '2025-01-15 10:00' END, b % 10 = 5
FROM jdma_size, generate_series(1, 2 * products) b;

-- Reviews in the order of their ids, evenly from 2022 to yesterday.
INSERT INTO "Review" (id, form_id, product_id, button_id, xwiki_id, user_id, has_verbatim, created_at)
SELECT n, CASE WHEN at < TIMESTAMP '2025-06-01' THEN 1 + (n % 2)::INT ELSE pg_temp.jdma_form(b, products) END,
       (b + 1) / 2, b, CASE WHEN at < TIMESTAMP '2023-10-06' THEN 10000 + (b + 1) / 2 END,
       md5(n::TEXT), jdma_pick(n, 13, 1000) < 250, at
FROM (
    SELECT n, products, 1 + jdma_pick(n, 1, 2 * products) AS b,
           date_trunc('milliseconds', first_at + (last_at - first_at) * ((n - 1)::FLOAT8 / reviews)) AS at
    FROM jdma_size, generate_series(1, reviews) n
) drawn;

-- Answers. Each review's answer ids are 24·n + slot, so children can name their parent:
-- 0 satisfaction (or `score`), 1 comprehension (or `comprehensible`), 2 `easy`, 3 `aide`,
-- 4–7 the administration channels of `contact_tried` (counter, phone, email, chat),
-- 8 another `contact_tried` option, 9–12 `contact_reached` of channels 4–7 (9 alone, without
-- parent, in the 3-level era), 13 verbatim, 14 contact email, 15 `contact_tried_verbatim`,
-- 16–19 `contact_satisfaction` of channels 4–7. One statement per slot: each computes only
-- the draws it reads (the view is flattened into it) and builds only the rows it writes.
CREATE TEMPORARY VIEW jdma_draws AS
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
FROM "Review";

-- 0: satisfaction; 5 reviews in 1000 have none.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id, c, c, CASE WHEN era = 0 THEN 0 ELSE 1 + sat END,
       CASE WHEN era = 0 THEN (1 + sat)::TEXT ELSE (ARRAY['Pas bien', 'Moyen', 'Très bien'])[1 + sat] END,
       (ARRAY['bad', 'medium', 'good'])[1 + sat]::"AnswerIntention", 'radio', id, created_at, NULL, created_at
FROM (SELECT *, CASE WHEN era = 0 THEN 'score' ELSE 'satisfaction' END AS c FROM jdma_draws) d WHERE p0 >= 5;

-- 1: comprehension, on 3 levels (7 to 9) before April 2024, or the XWiki era's `comprehensible`.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 1, c, c, CASE era WHEN 0 THEN 0 WHEN 1 THEN 7 + comp % 3 ELSE 4 + comp END,
       CASE WHEN era = 2 THEN (1 + comp)::TEXT ELSE (1 + comp % 3)::TEXT END,
       (ARRAY['very_bad', 'bad', 'medium', 'good', 'very_good'])[1 + comp]::"AnswerIntention", 'radio',
       id, created_at, NULL, created_at
FROM (SELECT *, CASE WHEN era = 0 THEN 'comprehensible' ELSE 'comprehension' END AS c FROM jdma_draws) d
WHERE p3 < 600;

-- 2 and 3: the XWiki era's ease and help.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 2, 'easy', 'Facile ?', 0, (1 + comp % 3)::TEXT, 'neutral', 'radio', id, created_at, NULL, created_at
FROM jdma_draws WHERE era = 0 AND p3 < 500;
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 3, 'aide', 'Aide', 0, (ARRAY['aucune', 'proche', 'association', 'agent', 'internet', 'autre'])[1 + aide],
       'neutral', 'radio', id, created_at, NULL, created_at
FROM jdma_draws WHERE era = 0 AND p8 < 500;

-- 4–7: the administration channels tried.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 4 + ch, 'contact_tried', 'Aide', 9 + ch,
       (ARRAY['Au guichet', 'Par téléphone', 'Par e-mail', 'Par chat'])[1 + ch] || ' avec l''administration',
       'neutral', 'checkbox', id, created_at, NULL, created_at
FROM jdma_draws, LATERAL (VALUES (0, c0), (1, c1), (2, c2), (3, c3)) AS t(ch, tried)
WHERE era > 0 AND tried;

-- 8: another option, « Je n'ai pas eu besoin d'aide » (17) among them, sometimes beside a
-- channel (a trap).
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 8, 'contact_tried', 'Aide', 12 + other,
       (ARRAY['Une personne proche', 'Une association', 'Des sites internet', 'Autres, précisez',
              'Je n''ai pas eu besoin d''aide'])[other],
       CASE WHEN other = 5 THEN 'good' ELSE 'neutral' END::"AnswerIntention", 'checkbox', id, created_at, NULL, created_at
FROM jdma_draws WHERE era > 0 AND p8 < 500 AND other >= 1;
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 15, 'contact_tried_verbatim', 'Précisez', 0, 'La mairie de mon village', 'neutral', 'text',
       id, created_at, NULL, created_at
FROM jdma_draws WHERE era > 0 AND p8 < 500 AND other = 4;

-- 9–12: reached or not, children of their channel sharing its instant; in the 3-level era,
-- one flat answer for every channel.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 9 + ch, 'contact_reached', 'Joignable ?', CASE WHEN era = 1 THEN 0 WHEN yes THEN 17 ELSE 18 END,
       CASE WHEN yes THEN 'Oui' ELSE 'Non' END, CASE WHEN yes THEN 'good' ELSE 'bad' END::"AnswerIntention", 'radio',
       id, created_at, CASE WHEN era = 2 THEN 24 * id + 4 + ch END, created_at
FROM jdma_draws, LATERAL (VALUES (0, c0, y0), (1, c1, y1), (2, c2, y2), (3, c3, y3)) AS t(ch, tried, yes)
WHERE (era = 2 AND tried) OR (era = 1 AND ch = 0 AND (c0 OR c1 OR c2 OR c3));

-- 16–19: the quality of the help, for the channels reached.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 16 + ch, 'contact_satisfaction', 'Qualité', 19 + (quality + ch) % 5,
       (ARRAY['Très mauvaise', 'Mauvaise', 'Ni bonne, ni mauvaise', 'Bonne', 'Excellente'])[1 + (quality + ch) % 5],
       (ARRAY['very_bad', 'bad', 'medium', 'good', 'very_good'])[1 + (quality + ch) % 5]::"AnswerIntention", 'radio',
       id, created_at, 24 * id + 4 + ch, created_at
FROM jdma_draws, LATERAL (VALUES (0, c0 AND y0), (1, c1 AND y1), (2, c2 AND y2), (3, c3 AND y3)) AS t(ch, rated)
WHERE era = 2 AND rated;

-- 13: a comment, a few minutes after the review (so sometimes in the next month's partition);
-- half of them hold personal data.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 13, 'verbatim', 'Commentaire', 0,
       CASE p13 % 4 WHEN 0 THEN 'Démarche très simple, merci à l''équipe !'
            WHEN 1 THEN 'Impossible de joindre le service, écrivez-moi à camille.durand' || id || '@exemple.fr'
            WHEN 2 THEN 'Trop long. Rappelez-moi au 06 12 34 56 78 s''il vous plaît.'
            ELSE 'Le formulaire ne s''affiche pas sur mon téléphone, pièce jointe refusée.' END,
       'neutral', 'text', id, created_at, NULL, created_at + INTERVAL '3 minutes'
FROM jdma_draws WHERE p13 < 250;

-- 14: an address to be contacted back, in the current form only.
INSERT INTO "Answer" (id, field_code, field_label, answer_item_id, answer_text, intention, kind,
                      review_id, review_created_at, parent_answer_id, created_at)
SELECT 24 * id + 14, 'contact_email', 'E-mail', 0, 'usager' || id || '@exemple.fr', 'neutral', 'text',
       id, created_at, NULL, created_at
FROM jdma_draws WHERE era = 2 AND p14 < 20;

ALTER TABLE "Review" ADD PRIMARY KEY (id, created_at);
CREATE INDEX ON "Review" (product_id, created_at);
ALTER TABLE "Answer" ADD PRIMARY KEY (id, created_at);
CREATE INDEX ON "Answer" (review_id, review_created_at);
CREATE INDEX ON "Answer" (parent_answer_id, created_at);
SELECT setval(pg_get_serial_sequence('"Entity"', 'id'), (SELECT max(id) FROM "Entity"));
SELECT setval(pg_get_serial_sequence('"Product"', 'id'), (SELECT max(id) FROM "Product"));
SELECT setval(pg_get_serial_sequence('"FormTemplate"', 'id'), (SELECT max(id) FROM "FormTemplate"));
SELECT setval(pg_get_serial_sequence('"Form"', 'id'), (SELECT max(id) FROM "Form"));
SELECT setval(pg_get_serial_sequence('"Button"', 'id'), (SELECT max(id) FROM "Button"));
SELECT setval(pg_get_serial_sequence('"Review"', 'id'), greatest(1, (SELECT max(id) FROM "Review")));
SELECT setval(pg_get_serial_sequence('"Answer"', 'id'), greatest(1, (SELECT max(id) FROM "Answer")));
ANALYZE;
