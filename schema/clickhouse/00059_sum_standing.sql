-- Summary: the standing organisation as at the snapshot, for the coverage and organisation indicators:
-- one row per measure, place and item counted towards it (a grid, a building, an appointment, a
-- cadre, a unit...). Count the distinct items of a measure over any scope. Rebuilt from the
-- dimensions and roles it names (FINAL, is_deleted = 0) after ETL runs that change them; read
-- without FINAL, so that no indicator request deduplicates them.
CREATE TABLE IF NOT EXISTS sum_standing
(
    measure      String COMMENT 'grids, grids_with_cadre (a current liaison), grids_with_instructor, buildings, buildings_with_leader, communities, communities_with_party_org, grid_instructors (cadres), liaison_cadres (cadres), building_leaders, owner_representatives (appointments), market_managed_compounds, red_stewards, governance_instructors, paired_civilised_units (units), social_org_party_orgs or venture_projects',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street; 0 when city-wide',
    community_id UInt64 COMMENT 'community (社区); join dim_community; 0 when kept per street',
    grid_id      UInt64 COMMENT 'grid (网格): the grid itself for grids; join dim_grid; 0 when kept per community or street',
    item         UInt64 COMMENT 'what is counted: the id of the row (grid, building, appointment...), or the cadre (role_cadre) or unit (dim_unit) for the measures that count distinct cadres or units'
)
ENGINE = MergeTree()
ORDER BY (measure, street_id, community_id, grid_id, item)
