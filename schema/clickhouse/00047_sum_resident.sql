-- Summary: live resident records (居民档案) by place. Rebuilt from role_resident (FINAL,
-- is_deleted = 0) after ETL runs that change it; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_resident
(
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid',
    residents    UInt64 COMMENT 'live resident records'
)
ENGINE = MergeTree()
ORDER BY (street_id, community_id, grid_id)
