-- Matters of a joint meeting: matters discussed and decided (大事共议、要事共决) and disputes mediated (民事共调).
CREATE TABLE IF NOT EXISTS fact_meeting_matter
(
    id           UInt64                    COMMENT 'matter id, as in Postgres; the deduplication key',
    meeting_id   UInt64                    COMMENT 'the meeting; join fact_joint_meeting',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    kind         String                    COMMENT 'major_matter, practical_matter, urgent_matter or dispute',
    title        String                    COMMENT 'matter title',
    outcome      String                    COMMENT 'discussed, decided, mediated or unresolved',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
