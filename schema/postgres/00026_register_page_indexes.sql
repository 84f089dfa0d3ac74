-- The lists of the registers kept through the API are read a page at a time along an index in
-- their order, at every level of scope and place filter, as every other list is (00016): a page
-- of the city's newest patrols, or of a street's current grid staff, reads the rows it returns.
-- Live rows only, as every list reads them.

CREATE INDEX patrols_patrolled_order ON patrols (patrolled_at, id) WHERE deleted_at IS NULL;
CREATE INDEX patrols_street_patrolled_order ON patrols (street_id, patrolled_at, id) WHERE deleted_at IS NULL;
CREATE INDEX patrols_community_patrolled_order ON patrols (community_id, patrolled_at, id) WHERE deleted_at IS NULL;
CREATE INDEX patrols_grid_patrolled_order ON patrols (grid_id, patrolled_at, id) WHERE deleted_at IS NULL;
DROP INDEX patrols_grid;

CREATE INDEX grid_assignments_started_order ON grid_assignments (started_on, id) WHERE deleted_at IS NULL;
CREATE INDEX grid_assignments_street_started_order ON grid_assignments (street_id, started_on, id) WHERE deleted_at IS NULL;
CREATE INDEX grid_assignments_community_started_order ON grid_assignments (community_id, started_on, id) WHERE deleted_at IS NULL;
CREATE INDEX grid_assignments_grid_started_order ON grid_assignments (grid_id, started_on, id) WHERE deleted_at IS NULL;
