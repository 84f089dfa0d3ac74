-- A resident's record (居民信息) runs from moving in to moving out: the residents indicator counts
-- the current records (moved_out_on IS NULL). Postgres holds these columns since 00023_staffing;
-- a warehouse loaded before this migration reloads the table with
-- `gridgov etl resync --table role_resident`.
ALTER TABLE role_resident
    ADD COLUMN moved_in_on Date AFTER collected_at,
    ADD COLUMN moved_out_on Nullable(Date) AFTER moved_in_on,
    COMMENT COLUMN moved_in_on 'day of moving in',
    COMMENT COLUMN moved_out_on 'day of moving out; NULL while the resident lives there'
