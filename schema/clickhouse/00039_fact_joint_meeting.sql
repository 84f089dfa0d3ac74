-- Quarterly joint meetings on party building (党建联席会) of a community.
CREATE TABLE IF NOT EXISTS fact_joint_meeting
(
    id           UInt64                    COMMENT 'meeting id, as in Postgres; the deduplication key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    held_on      Date                      COMMENT 'day held',
    title        String                    COMMENT 'meeting title',
    attendees    UInt32                    COMMENT 'people attending',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
