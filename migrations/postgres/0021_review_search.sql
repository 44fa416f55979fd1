-- Full-text search in comments (PostgreSQL). Keep in step with ../sqlite/0021_review_search.sql.

-- A text in lower case without accents: the same letters as the server's own folding.
CREATE FUNCTION avis_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT replace(replace(replace(replace(lower(translate($1,
            'ÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĖĘĚÌÍÎÏĪĮŁÑŃŇÒÓÔÕÖØŌŐŔŘŚŠŞŤÙÚÛÜŪŮŰŲÝŸŹŻŽàáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž',
            'aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzzaaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz')),
            'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae')
    $$;

-- The comments' words, folded, in an inverted index.
CREATE INDEX reviews_search ON reviews
    USING gin (to_tsvector('simple', avis_fold(verbatim)))
    WHERE verbatim IS NOT NULL;
