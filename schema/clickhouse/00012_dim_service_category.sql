-- The 13 categories of the service-project list (项目清单) for service orders.
CREATE TABLE IF NOT EXISTS dim_service_category
(
    id         UInt64                    COMMENT 'category id, as in Postgres; the deduplication key',
    code       String                    COMMENT 'stable category code',
    name       String                    COMMENT 'English name',
    name_zh    String                    COMMENT 'Chinese name',
    created_at DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version    UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
