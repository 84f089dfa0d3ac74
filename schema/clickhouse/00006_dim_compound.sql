-- Residential compounds (小区); market-managed ones have a property company.
CREATE TABLE IF NOT EXISTS dim_compound
(
    id               UInt64                    COMMENT 'compound id, as in Postgres; the deduplication key',
    street_id        UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id     UInt64                    COMMENT 'community (社区); join dim_community',
    name             String                    COMMENT 'compound name',
    market_managed   UInt8                     COMMENT '1 when managed by a property company (市场化物业)',
    property_company Nullable(String)          COMMENT 'the property company; NULL when not market-managed',
    built_year       Nullable(UInt16)          COMMENT 'year the compound was built; NULL when unknown',
    created_at       DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at       DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version          UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted       UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
