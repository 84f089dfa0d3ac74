-- The grid work log (网格工作纪实表): what a cadre did in the grid, when, for how many residents.
-- The free-text content stays in Postgres.
CREATE TABLE IF NOT EXISTS fact_work_log
(
    id            UInt64                    COMMENT 'entry id, as in Postgres; the deduplication key',
    street_id     UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id  UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id       UInt64                    COMMENT 'grid (网格); join dim_grid',
    cadre_id      UInt64                    COMMENT 'the cadre; join role_cadre',
    kind          String                    COMMENT 'patrol, frontline_service, policy_consultation, convenience_service, resident_visit, environment_cleanup or dispute_mediation',
    logged_at     DateTime('Asia/Shanghai') COMMENT 'when the work was done',
    people_served UInt32                    COMMENT 'residents served',
    hours         Decimal(5, 2)             COMMENT 'hours spent',
    created_at    DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at    DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version       UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted    UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
