-- Summary: red stewards' live patrols by the local day of the patrol and place, with their live
-- findings and, of those, the ones raised as issues (by the day of the patrol that found them).
-- Rebuilt from fact_patrol and fact_patrol_finding (FINAL, is_deleted = 0) after ETL runs that
-- change them; read without FINAL. Sum any columns over any days and places.
CREATE TABLE IF NOT EXISTS sum_patrol_day
(
    patrolled_on    Date   COMMENT 'local day of the patrol: toDate(fact_patrol.patrolled_at)',
    street_id       UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id    UInt64 COMMENT 'community (社区); join dim_community',
    grid_id         UInt64 COMMENT 'grid (网格); join dim_grid',
    patrols         UInt64 COMMENT 'live patrols',
    findings        UInt64 COMMENT 'live findings of those patrols',
    findings_raised UInt64 COMMENT 'of the findings, raised as issues of the issue register'
)
ENGINE = MergeTree()
ORDER BY (patrolled_on, street_id, community_id, grid_id)
