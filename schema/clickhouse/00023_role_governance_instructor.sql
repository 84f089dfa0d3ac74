-- Community governance instructors (社区基层治理指导员): retired leading cadres.
CREATE TABLE IF NOT EXISTS role_governance_instructor
(
    id           UInt64                    COMMENT 'instructor id, as in Postgres; the deduplication key',
    person_key   UInt64                    COMMENT 'pseudonymous key of the instructor (keyed hash of the person id); joins dim_person.person_key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    former_post  String                    COMMENT 'post held before retirement',
    appointed_on Date                      COMMENT 'day of appointment',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
