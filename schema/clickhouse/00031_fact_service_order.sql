-- Service orders: a resident orders, the grid publishes, a party member accepts (群众点单、网格下单、党员接单).
-- Free text stays in Postgres.
CREATE TABLE IF NOT EXISTS fact_service_order
-- As first created: 00067 drops building_id.
(
    id               UInt64                              COMMENT 'order id, as in Postgres; the deduplication key',
    street_id        UInt64                              COMMENT 'street (街道) or town; join dim_street',
    community_id     UInt64                              COMMENT 'community (社区); join dim_community',
    grid_id          UInt64                              COMMENT 'grid (网格); join dim_grid',
    building_id      Nullable(UInt64)                    COMMENT 'building (楼栋); join dim_building; NULL when not tied to a building',
    category_id      UInt64                              COMMENT 'category; join dim_service_category',
    resident_key     UInt64                              COMMENT 'pseudonymous key of the resident who ordered',
    state            String                              COMMENT 'posted, published, claimed, completed, rated or cancelled',
    posted_at        DateTime('Asia/Shanghai')           COMMENT 'when the resident posted it',
    published_at     Nullable(DateTime('Asia/Shanghai')) COMMENT 'when the grid published it; NULL before',
    published_by_key Nullable(UInt64)                    COMMENT 'pseudonymous key of who published it; NULL before',
    claimed_by       Nullable(UInt64)                    COMMENT 'party member who accepted it; join role_party_member; NULL before',
    claimed_at       Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was accepted; NULL before',
    completed_at     Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was completed; NULL before',
    hours            Nullable(Decimal(5, 2))             COMMENT 'service hours; NULL before completion',
    rating           Nullable(UInt8)                     COMMENT 'resident\'s rating 1–5; NULL before rating',
    rated_at         Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was rated; NULL before',
    created_at       DateTime('Asia/Shanghai')           COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at       DateTime('Asia/Shanghai')           COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version          UInt64                              COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted       UInt8                               COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
