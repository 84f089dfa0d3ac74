-- Foundation: what every replicated table shares.
--
-- Every table the warehouse copies carries
--   version    bigint  bumped on every update: the ReplacingMergeTree version (monotonic per
--                      row because updates of one row serialise on its row lock; an xid is not);
--   row_xid    xid8    the transaction that last wrote the row: the ETL extracts rows whose
--                      row_xid is at or above the previous snapshot's xmin, so a transaction
--                      that commits after an extraction started is picked up by the next one;
--   updated_at, created_at, deleted_at (soft delete; hard deletes leave a tombstone).
-- gridgov_replicate(table) attaches the trigger and the index that make this hold.

CREATE FUNCTION gridgov_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version    := OLD.version + 1;
    NEW.row_xid    := pg_current_xact_id();
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- Hard deletes are rare (operators, tests); the tombstone lets them reach the warehouse.
CREATE TABLE etl_tombstones (
    table_name text        NOT NULL,
    row_id     bigint      NOT NULL,
    row_xid    xid8        NOT NULL DEFAULT pg_current_xact_id(),
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, row_id, row_xid)
);
CREATE INDEX etl_tombstones_xid ON etl_tombstones (row_xid);

CREATE FUNCTION gridgov_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO etl_tombstones (table_name, row_id) VALUES (TG_TABLE_NAME, OLD.id)
    ON CONFLICT DO NOTHING;
    RETURN OLD;
END $$;

-- History tables are append-only: who did what, when, is never rewritten.
CREATE FUNCTION gridgov_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION gridgov_replicate(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION gridgov_touch()',
                   name || '_touch', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s FOR EACH ROW EXECUTE FUNCTION gridgov_tombstone()',
                   name || '_tombstone', tbl);
    EXECUTE format('CREATE INDEX %I ON %s (row_xid)', name || '_row_xid', tbl);
END $$;

CREATE FUNCTION gridgov_append_only(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION gridgov_immutable()',
                   name || '_immutable', tbl);
    EXECUTE format('CREATE INDEX %I ON %s (row_xid)', name || '_row_xid', tbl);
END $$;
