-- Summary: the service ledger (服务台账) by day served and place. Rebuilt from fact_service_record
-- (FINAL, is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_service_day
(
    served_on    Date           COMMENT 'day of service',
    street_id    UInt64         COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64         COMMENT 'community (社区); join dim_community',
    grid_id      UInt64         COMMENT 'grid (网格); join dim_grid; 0 when not tied to a grid',
    records      UInt64         COMMENT 'live service records',
    hours        Decimal(18, 2) COMMENT 'hours served'
)
ENGINE = MergeTree()
ORDER BY (served_on, street_id, community_id, grid_id)
