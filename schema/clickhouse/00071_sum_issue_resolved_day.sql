-- Summary: issues resolved or closed out that had a due time, by the local day they were resolved,
-- place and category: how many on time (按期办结) and how many late. Rebuilt from fact_issue (FINAL,
-- is_deleted = 0) after ETL runs that change it; read without FINAL. Sum any columns over any days and places.
CREATE TABLE IF NOT EXISTS sum_issue_resolved_day
(
    resolved_on  Date   COMMENT 'local day resolved: toDate(fact_issue.resolved_at)',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid',
    category_id  UInt64 COMMENT 'category; join dim_issue_category',
    on_time      UInt64 COMMENT 'live issues resolved or closed out, with a due time, resolved at or before it (resolved_at <= due_at, to the second)',
    late         UInt64 COMMENT 'the same, resolved after their due time'
)
ENGINE = MergeTree()
ORDER BY (resolved_on, street_id, community_id, grid_id, category_id)
