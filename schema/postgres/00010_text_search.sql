-- Indexed text search over the titles and descriptions of issues and service orders.
--
-- Searches are substrings of Chinese text ("漏水", "停车位"): there are no word boundaries,
-- so a tsvector finds nothing, and most search terms are two characters, too short for
-- pg_trgm trigrams (a two-character pattern yields no trigram and the index scans whole).
-- So each row is indexed by its grams: every character and every pair of adjacent
-- characters, lower-cased. A search asks for the rows holding every pair of the search text
-- (its one character, for a one-character search): an index condition that keeps only rows
-- likely to match, which ILIKE then checks exactly.

CREATE FUNCTION gridgov_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT lower(t) AS l) s,
         LATERAL (SELECT substr(s.l, i, 1) FROM generate_series(1, length(s.l)) i
                  UNION ALL
                  SELECT substr(s.l, i, 2) FROM generate_series(1, length(s.l) - 1) i) x(g)
$$;

-- The grams a search text must all be found among: its pairs, or its one character.
CREATE FUNCTION gridgov_search_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(q) < 2 THEN ARRAY[lower(q)]
           ELSE (SELECT coalesce(array_agg(DISTINCT substr(lower(q), i, 2)), '{}')
                 FROM generate_series(1, length(q) - 1) i) END
$$;

CREATE INDEX issues_grams ON issues USING gin (gridgov_grams(title || ' ' || description));
CREATE INDEX service_orders_grams ON service_orders USING gin (gridgov_grams(title || ' ' || description));

-- The 'simple' tsvector index of 00004 cannot serve substring search in Chinese; writes no
-- longer pay for it.
DROP INDEX issues_text;
