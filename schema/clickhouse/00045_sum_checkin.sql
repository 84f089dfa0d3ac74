-- Summary: verified community check-ins (报到) by the place of the check-in. Rebuilt from fact_checkin
-- (FINAL, is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_checkin
(
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid; 0 when not tied to a grid',
    verified     UInt64 COMMENT 'live check-ins in state verified'
)
ENGINE = MergeTree()
ORDER BY (street_id, community_id, grid_id)
