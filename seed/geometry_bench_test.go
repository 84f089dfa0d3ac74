package seed_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/geo"
	"gridgov/seed"
	"gridgov/store"
)

// BenchmarkMap seeds the demo city (scale GRIDGOV_MAP_BENCH_SCALE, default 1) and measures
// the map's two hot paths through the store, as the API runs them:
//   - assign: the grid covering a random point of the city (store.GridAt: ST_Covers on the
//     grids' GiST index, smallest id on a boundary), one statement per point; reports points/s;
//   - issues-bbox: the first page (20, newest first) of the issues in a random box of about
//     1 km² (store.Issues with an area), beside the same page of a random grid's issues
//     (the place filter); reports p50 and p95 of each and their ratio.
//
// Run with: go test ./seed -run '^$' -bench Map -benchtime 2000x -timeout 60m
func BenchmarkMap(b *testing.B) {
	ctx := context.Background()
	scale := 1
	if s, err := strconv.Atoi(os.Getenv("GRIDGOV_MAP_BENCH_SCALE")); err == nil && s > 0 {
		scale = s
	}
	pool := dbtest.New(b)
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 1, Scale: scale, AsOf: asOf}); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	var issues int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM issues").Scan(&issues); err != nil {
		b.Fatal(err)
	}
	st := store.New(pool)
	city := geo.Rect{West: 117.80, South: 31.55, East: 118.00, North: 31.68}
	r := rand.New(rand.NewPCG(1, 2))
	at := func() geo.Point { return city.At(r.Float64(), r.Float64()) }

	b.Run(fmt.Sprintf("assign/scale=%d", scale), func(b *testing.B) {
		missed := 0
		b.ResetTimer()
		for range b.N {
			g, err := st.GridAt(ctx, auth.Scope{}, at())
			if err != nil {
				b.Fatal(err)
			}
			if g == nil {
				missed++
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
		if missed > 0 {
			b.Fatalf("%d points of the city box fell in no grid", missed)
		}
	})

	b.Run(fmt.Sprintf("issues-bbox/scale=%d", scale), func(b *testing.B) {
		first := 20
		page := store.Page{First: &first}
		order := store.IssueOrder{Key: "REPORTED_AT", Desc: true}
		var box, grid []time.Duration
		const side = 0.01 // about 1 km east-west, 1.1 km south-north
		b.ResetTimer()
		for range b.N {
			p := city.At(r.Float64()*0.95, r.Float64()*0.92)
			f := store.IssueFilter{Place: store.PlaceFilter{Area: store.Area{Box: &geo.Rect{West: p.Lon, South: p.Lat, East: p.Lon + side, North: p.Lat + side}}}}
			t0 := time.Now()
			if _, err := st.Issues(ctx, auth.Scope{}, f, order, page); err != nil {
				b.Fatal(err)
			}
			box = append(box, time.Since(t0))
			id := int64(1 + r.IntN(230))
			t0 = time.Now()
			if _, err := st.Issues(ctx, auth.Scope{}, store.IssueFilter{Place: store.PlaceFilter{GridID: &id}}, order, page); err != nil {
				b.Fatal(err)
			}
			grid = append(grid, time.Since(t0))
		}
		b.StopTimer()
		p50, p95 := quantile(box, 0.5), quantile(box, 0.95)
		g50, g95 := quantile(grid, 0.5), quantile(grid, 0.95)
		b.ReportMetric(p50.Seconds()*1e3, "bbox-p50-ms")
		b.ReportMetric(p95.Seconds()*1e3, "bbox-p95-ms")
		b.ReportMetric(g95.Seconds()*1e3, "grid-p95-ms")
		b.Logf("scale %d (%d issues): bbox page p50 %v p95 %v; grid page p50 %v p95 %v; bbox/grid p95 %.2f",
			scale, issues, p50, p95, g50, g95, p95.Seconds()/g95.Seconds())
	})
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
