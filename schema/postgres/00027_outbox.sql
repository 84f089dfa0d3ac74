-- The transactional outbox: every entry of the issue, order and check-in histories writes a
-- row here in the transaction of the change, by trigger, so an event exists exactly when its
-- change committed. Each `serve` process reads the outbox (woken by NOTIFY gridgov_outbox,
-- polling as the floor) and hands the events to its subscribers; webhook deliveries are
-- queued from it too (00028).
--
-- Readers follow the transaction horizon, as the ETL does: the rows of transactions older
-- than the snapshot's xmin are final, so a reader that takes row_xid in [last xmin, xmin)
-- never misses a row committed late by a long transaction. The scope columns are the place
-- the entity belongs to (a check-in's grid is its own, as the history has none).
--
-- The seed writes history in bulk with gridgov.outbox = 'off': the past is not news.

CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text   NOT NULL CONSTRAINT outbox_kind_valid CHECK (kind IN ('issue', 'service_order', 'checkin')),
    entity_id    bigint NOT NULL,
    history_id   bigint NOT NULL,
    action       text   NOT NULL,
    to_state     text   NOT NULL,
    street_id    bigint NOT NULL,
    community_id bigint NOT NULL,
    grid_id      bigint,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(), -- when the step was written
    row_xid      xid8        NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX outbox_horizon ON outbox (row_xid, id);
CREATE INDEX outbox_at ON outbox (at);

CREATE FUNCTION gridgov_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb := to_jsonb(NEW);
    grid bigint := (r->>'grid_id')::bigint;
BEGIN
    IF TG_ARGV[0] = 'checkin' THEN
        SELECT c.grid_id INTO grid FROM checkins c WHERE c.id = NEW.checkin_id;
    END IF;
    INSERT INTO outbox (kind, entity_id, history_id, action, to_state, street_id, community_id, grid_id)
    VALUES (TG_ARGV[0], (r->>TG_ARGV[1])::bigint, NEW.id, NEW.action, NEW.to_state, NEW.street_id, NEW.community_id, grid);
    PERFORM pg_notify('gridgov_outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER issue_events_outbox AFTER INSERT ON issue_events FOR EACH ROW
    WHEN (current_setting('gridgov.outbox', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION gridgov_outbox('issue', 'issue_id');
CREATE TRIGGER order_events_outbox AFTER INSERT ON order_events FOR EACH ROW
    WHEN (current_setting('gridgov.outbox', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION gridgov_outbox('service_order', 'order_id');
CREATE TRIGGER checkin_events_outbox AFTER INSERT ON checkin_events FOR EACH ROW
    WHEN (current_setting('gridgov.outbox', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION gridgov_outbox('checkin', 'checkin_id');
