-- Check-ins (报到) of in-service party members at their community of residence.
-- The check-in rate (报到率) is verified check-ins ÷ party members.
CREATE TABLE IF NOT EXISTS fact_checkin
(
    id           UInt64                              COMMENT 'check-in id, as in Postgres; the deduplication key',
    member_id    UInt64                              COMMENT 'party member; join role_party_member.id',
    street_id    UInt64                              COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                              COMMENT 'community (社区); join dim_community',
    grid_id      Nullable(UInt64)                    COMMENT 'grid (网格); join dim_grid; NULL until verified',
    state        String                              COMMENT 'pending, verified or rejected',
    submitted_at DateTime('Asia/Shanghai')           COMMENT 'when the check-in was submitted',
    decided_at   Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was verified or rejected; NULL while pending',
    decided_by   Nullable(UInt64)                    COMMENT 'cadre who decided; join role_cadre',
    created_at   DateTime('Asia/Shanghai')           COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai')           COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                              COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                               COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
