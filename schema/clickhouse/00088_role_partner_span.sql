-- Co-building partners (七联共建) serve from a day to a day and may be contact staff of a paired
-- unit: the partners indicators count the current ones (ended_on IS NULL). Postgres holds these
-- columns since 00023_staffing; a warehouse loaded before this migration holds partners copied
-- without them, which `gridgov etl resync --table role_partner` reloads without downtime.
ALTER TABLE role_partner
    ADD COLUMN started_on Date AFTER organisation,
    ADD COLUMN ended_on Nullable(Date) AFTER started_on,
    COMMENT COLUMN kind 'community_police (片警), community_doctor (社区医生), property_staff (物业人员) or paired_unit_staff (联点共建单位)',
    COMMENT COLUMN started_on 'first day',
    COMMENT COLUMN ended_on 'last day; NULL while current'
