-- Justice-system party members stationed in a compound's mediation room.
CREATE TABLE IF NOT EXISTS role_mediation_room_member
(
    id           UInt64                    COMMENT 'membership id, as in Postgres; the deduplication key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    facility_id  UInt64                    COMMENT 'the mediation room; join dim_facility',
    member_id    UInt64                    COMMENT 'party member; join role_party_member.id',
    joined_on    Date                      COMMENT 'first day',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
