-- Summary: one row per live claimed service order, for the median time to claim. Rebuilt from
-- fact_service_order (FINAL, is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_order_claim
(
    posted_on      Date    COMMENT 'local day posted: toDate(fact_service_order.posted_at)',
    id             UInt64  COMMENT 'order id; join fact_service_order',
    street_id      UInt64  COMMENT 'street (街道) or town; join dim_street',
    community_id   UInt64  COMMENT 'community (社区); join dim_community',
    grid_id        UInt64  COMMENT 'grid (网格); join dim_grid',
    hours_to_claim Float64 COMMENT 'hours from posting to acceptance'
)
ENGINE = MergeTree()
ORDER BY (posted_on, id)
