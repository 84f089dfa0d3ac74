-- Streets (街道) and towns (镇): the second level of the place path, with their city.
-- Names are denormalised: a renamed city reaches every street row.
CREATE TABLE IF NOT EXISTS dim_street
(
    id         UInt64                    COMMENT 'street id, as in Postgres; the deduplication key',
    city_id    UInt64                    COMMENT 'city; join dim_city',
    city_name  String                    COMMENT 'name of the city',
    code       String                    COMMENT 'stable street code',
    name       String                    COMMENT 'street or town name',
    kind       String                    COMMENT 'street or town',
    created_at DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version    UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
