package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	"gridgov/geo"
)

// mapWorld draws the world's two grids side by side (grid west of grid2, sharing the
// meridian 117.90), another street to the east, a building and facilities in them.
func (e *env) mapWorld(w world) (otherGrid int64) {
	e.t.Helper()
	box := func(table string, id int64, w, s, east, n float64) {
		e.t.Helper()
		if _, err := e.pool.Exec(context.Background(), `UPDATE `+table+` SET boundary = ST_Multi(ST_MakeEnvelope($2, $3, $4, $5, 4326)) WHERE id = $1`,
			id, w, s, east, n); err != nil {
			e.t.Fatal(err)
		}
	}
	box("streets", w.street, 117.80, 31.55, 117.95, 31.65)
	box("communities", w.community, 117.80, 31.55, 117.95, 31.65)
	box("grids", w.grid, 117.80, 31.55, 117.90, 31.65)
	box("grids", w.grid2, 117.90, 31.55, 117.95, 31.65)
	street, community, grid, _ := e.otherStreet(w)
	box("streets", street, 117.95, 31.55, 118.00, 31.65)
	box("communities", community, 117.95, 31.55, 118.00, 31.65)
	box("grids", grid, 117.95, 31.55, 118.00, 31.65)
	if _, err := e.pool.Exec(context.Background(), `UPDATE buildings SET location = ST_SetSRID(ST_MakePoint(117.85, 31.60), 4326) WHERE id = $1`, w.building); err != nil {
		e.t.Fatal(err)
	}
	for _, f := range []struct {
		community   int64
		kind, name  string
		lon, lat    float64
		streetOther bool
	}{
		{w.community, "service_centre", "健康社区党群服务中心", 117.86, 31.60, false},
		{w.community, "mediation_room", "健康调解室", 117.81, 31.56, false},
		{community, "mediation_room", "汤山调解室", 117.951, 31.60, true},
	} {
		st := w.street
		if f.streetOther {
			st = street
		}
		e.id(`INSERT INTO facilities (street_id, community_id, kind, name, location) VALUES ($1, $2, $3, $4,
			ST_SetSRID(ST_MakePoint($5, $6), 4326)) RETURNING id`, st, f.community, f.kind, f.name, f.lon, f.lat)
	}
	return grid
}

func TestGridAtPoint(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	other := e.mapWorld(w)
	toks := e.roleTokens(w)
	q := `query($p: PointInput!) { gridAt(point: $p) { id } }`
	at := func(tok string, lon, lat float64) any {
		t.Helper()
		d := e.must(tok, q, map[string]any{"p": map[string]any{"lon": lon, "lat": lat}})
		if d["gridAt"] == nil {
			return nil
		}
		return dig(d, "gridAt", "id")
	}
	for _, c := range []struct {
		role     string
		lon, lat float64
		want     any
	}{
		{"city_admin", 117.85, 31.60, gid("Grid", w.grid)},
		{"city_admin", 117.92, 31.60, gid("Grid", w.grid2)},
		{"city_admin", 117.97, 31.60, gid("Grid", other)},
		// On the meridian both grids share: the smaller id wins.
		{"city_admin", 117.90, 31.60, gid("Grid", min(w.grid, w.grid2))},
		// Outside the city.
		{"city_admin", 116.40, 39.90, nil},
		// Another street's grid is out of a street cadre's scope: absent.
		{"street_cadre", 117.97, 31.60, nil},
		{"street_cadre", 117.92, 31.60, gid("Grid", w.grid2)},
		{"grid_worker", 117.92, 31.60, nil},
		{"grid_worker", 117.85, 31.60, gid("Grid", w.grid)},
	} {
		if got := at(toks[c.role], c.lon, c.lat); got != c.want {
			t.Errorf("gridAt(%v, %v) as %s = %v, want %v", c.lon, c.lat, c.role, got, c.want)
		}
	}
	// A GCJ-02 point from a map SDK is converted: its WGS-84 twin inside grid 1 is found
	// there, although the raw GCJ-02 coordinates lie a few hundred metres away.
	wgs := geo.Point{Lon: 117.8990, Lat: 31.60}
	g := geo.ToGCJ02(wgs)
	d := e.must(toks["city_admin"], q, map[string]any{"p": map[string]any{"lon": g.Lon, "lat": g.Lat, "datum": "GCJ02"}})
	if got := dig(d, "gridAt", "id"); got != gid("Grid", w.grid) {
		t.Errorf("GCJ-02 %v: grid %v, want %v", g, got, gid("Grid", w.grid))
	}
	if got := at(toks["city_admin"], g.Lon, g.Lat); got != gid("Grid", w.grid2) {
		t.Errorf("the same coordinates as WGS-84 should fall in grid 2 (east of 117.90), got %v", got)
	}
	e.refuses(toks["city_admin"], "BAD_USER_INPUT", q, map[string]any{"p": map[string]any{"lon": 200, "lat": 31.6}})
}

func TestReportIssueAtPoint(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.mapWorld(w)
	toks := e.roleTokens(w)
	report := `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id grid { id } geometry } }`
	in := func(lon, lat float64, extra map[string]any) map[string]any {
		m := map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "title": "路灯不亮",
			"location": map[string]any{"lon": lon, "lat": lat}}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	d := e.must(toks["community_cadre"], report, in(117.93, 31.61, nil))
	if got := dig(d, "reportIssue", "grid", "id"); got != gid("Grid", w.grid2) {
		t.Fatalf("reported at a point of grid 2, assigned to %v", got)
	}
	if got := fmt.Sprint(dig(d, "reportIssue", "geometry", "coordinates")); got != "[117.93 31.61]" {
		t.Errorf("geometry %v", dig(d, "reportIssue", "geometry"))
	}
	issue := dig(d, "reportIssue", "id").(string)
	// On the meridian the two grids share, the smaller id is assigned, as gridAt answers.
	d = e.must(toks["community_cadre"], report, in(117.90, 31.60, nil))
	if got := dig(d, "reportIssue", "grid", "id"); got != gid("Grid", min(w.grid, w.grid2)) {
		t.Errorf("reported on the shared boundary, assigned to %v, want the smaller id", got)
	}
	// Outside the city, and in another street (out of scope), alike.
	for _, p := range [][2]float64{{116.40, 39.90}, {117.97, 31.60}} {
		r := e.refuses(toks["community_cadre"], "BAD_USER_INPUT", report, in(p[0], p[1], nil))
		if r.Errors[0].Extensions["field"] != "location" || r.Errors[0].Message != "no grid of your area covers this point" {
			t.Errorf("%v: %+v", p, r.Errors[0])
		}
	}
	// A grid given with a point outside it is refused; neither given is refused.
	e.refuses(toks["community_cadre"], "BAD_USER_INPUT", report, in(117.93, 31.61, map[string]any{"gridId": gid("Grid", w.grid)}))
	e.refuses(toks["community_cadre"], "BAD_USER_INPUT", `mutation($c: ID!) { reportIssue(input: {categoryId: $c, title: "x"}) { id } }`,
		map[string]any{"c": gid("IssueCategory", w.issueCat)})
	// A resident's own report is located for them; a leader sees the issue, not where it is.
	d = e.must(toks["resident"], report, in(117.85, 31.61, nil))
	own := dig(d, "reportIssue", "id").(string)
	if dig(d, "reportIssue", "geometry") == nil {
		t.Errorf("the resident does not see where they reported")
	}
	node := `query($id: ID!) { node(id: $id) { ... on Issue { id geometry } } }`
	for role, want := range map[string]bool{"leader": false, "street_cadre": true, "grid_worker": true, "city_admin": true} {
		d := e.must(toks[role], node, map[string]any{"id": own})
		if got := dig(d, "node", "geometry") != nil; got != want {
			t.Errorf("%s sees the resident's issue located: %v, want %v", role, got, want)
		}
	}
	// The resident cannot read the cadre's issue at all.
	e.refuses(toks["resident"], "NOT_FOUND", node, map[string]any{"id": issue})
}

func TestAreaFilters(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.mapWorld(w)
	toks := e.roleTokens(w)
	admin := toks["city_admin"]
	names := func(q string, vars map[string]any, list string, key string) []string {
		t.Helper()
		d := e.must(admin, q, vars)
		var out []string
		for _, ed := range dig(d, list, "edges").([]any) {
			out = append(out, fmt.Sprint(dig(ed, "node", key)))
		}
		return out
	}
	facilities := `query($a: AreaFilter) { facilities(area: $a, first: 10) { edges { node { name geometry } } } }`
	box := func(wst, s, east, n float64) map[string]any {
		return map[string]any{"a": map[string]any{"bbox": map[string]any{"west": wst, "south": s, "east": east, "north": n}}}
	}
	if got := fmt.Sprint(names(facilities, box(117.85, 31.59, 117.96, 31.61), "facilities", "name")); got != "[健康社区党群服务中心 汤山调解室]" {
		t.Errorf("facilities in the box: %s", got)
	}
	near := map[string]any{"a": map[string]any{"near": map[string]any{"point": map[string]any{"lon": 117.86, "lat": 31.601}, "metres": 500}}}
	if got := fmt.Sprint(names(facilities, near, "facilities", "name")); got != "[健康社区党群服务中心]" {
		t.Errorf("facilities within 500 m: %s", got)
	}
	buildings := `query($a: AreaFilter) { buildings(area: $a, first: 10) { edges { node { number } } } }`
	if got := fmt.Sprint(names(buildings, box(117.84, 31.59, 117.86, 31.61), "buildings", "number")); got != "[1栋]" {
		t.Errorf("buildings in the box: %s", got)
	}
	if got := fmt.Sprint(names(buildings, box(117.90, 31.59, 117.91, 31.61), "buildings", "number")); got != "[]" {
		t.Errorf("buildings in an empty box: %s", got)
	}
	// Issues: one located in the box, one outside it, one without a location.
	e.must(admin, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", w.issueCat), "title": "井盖缺失", "location": map[string]any{"lon": 117.851, "lat": 31.601}}})
	e.must(admin, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", w.issueCat), "title": "树木倒伏", "location": map[string]any{"lon": 117.93, "lat": 31.62}}})
	e.must(admin, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", w.issueCat), "title": "噪音扰民", "gridId": gid("Grid", w.grid)}})
	issues := `query($a: AreaFilter) { issues(filter: {area: $a}, first: 10) { edges { node { title } } } }`
	if got := fmt.Sprint(names(issues, box(117.84, 31.59, 117.86, 31.61), "issues", "title")); got != "[井盖缺失]" {
		t.Errorf("issues in the box: %s", got)
	}
	// Too large, inverted, or too far: refused, naming the field.
	for _, a := range []map[string]any{box(117.0, 31.0, 118.0, 31.6), box(117.9, 31.6, 117.8, 31.7),
		{"a": map[string]any{"near": map[string]any{"point": map[string]any{"lon": 117.86, "lat": 31.6}, "metres": 50_000}}}} {
		r := e.refuses(admin, "BAD_USER_INPUT", facilities, a)
		if f, _ := r.Errors[0].Extensions["field"].(string); f != "area.bbox" && f != "area.near.metres" {
			t.Errorf("%v: field %q", a, f)
		}
	}
	// The nearest mediation room in scope: the community cadre's own, though another street's is nearer.
	q := `query($p: PointInput!) { nearestFacility(point: $p, kind: MEDIATION_ROOM) { metres facility { name } } }`
	p := map[string]any{"p": map[string]any{"lon": 117.945, "lat": 31.60}}
	d := e.must(toks["community_cadre"], q, p)
	if dig(d, "nearestFacility", "facility", "name") != "健康调解室" {
		t.Errorf("community cadre's nearest: %v", d)
	}
	d = e.must(admin, q, p)
	if dig(d, "nearestFacility", "facility", "name") != "汤山调解室" || dig(d, "nearestFacility", "metres").(float64) > 700 {
		t.Errorf("city's nearest: %v", d)
	}
	// Geometry of places.
	d = e.must(admin, `query($id: ID!) { node(id: $id) { ... on Grid { geometry } } }`, map[string]any{"id": gid("Grid", w.grid)})
	if dig(d, "node", "geometry", "type") != "MultiPolygon" {
		t.Errorf("grid geometry: %v", d)
	}
}
