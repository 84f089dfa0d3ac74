-- Summary: live registered volunteers (志愿者) by place and team. Rebuilt from fact_volunteer (FINAL,
-- is_deleted = 0) after ETL runs that change it; read without FINAL. Team types and volunteer
-- police come from dim_volunteer_team.
CREATE TABLE IF NOT EXISTS sum_volunteer
(
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid; 0 when not tied to a grid',
    team_id      UInt64 COMMENT 'volunteer team; join dim_volunteer_team; 0 when in none',
    volunteers   UInt64 COMMENT 'live volunteers'
)
ENGINE = MergeTree()
ORDER BY (street_id, community_id, grid_id, team_id)
