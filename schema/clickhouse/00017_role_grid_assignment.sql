-- Who is responsible for a grid, as what, from when to when.
CREATE TABLE IF NOT EXISTS role_grid_assignment
(
    id           UInt64                    COMMENT 'assignment id, as in Postgres; the deduplication key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格); join dim_grid',
    cadre_id     UInt64                    COMMENT 'the cadre; join role_cadre',
    role         String                    COMMENT 'instructor (网格党建指导员), liaison (包联), grid_leader (网格长) or grid_worker (网格员)',
    started_on   Date                      COMMENT 'first day',
    ended_on     Nullable(Date)            COMMENT 'last day; NULL while current',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
