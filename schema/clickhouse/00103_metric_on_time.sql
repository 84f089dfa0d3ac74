-- Metric view: the on-time closure rate (按期办结率), one definition for the indicators and for SQL.
-- Issues with a due time, resolved or closed out, by the local day of their resolution, place and
-- category: on time (resolved at or before the due time) and late. The rate of any days and places
-- is sum(on_time) / sum(resolved_with_due), as indicators.issues.onTimeRate (none when nothing
-- with a due time was resolved).
CREATE VIEW IF NOT EXISTS metric_on_time AS
SELECT resolved_on, street_id, community_id, grid_id, category_id, on_time, late, on_time + late AS resolved_with_due
FROM sum_issue_resolved_day
