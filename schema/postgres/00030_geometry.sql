-- Where places and issues are (PostGIS). Coordinates are WGS-84 longitude/latitude
-- (SRID 4326); docs/geo.md says how GCJ-02 input from Chinese map SDKs is converted.
-- Streets, communities and grids have boundaries that tile their parent; buildings,
-- facilities, intersections and issues have points. No table of people has a location:
-- a building is a place, never a person's home on a map.

CREATE EXTENSION IF NOT EXISTS postgis;

ALTER TABLE streets ADD COLUMN boundary geometry(MultiPolygon, 4326);
ALTER TABLE communities ADD COLUMN boundary geometry(MultiPolygon, 4326);
ALTER TABLE grids ADD COLUMN boundary geometry(MultiPolygon, 4326);
ALTER TABLE buildings ADD COLUMN location geometry(Point, 4326);
ALTER TABLE facilities ADD COLUMN location geometry(Point, 4326);
ALTER TABLE intersections ADD COLUMN location geometry(Point, 4326);
ALTER TABLE issues ADD COLUMN location geometry(Point, 4326);

CREATE INDEX streets_boundary ON streets USING gist (boundary);
CREATE INDEX communities_boundary ON communities USING gist (boundary);
CREATE INDEX grids_boundary ON grids USING gist (boundary);
CREATE INDEX buildings_location ON buildings USING gist (location);
CREATE INDEX facilities_location ON facilities USING gist (location);
CREATE INDEX intersections_location ON intersections USING gist (location);
CREATE INDEX issues_location ON issues USING gist (location);
