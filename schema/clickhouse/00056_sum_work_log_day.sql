-- Summary: the grid work log (网格工作日志) by local day, place and kind. Rebuilt from fact_work_log
-- (FINAL, is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_work_log_day
(
    logged_on     Date           COMMENT 'local day of the work: toDate(fact_work_log.logged_at)',
    street_id     UInt64         COMMENT 'street (街道) or town; join dim_street',
    community_id  UInt64         COMMENT 'community (社区); join dim_community',
    grid_id       UInt64         COMMENT 'grid (网格); join dim_grid',
    kind          String         COMMENT 'patrol, frontline_service, policy_consultation, convenience_service, resident_visit, environment_cleanup or dispute_mediation',
    entries       UInt64         COMMENT 'live log entries',
    people_served UInt64         COMMENT 'residents served',
    hours         Decimal(18, 2) COMMENT 'hours spent'
)
ENGINE = MergeTree()
ORDER BY (logged_on, street_id, community_id, grid_id, kind)
