-- Audit log: every change made through a GraphQL mutation, one row per changed row, written
-- by trigger in the transaction of the change (so a change without its record cannot commit).
--
-- The store sets gridgov.audit (transaction-local, set_config(..., true)) to a JSON object
-- {"person": id, "role": role, "mutation": name, "request": request id} before it writes;
-- writes without it (migrations, seeding, operators' SQL) are not mutations and are not
-- audited. Only city admins read the log, through GraphQL; nobody rewrites it.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    person_id    bigint,            -- the acting person (people.id)
    role         text NOT NULL,     -- the role they acted in
    mutation     text NOT NULL,     -- the GraphQL mutation, e.g. dispatchIssue
    request_id   text NOT NULL DEFAULT '',
    target_table text NOT NULL,
    target_id    bigint NOT NULL,
    action       text NOT NULL CONSTRAINT audit_log_action_valid CHECK (action IN ('insert', 'update', 'delete')),
    before       jsonb,             -- the row before the change; null for an insert
    after        jsonb,             -- the row after the change; null for a delete
    row_xid      xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_person ON audit_log (person_id, at DESC);
CREATE INDEX audit_log_target ON audit_log (target_table, target_id);
CREATE INDEX audit_log_mutation ON audit_log (mutation, at DESC);
SELECT gridgov_append_only('audit_log');

CREATE FUNCTION gridgov_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ctx jsonb := current_setting('gridgov.audit')::jsonb;
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - 'row_xid'; END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - 'row_xid'; END IF;
    INSERT INTO audit_log (person_id, role, mutation, request_id, target_table, target_id, action, before, after)
    VALUES ((ctx->>'person')::bigint, ctx->>'role', ctx->>'mutation', coalesce(ctx->>'request', ''), TG_TABLE_NAME,
            (coalesce(new_row, old_row)->>'id')::bigint, lower(TG_OP), old_row, new_row);
    RETURN NULL;
END $$;

-- gridgov_audited(table) attaches the audit trigger. Its WHEN clause keeps writes without
-- an audit context (seeding, migrations) at the cost of one setting lookup per row.
CREATE FUNCTION gridgov_audited(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
                   'WHEN (coalesce(current_setting(''gridgov.audit'', true), '''') <> '''') EXECUTE FUNCTION gridgov_audit()',
                   name || '_audit', tbl);
END $$;

-- Every operational table with an id: what mutations write.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND c.column_name = 'id' AND tb.table_type = 'BASE TABLE'
               AND c.table_name <> 'audit_log' AND c.table_name NOT LIKE 'etl\_%' AND c.table_name NOT LIKE 'seed\_%'
               AND c.table_name NOT LIKE 'schema\_%'
             ORDER BY c.table_name
    LOOP
        PERFORM gridgov_audited(t::regclass);
    END LOOP;
END $$;
