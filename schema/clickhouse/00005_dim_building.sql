-- Buildings (楼栋) with their full path: city → street → community → grid → building.
-- Ancestor names are denormalised and kept current by the ETL. Nothing below building level is in the warehouse.
CREATE TABLE IF NOT EXISTS dim_building
(
    id                  UInt64                    COMMENT 'building id, as in Postgres; the deduplication key',
    city_id             UInt64                    COMMENT 'city; join dim_city',
    city_name           String                    COMMENT 'name of the city',
    street_id           UInt64                    COMMENT 'street; join dim_street',
    street_name         String                    COMMENT 'name of the street',
    community_id        UInt64                    COMMENT 'community; join dim_community',
    community_name      String                    COMMENT 'name of the community',
    grid_id             UInt64                    COMMENT 'grid; join dim_grid',
    grid_name           String                    COMMENT 'name of the grid',
    compound_id         Nullable(UInt64)          COMMENT 'residential compound (小区); join dim_compound; NULL for a building outside compounds',
    number              String                    COMMENT 'building number within its compound or street',
    floors              UInt16                    COMMENT 'number of floors',
    households          UInt32                    COMMENT 'households in the building',
    covenant_adopted_on Nullable(Date)            COMMENT 'day the building covenant (楼栋公约) was adopted; NULL when none',
    created_at          DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at          DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version             UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted          UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
