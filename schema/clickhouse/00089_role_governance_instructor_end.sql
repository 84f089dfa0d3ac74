-- Community governance instructors (社区基层治理指导员) end their appointment: the indicators
-- count the current ones (ended_on IS NULL). Postgres holds the column since 00023_staffing; a
-- warehouse loaded before this migration reloads the table with
-- `gridgov etl resync --table role_governance_instructor`.
ALTER TABLE role_governance_instructor
    ADD COLUMN ended_on Nullable(Date) AFTER appointed_on,
    COMMENT COLUMN ended_on 'last day of the appointment; NULL while current'
