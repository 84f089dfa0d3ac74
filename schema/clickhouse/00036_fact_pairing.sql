-- Pairings (结对共建) of units with communities or practice stations.
CREATE TABLE IF NOT EXISTS fact_pairing
(
    id           UInt64                    COMMENT 'pairing id, as in Postgres; the deduplication key',
    unit_id      UInt64                    COMMENT 'the unit; join dim_unit',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    facility_id  Nullable(UInt64)          COMMENT 'the practice station for kind practice_station; NULL otherwise',
    kind         String                    COMMENT 'community or practice_station',
    started_on   Date                      COMMENT 'first day',
    ended_on     Nullable(Date)            COMMENT 'last day; NULL while current',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
