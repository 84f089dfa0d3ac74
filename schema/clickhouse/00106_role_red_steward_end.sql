-- Red stewards (红色小管家) end their service: the standing counts the current ones
-- (ended_on IS NULL). Postgres holds the column since 00024_community; a warehouse loaded before
-- this migration reloads the table with `gridgov etl resync --table role_red_steward`.
ALTER TABLE role_red_steward
    ADD COLUMN ended_on Nullable(Date) AFTER selected_on,
    COMMENT COLUMN ended_on 'last day as steward; NULL while current'
