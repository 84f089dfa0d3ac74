-- Summary: live issues resolved or closed out, by the local day of their latest resolution and
-- place, and of them those reopened (重办) before it: by an unsatisfied verdict or after a failed
-- verification. Rebuilt from fact_issue and fact_issue_event (FINAL, is_deleted = 0) after ETL
-- runs that change them; read without FINAL. Sum any columns over any days and places; the reopen
-- rate (重办率) is reopened / resolved.
CREATE TABLE IF NOT EXISTS sum_issue_rework_day
(
    resolved_on  Date   COMMENT 'local day of the latest resolution: toDate(fact_issue.resolved_at)',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid',
    resolved     UInt64 COMMENT 'live issues resolved or closed out',
    reopened     UInt64 COMMENT 'of them, reopened at least once: a fact_issue_event row with action reopen or verdict unsatisfied',
    reopens      UInt64 COMMENT 'those events of theirs in all'
)
ENGINE = MergeTree()
ORDER BY (resolved_on, street_id, community_id, grid_id)
