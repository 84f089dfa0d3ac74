-- Building leaders (楼栋长) and owner representatives (业主代表) appointed from party members, by
-- building; which member holds an appointment stays in Postgres.
CREATE TABLE IF NOT EXISTS role_building_appointment
-- As first created: 00065 drops member_id.
(
    id           UInt64                    COMMENT 'appointment id, as in Postgres; the deduplication key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格); join dim_grid',
    building_id  UInt64                    COMMENT 'building (楼栋); join dim_building',
    member_id    UInt64                    COMMENT 'party member; join role_party_member.id',
    role         String                    COMMENT 'building_leader or owner_representative',
    appointed_on Date                      COMMENT 'first day',
    ended_on     Nullable(Date)            COMMENT 'last day; NULL while current',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
