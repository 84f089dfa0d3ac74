-- A role row carries its person's name, so lists of people by name are read from one index.
--
-- Residents, volunteers, party members, cadres, red stewards, governance instructors and
-- partners list by the person's name (store.personNameKey, the members' NAME order). The
-- name lived only in people, so every page joined people for the whole scope and sorted it,
-- and a next page ran its keyset predicate across the join (an index on people(name) cannot
-- serve a scope that lives on the role row): at scale 20 (825,180 residents) a city-wide
-- page took about 1 s and its count 1.5 s on a busy machine. With person_name on the row, a
-- page is the first rows of an index at its place, whatever the scope, and a count needs no
-- join: about 5 ms and 0.15 s (docs/benchmarks.md, "Lists by a person's name").
--
-- person_name is a copy of people.name that only the database writes:
--   * gridgov_person_named, BEFORE INSERT OR UPDATE OF person_id, person_name on each role
--     table, sets it from people whatever the writer gave (the seed's COPY, the API's INSERT,
--     an operator's UPDATE alike), so no writer can make it differ;
--   * gridgov_person_renamed, AFTER UPDATE OF name ON people, rewrites the person's role rows
--     in the same transaction (each table has a unique index on person_id: one row each).
-- A generated column cannot read another table, and a view would be the join again; a
-- trigger pair is what keeps a copy equal for every writer. A rename bumps the role rows'
-- version and row_xid like any update of them (the ETL copies them again; harmless).
--
-- The name is still a direct identifier that never reaches the warehouse: the ETL copies only
-- the columns of the warehouse's tables (etl/plan.go), and none is person_name.

-- The name of a person, '' for an id that names no one: the foreign key on person_id then
-- reports the bad id (AFTER the row is built) instead of NOT NULL reporting person_name.
CREATE FUNCTION gridgov_person_name(person bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT name FROM people WHERE id = person), '')
$$;

CREATE FUNCTION gridgov_person_named() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.person_name := gridgov_person_name(NEW.person_id);
    RETURN NEW;
END $$;

-- gridgov_person_name_column(table) adds person_name to a role table, filled, NOT NULL, with
-- its trigger. The fill is a rewrite (ALTER COLUMN TYPE … USING), not an UPDATE: no dead
-- copy of every row to vacuum (2.5 million volunteers at scale 20), no touch trigger, so
-- version and row_xid stay as they were and the ETL has nothing new to copy. A rewritten
-- table's visibility map is empty and a rewrite does not wake autovacuum: until the next
-- VACUUM of these tables a count reads the heap too (correct, only slower). At scale 20 the
-- migration took 55 s; VACUUM residents, volunteers, party_members then took 1.5 s.
-- A new role table gets this, and a line in gridgov_person_renamed.
CREATE FUNCTION gridgov_person_name_column(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN person_name text', tbl);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN person_name TYPE text USING gridgov_person_name(person_id), '
                   'ALTER COLUMN person_name SET NOT NULL', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OF person_id, person_name ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION gridgov_person_named()', name || '_person_named', tbl);
END $$;

SELECT gridgov_person_name_column(t) FROM unnest(ARRAY['residents', 'volunteers', 'party_members', 'cadres',
    'red_stewards', 'governance_instructors', 'partners']::regclass[]) t;

CREATE FUNCTION gridgov_person_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each UPDATE fires gridgov_person_named, which reads the new name back from people.
    UPDATE residents SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE volunteers SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE party_members SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE cadres SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE red_stewards SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE governance_instructors SET person_name = NEW.name WHERE person_id = NEW.id;
    UPDATE partners SET person_name = NEW.name WHERE person_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER people_renamed AFTER UPDATE OF name ON people FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION gridgov_person_renamed();

-- The lists of the large tables, one index per depth of scope, live rows only like every
-- list (00012). A page filters deleted_at IS NULL and the scope's place columns — a street
-- scope street_id, a community scope street_id and community_id, a grid scope all three (the
-- authenticator completes a scope's ancestors); a place filter adds one — and sorts by
-- (person_name, id) with its keyset predicate on the same pair (store/query.go keyset). The
-- finest column leads, then (person_name, id): the first rows of the index at that place are
-- the page. The ancestors are INCLUDEd so that a count at that depth is an index-only scan;
-- rows without a grid (volunteers and members may have none) are left out of the grid index.
-- Cadres, red stewards, instructors and partners are a few hundred rows: sorted as they are.
--
-- The planner multiplies the selectivities of street_id, community_id and grid_id as if they
-- were independent, while a grid fixes the other two: it took a grid of 6,180 residents for
-- 46, sorted them all rather than read the grid index in order (15 ms, not 2). Functional
-- dependency statistics correct it; ANALYZE collects them (and person_name's) now rather
-- than at the next autovacuum.
CREATE FUNCTION gridgov_person_name_indexes(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE INDEX %I ON %s (person_name, id) WHERE deleted_at IS NULL', name || '_name', tbl);
    EXECUTE format('CREATE INDEX %I ON %s (street_id, person_name, id) WHERE deleted_at IS NULL',
                   name || '_street_name', tbl);
    EXECUTE format('CREATE INDEX %I ON %s (community_id, person_name, id) INCLUDE (street_id) WHERE deleted_at IS NULL',
                   name || '_community_name', tbl);
    EXECUTE format('CREATE INDEX %I ON %s (grid_id, person_name, id) INCLUDE (street_id, community_id) '
                   'WHERE deleted_at IS NULL AND grid_id IS NOT NULL', name || '_grid_name', tbl);
    EXECUTE format('CREATE STATISTICS %I (dependencies) ON street_id, community_id, grid_id FROM %s',
                   name || '_places', tbl);
    EXECUTE format('ANALYZE %s', tbl);
END $$;

SELECT gridgov_person_name_indexes(t) FROM unnest(ARRAY['residents', 'volunteers', 'party_members']::regclass[]) t;
