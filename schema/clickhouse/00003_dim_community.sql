-- Residents' communities (社区) with their full path: city → street → community.
-- Ancestor names are denormalised and kept current by the ETL.
CREATE TABLE IF NOT EXISTS dim_community
(
    id            UInt64                    COMMENT 'community id, as in Postgres; the deduplication key',
    city_id       UInt64                    COMMENT 'city; join dim_city',
    city_name     String                    COMMENT 'name of the city',
    street_id     UInt64                    COMMENT 'street; join dim_street',
    street_name   String                    COMMENT 'name of the street',
    code          String                    COMMENT 'stable community code',
    name          String                    COMMENT 'community name',
    has_party_org UInt8                     COMMENT '1 when the community has its own party organisation',
    created_at    DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at    DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version       UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted    UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
