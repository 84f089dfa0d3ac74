-- Residents' information records collected by cadres in the grid (居民信息), by grid: which person a
-- record is about stays in Postgres.
CREATE TABLE IF NOT EXISTS role_resident
-- As first created: 00063 drops person_key and building_id.
(
    id              UInt64                    COMMENT 'record id, as in Postgres; the deduplication key',
    person_key      UInt64                    COMMENT 'pseudonymous key of the resident (keyed hash of the person id); joins dim_person.person_key',
    street_id       UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id    UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id         UInt64                    COMMENT 'grid (网格); join dim_grid',
    building_id     UInt64                    COMMENT 'building (楼栋); join dim_building',
    household_size  UInt16                    COMMENT 'people in the household',
    is_party_member UInt8                     COMMENT '1 when the resident is a party member',
    collected_by    Nullable(UInt64)          COMMENT 'cadre who collected the record; join role_cadre',
    collected_at    DateTime('Asia/Shanghai') COMMENT 'when the record was collected',
    created_at      DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at      DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version         UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted      UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
