-- Red stewards' patrols (红色小管家巡查): who patrolled which grid, when. The route and the notes
-- stay in Postgres.
CREATE TABLE IF NOT EXISTS fact_patrol
(
    id           UInt64                    COMMENT 'patrol id, as in Postgres; the deduplication key',
    steward_id   UInt64                    COMMENT 'the red steward; join role_red_steward',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格) patrolled; join dim_grid',
    patrolled_at DateTime('Asia/Shanghai') COMMENT 'when the patrol took place',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
