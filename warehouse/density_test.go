package warehouse_test

import (
	"context"
	"math"
	"testing"

	"gridgov/warehouse"
)

// checkDensity compares the scope's area with PostGIS's measure of its grids' boundaries,
// checks that the breakdown's areas add up to it, and that density is issues over area.
func checkDensity(t *testing.T, d *demo, s warehouse.Scope, ind *warehouse.Indicators) {
	t.Helper()
	cond := map[warehouse.Level]string{warehouse.LevelCity: "$1::bigint > 0", warehouse.LevelStreet: "street_id = $1",
		warehouse.LevelCommunity: "community_id = $1", warehouse.LevelGrid: "id = $1"}[s.Level]
	var km2 float64
	if err := d.pg.QueryRow(context.Background(), `SELECT sum(ST_Area(boundary::geography)) / 1e6 FROM grids
		WHERE deleted_at IS NULL AND (`+cond+`)`, max(s.ID, 1)).Scan(&km2); err != nil {
		t.Fatal(err)
	}
	if km2 == 0 || math.Abs(ind.Density.AreaKm2-km2) > 1e-3 {
		t.Errorf("%s %d: area %.6f km², PostGIS %.6f", s.Level, s.ID, ind.Density.AreaKm2, km2)
	}
	sum := ind.Unassigned.Density.AreaKm2
	for _, b := range ind.Breakdown {
		sum += b.Density.AreaKm2
		if b.Density.AreaKm2 <= 0 || b.Density.IssuesPerKm2 == nil || math.Abs(*b.Density.IssuesPerKm2*b.Density.AreaKm2-float64(b.Issues.Reported)) > 1e-6 {
			t.Errorf("%s %d: breakdown %s: %+v for %d issues", s.Level, s.ID, b.Scope.Name, b.Density, b.Issues.Reported)
		}
	}
	if len(ind.Breakdown) > 0 && math.Abs(sum-ind.Density.AreaKm2) > 1e-6 {
		t.Errorf("%s %d: the breakdown covers %.6f km² of %.6f", s.Level, s.ID, sum, ind.Density.AreaKm2)
	}
	if p := ind.Density.IssuesPerKm2; p == nil || math.Abs(*p*ind.Density.AreaKm2-float64(ind.Issues.Reported)) > 1e-6 {
		t.Errorf("%s %d: %v issues per km² for %d issues on %.3f km²", s.Level, s.ID, p, ind.Issues.Reported, ind.Density.AreaKm2)
	}
}
