-- Summary: one row per live issue that is closed out or open with a deadline, for what counts cannot
-- give: the median and 90th percentile of hours to close, and issues overdue at a given time.
-- Rebuilt from fact_issue (FINAL, is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_issue_item
(
    reported_on    Date                                COMMENT 'local day reported: toDate(fact_issue.reported_at)',
    id             UInt64                              COMMENT 'issue id; join fact_issue',
    street_id      UInt64                              COMMENT 'street (街道) or town; join dim_street',
    community_id   UInt64                              COMMENT 'community (社区); join dim_community',
    grid_id        UInt64                              COMMENT 'grid (网格); join dim_grid',
    hours_to_close Nullable(Float64)                   COMMENT 'hours from report to close-out of a closed issue; NULL when not closed',
    open_due_at    Nullable(DateTime('Asia/Shanghai')) COMMENT 'deadline of an issue neither resolved nor closed; NULL otherwise'
)
ENGINE = MergeTree()
ORDER BY (reported_on, id)
