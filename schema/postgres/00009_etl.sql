-- Checkpoints of the ETL into the warehouse, one row per warehouse table.
--
-- horizon is pg_snapshot_xmin() of the snapshot the table was last loaded from: every
-- transaction below it had committed (or aborted) when that snapshot was taken, so its rows
-- are in the warehouse; rows with row_xid >= horizon are extracted again on the next run (a
-- re-load is harmless: the warehouse deduplicates by version). A row is upserted only after
-- ClickHouse acknowledged every batch of the table, so a crash never skips data.
CREATE TABLE etl_checkpoints (
    table_name      text PRIMARY KEY,             -- warehouse table, e.g. fact_issue
    horizon         xid8        NOT NULL,         -- extract rows with row_xid >= horizon next
    snapshot        text        NOT NULL,         -- pg_current_snapshot() of the last load, for diagnosis
    snapshot_at     timestamptz NOT NULL,         -- when that snapshot was taken: the copy is fresh as of then
    last_success_at timestamptz NOT NULL DEFAULT now(),
    rows_last_run   bigint      NOT NULL DEFAULT 0, -- rows loaded by the last run (tombstones included)
    rows_total      bigint      NOT NULL DEFAULT 0, -- rows loaded since the first run
    last_error      text,                         -- why the last failed run of this table failed
    last_error_at   timestamptz
);
