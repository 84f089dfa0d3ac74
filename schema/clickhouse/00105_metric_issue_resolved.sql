-- Metric view: resolved totals (办结), one definition for the indicators and for SQL. The issues
-- reported each local day, by place and category, and of them those resolved or closed out
-- (销号) as at the snapshot, with the quantities resolved (square metres of greening and the like,
-- in the category's quantity_unit) and the disputes mediated. Over any days and places,
-- sum(resolved) / sum(reported) is indicators.issues.resolutionRate, and the sums by category
-- are indicators.issues.byCategory.
CREATE VIEW IF NOT EXISTS metric_issue_resolved AS
SELECT reported_on, street_id, community_id, grid_id, category_id, reported, resolved, closed, resolved_quantity,
       disputes, disputes_mediated, disputes_mediated_by_cadres
FROM sum_issue_day
