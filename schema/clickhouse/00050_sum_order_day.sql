-- Summary: service orders (服务订单) by the local day they were posted and place, with their state as
-- at the snapshot. Rebuilt from fact_service_order (FINAL, is_deleted = 0) after ETL runs that
-- change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_order_day
(
    posted_on    Date   COMMENT 'local day posted: toDate(fact_service_order.posted_at)',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid',
    posted       UInt64 COMMENT 'live orders posted',
    claimed      UInt64 COMMENT 'of them, accepted by a party member',
    completed    UInt64 COMMENT 'of them, completed or rated',
    rated        UInt64 COMMENT 'of them, rated',
    rating_sum   UInt64 COMMENT 'sum of their ratings (1–5)'
)
ENGINE = MergeTree()
ORDER BY (posted_on, street_id, community_id, grid_id)
