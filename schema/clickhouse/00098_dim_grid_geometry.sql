-- Where each grid is and how large: its centroid and its area, computed by PostGIS from the
-- grid's boundary. A grid is a place; no person's location reaches the warehouse.
ALTER TABLE dim_grid
    ADD COLUMN centroid_lon Decimal(9, 6) AFTER households,
    ADD COLUMN centroid_lat Decimal(9, 6) AFTER centroid_lon,
    ADD COLUMN area_km2 Decimal(12, 6) AFTER centroid_lat,
    COMMENT COLUMN centroid_lon 'longitude of the centroid of the grid, degrees east (WGS-84); 0 when the grid has no boundary',
    COMMENT COLUMN centroid_lat 'latitude of the centroid of the grid, degrees north (WGS-84); 0 when the grid has no boundary',
    COMMENT COLUMN area_km2 'area of the grid in square kilometres, measured on the ground; 0 when the grid has no boundary'
