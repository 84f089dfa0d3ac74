-- The city, top of every place path and of every scope.
CREATE TABLE IF NOT EXISTS dim_city
(
    id         UInt64                    COMMENT 'city id, as in Postgres; the deduplication key',
    code       String                    COMMENT 'stable city code',
    name       String                    COMMENT 'city name',
    created_at DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version    UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
