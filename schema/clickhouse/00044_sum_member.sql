-- Summary: live party members (党员) by place and employer unit, and how many of them have a verified
-- check-in. Rebuilt from role_party_member and fact_checkin (FINAL, is_deleted = 0) after ETL runs
-- that change them; read without FINAL (see sum_state for its snapshot).
CREATE TABLE IF NOT EXISTS sum_member
(
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid; 0 when the member has no grid yet',
    unit_id      UInt64 COMMENT 'employer; join dim_unit',
    members      UInt64 COMMENT 'live party members',
    checked_in   UInt64 COMMENT 'of them, members with a verified check-in'
)
ENGINE = MergeTree()
ORDER BY (street_id, community_id, grid_id, unit_id)
