-- Metric view: the check-in rate (报到率), one definition for the indicators and for SQL. Per place,
-- the party members expected to check in (live members living there, from sum_member) and the
-- verified check-ins at the place (from sum_checkin), with the check-ins that ended and those due
-- for re-verification. The rate of any set of places is sum(checked_in) / sum(expected), as
-- indicators.checkins.rate; a place appears once per source, so sum, never read a row alone.
CREATE VIEW IF NOT EXISTS metric_checkin AS
SELECT street_id, community_id, grid_id, members AS expected, toUInt64(0) AS checked_in, toUInt64(0) AS withdrawn,
       toUInt64(0) AS transferred, toUInt64(0) AS reverification_due
FROM sum_member
UNION ALL
SELECT street_id, community_id, grid_id, toUInt64(0) AS expected, verified AS checked_in, withdrawn, transferred, reverification_due
FROM sum_checkin
