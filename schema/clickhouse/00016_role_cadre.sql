-- Street cadres (街道干部) and community cadres (社区干部).
CREATE TABLE IF NOT EXISTS role_cadre
(
    id           UInt64                    COMMENT 'cadre id, as in Postgres; the deduplication key',
    person_key   UInt64                    COMMENT 'pseudonymous key of the cadre (keyed hash of the person id); joins dim_person.person_key',
    kind         String                    COMMENT 'street_cadre or community_cadre',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id Nullable(UInt64)          COMMENT 'community of a community cadre; NULL for street cadres',
    title        String                    COMMENT 'post title',
    is_leader    UInt8                     COMMENT '1 for members of the street\'s leadership team (grid party-building instructors)',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
