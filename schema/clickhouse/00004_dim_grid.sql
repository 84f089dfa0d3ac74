-- Grids (网格), the smallest cell of management, with their full path: city → street → community → grid.
-- Ancestor names are denormalised and kept current by the ETL.
CREATE TABLE IF NOT EXISTS dim_grid
(
    id             UInt64                    COMMENT 'grid id, as in Postgres; the deduplication key',
    city_id        UInt64                    COMMENT 'city; join dim_city',
    city_name      String                    COMMENT 'name of the city',
    street_id      UInt64                    COMMENT 'street; join dim_street',
    street_name    String                    COMMENT 'name of the street',
    community_id   UInt64                    COMMENT 'community; join dim_community',
    community_name String                    COMMENT 'name of the community',
    code           String                    COMMENT 'stable grid code',
    name           String                    COMMENT 'grid name',
    households     UInt32                    COMMENT 'households in the grid',
    created_at     DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at     DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version        UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted     UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
