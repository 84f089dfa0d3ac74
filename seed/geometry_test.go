package seed_test

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// scalar reads one number.
func scalar(t *testing.T, pool *pgxpool.Pool, what, sql string) float64 {
	t.Helper()
	var v float64
	if err := pool.QueryRow(context.Background(), "SELECT ("+sql+")::float8").Scan(&v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestCityMapTiles checks the demo city's geometry in PostGIS: streets tile the city, each
// street's communities tile it and each community's grids tile it (their union is the parent,
// and no two overlap), and every building, issue, facility and intersection lies in its place.
func TestCityMapTiles(t *testing.T) {
	pool := seeded(t, 1)
	ctx := context.Background()
	count := func(what, sql string) int { return int(scalar(t, pool, what, sql)) }
	area := func(what, sql string) float64 { return scalar(t, pool, what, sql) }
	for _, table := range []string{"streets", "communities", "grids"} {
		if n := count(table+" without boundary", `SELECT count(*) FROM `+table+` WHERE boundary IS NULL OR NOT ST_IsValid(boundary)`); n != 0 {
			t.Errorf("%d %s have no valid boundary", n, table)
		}
		// Overlaps anywhere in the city, not only among siblings.
		if a := area(table+" overlaps", `SELECT coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary))), 0)
			FROM `+table+` a JOIN `+table+` b ON a.id < b.id AND a.boundary && b.boundary`); a != 0 {
			t.Errorf("%s overlap: %g square degrees shared", table, a)
		}
	}
	for _, table := range []string{"buildings", "facilities", "intersections", "issues"} {
		if n := count(table+" without location", `SELECT count(*) FROM `+table+` WHERE location IS NULL`); n != 0 {
			t.Errorf("%d %s have no location", n, table)
		}
	}
	// Each parent is exactly the union of its children.
	for _, c := range []struct{ what, sql string }{
		{"streets in the city", `SELECT ST_Area(ST_SymDifference(ST_Union(boundary),
			ST_Multi(ST_MakeEnvelope(117.80, 31.55, 118.00, 31.68, 4326)))) FROM streets`},
		{"communities in their street", `SELECT coalesce(max(d), 1) FROM (SELECT ST_Area(ST_SymDifference(s.boundary, ST_Union(c.boundary))) AS d
			FROM streets s JOIN communities c ON c.street_id = s.id GROUP BY s.id, s.boundary) x`},
		{"grids in their community", `SELECT coalesce(max(d), 1) FROM (SELECT ST_Area(ST_SymDifference(c.boundary, ST_Union(g.boundary))) AS d
			FROM communities c JOIN grids g ON g.community_id = c.id GROUP BY c.id, c.boundary) x`},
	} {
		if d := area(c.what, c.sql); d > 1e-12 {
			t.Errorf("%s: the union differs from the parent by %g square degrees", c.what, d)
		}
	}
	for _, c := range []struct{ what, sql string }{
		{"buildings outside their grid", `SELECT count(*) FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE NOT ST_Contains(g.boundary, b.location)`},
		{"issues outside their grid", `SELECT count(*) FROM issues i JOIN grids g ON g.id = i.grid_id WHERE NOT ST_Contains(g.boundary, i.location)`},
		{"facilities outside their community", `SELECT count(*) FROM facilities f JOIN communities c ON c.id = f.community_id WHERE NOT ST_Covers(c.boundary, f.location)`},
		{"intersections outside their community", `SELECT count(*) FROM intersections x JOIN communities c ON c.id = x.community_id WHERE NOT ST_Covers(c.boundary, x.location)`},
	} {
		if n := count(c.what, c.sql); n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	var lon, lat, km2 float64
	if err := pool.QueryRow(ctx, `SELECT ST_X(ST_Centroid(u)), ST_Y(ST_Centroid(u)), ST_Area(u::geography) / 1e6
		FROM (SELECT ST_Union(boundary) AS u FROM streets) s`).Scan(&lon, &lat, &km2); err != nil {
		t.Fatal(err)
	}
	if math.Abs(lon-117.9) > 0.05 || math.Abs(lat-31.6) > 0.05 {
		t.Errorf("the city is centred at %.3f E %.3f N, not around Chaohu", lon, lat)
	}
	t.Logf("the city covers %.1f km², centred at %.4f E %.4f N", km2, lon, lat)
}
