-- In-service party members (在职党员), expected to check in where they live. A member is named by
-- id (member_id in the facts) and by no person key: see the privacy section.
CREATE TABLE IF NOT EXISTS role_party_member
-- As first created: 00064 drops person_key, building_id and joined_party_year.
(
    id                UInt64                    COMMENT 'party member id, as in Postgres; the deduplication key',
    person_key        UInt64                    COMMENT 'pseudonymous key of the member (keyed hash of the person id); joins dim_person.person_key',
    unit_id           UInt64                    COMMENT 'employer; join dim_unit',
    street_id         UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id      UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id           Nullable(UInt64)          COMMENT 'grid assigned on check-in; NULL before',
    building_id       Nullable(UInt64)          COMMENT 'building of residence; NULL when unknown',
    profession        String                    COMMENT 'profession',
    specialty         String                    COMMENT 'specialty offered for services',
    joined_party_year Nullable(UInt16)          COMMENT 'year the member joined the party; NULL when unknown',
    created_at        DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at        DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version           UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted        UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
