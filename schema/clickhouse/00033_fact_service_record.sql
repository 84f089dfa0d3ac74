-- The service ledger (服务台账): each party member's service time, from orders or activities.
-- The free-text content stays in Postgres.
CREATE TABLE IF NOT EXISTS fact_service_record
(
    id           UInt64                    COMMENT 'record id, as in Postgres; the deduplication key',
    member_id    UInt64                    COMMENT 'party member; join role_party_member.id',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      Nullable(UInt64)          COMMENT 'grid (网格); join dim_grid; NULL when not tied to a grid',
    order_id     Nullable(UInt64)          COMMENT 'the service order served; NULL for other services',
    served_on    Date                      COMMENT 'day of service',
    hours        Decimal(5, 2)             COMMENT 'hours served',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
