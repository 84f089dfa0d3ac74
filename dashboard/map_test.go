package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/browsertest"
	"gridgov/gid"
)

// TestMapEndToEnd serves the real API over the demo city and opens /dashboard in headless
// Chromium: a city leader's map draws the streets' boundaries, fetched as GeoJSON, and no issue
// point (a leader sees no issue's position); drilling down draws the street's communities; a
// community cadre's map draws the community's grids and its overdue issues as points. Nothing
// is fetched from another origin and no console error is logged.
func TestMapEndToEnd(t *testing.T) {
	bin := browsertest.Chromium(t)
	ctx := context.Background()
	d := serveDemoCity(t)
	pool, srv, keys := d.pool, d.srv, d.keys
	count := func(sql string, args ...any) string {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(n)
	}
	b := browsertest.Launch(t, bin)
	b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1600, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	signIn := func(role, scope string) {
		t.Helper()
		token, err := keys.Issue(role, scope, "1", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.Call(t, "Page.navigate", map[string]any{"url": srv.URL + "/dashboard"})
		b.WaitFor(t, `document.getElementById('map') !== null`)
		b.Eval(t, fmt.Sprintf(`sessionStorage.setItem('gridgov.token', %q); location.reload(); true`, token))
	}
	mapOf := func(scope string) (places, points string) {
		t.Helper()
		b.WaitFor(t, fmt.Sprintf(`document.getElementById('map').dataset.scope === %q || !!document.getElementById('map').dataset.error`, scope))
		if e := b.EvalString(t, `document.getElementById('map').dataset.error || ''`); e != "" {
			t.Fatalf("map of %s: %s", scope, e)
		}
		return b.EvalString(t, `document.getElementById('map').dataset.places`), b.EvalString(t, `document.getElementById('map').dataset.points`)
	}

	signIn("leader", auth.ScopeCity)
	places, points := mapOf("city")
	if want := count(`SELECT count(*) FROM streets WHERE boundary IS NOT NULL`); places != want || points != "0" {
		t.Errorf("city map: %s places and %s points, want %s streets and no point", places, points, want)
	}
	b.Screenshot(t, "map-city.png")
	b.Eval(t, `document.querySelector('#breakdown tbody tr').click(); true`)
	b.WaitFor(t, `document.getElementById('map').dataset.scope !== 'city'`)
	scope := b.EvalString(t, `document.getElementById('map').dataset.scope`)
	_, streetID, ok := gid.Decode(scope)
	if !ok {
		t.Fatalf("map scope %q is no global id", scope)
	}
	places, _ = mapOf(scope)
	if want := count(`SELECT count(*) FROM communities WHERE street_id = $1`, streetID); places != want {
		t.Errorf("street map: %s places, want its %s communities", places, want)
	}

	// The community with the most overdue issues.
	const overdueSQL = `deleted_at IS NULL AND state NOT IN ('resolved', 'closed') AND due_at < now()`
	var cid int64
	if err := pool.QueryRow(ctx, `SELECT community_id FROM issues WHERE `+overdueSQL+` GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&cid); err != nil {
		t.Fatal(err)
	}
	community := gid.Encode("Community", cid)
	signIn("community_cadre", community)
	places, points = mapOf(community)
	overdue := count(`SELECT least(count(*), 100) FROM issues WHERE community_id = $1 AND `+overdueSQL, cid)
	if want := count(`SELECT count(*) FROM grids WHERE community_id = $1`, cid); places != want || points != overdue || overdue == "0" {
		t.Errorf("community cadre's map: %s places and %s points, want %s grids and %s overdue issues", places, points, want, overdue)
	}
	b.Screenshot(t, "map-community.png")
	b.NoConsoleErrors(t)
	b.OnlyFrom(t, srv.URL)
}
