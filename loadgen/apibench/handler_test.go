package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/observe"
	"gridgov/resolvers"
	"gridgov/server"
	"gridgov/store"
)

// The console page and member profile through the GraphQL handler in process, without the
// network: the CPU and allocations the API spends per request. On a seeded benchmark
// database (make bench-api creates one):
//
//	GRIDGOV_APIBENCH_PG_URL=postgres://…/gridgov_bench go test ./loadgen/apibench -run '^$' -bench . -benchmem

type fixture struct {
	h         http.Handler // gridgov's handler, with the fast read path
	gqlgen    http.Handler // the same handler with every field on gqlgen's executor
	token     string
	grid      int64
	community int64 // the grid's
	members   []int64
}

func setup(b testing.TB) fixture {
	url := os.Getenv("GRIDGOV_APIBENCH_PG_URL")
	if url == "" {
		b.Skip("GRIDGOV_APIBENCH_PG_URL is not set")
	}
	ctx := context.Background()
	pool, err := store.Open(ctx, url, 16) // gridgov serve's default pool size
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	var f fixture
	if err := pool.QueryRow(ctx, `SELECT grid_id FROM issues WHERE deleted_at IS NULL GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT 1`).Scan(&f.grid); err != nil {
		b.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT community_id FROM grids WHERE id = $1`, f.grid).Scan(&f.community); err != nil {
		b.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT member_id FROM service_records GROUP BY member_id ORDER BY count(*) DESC, member_id LIMIT 1000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		f.members = append(f.members, id)
	}
	rows.Close()
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	if f.token, err = keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now()); err != nil {
		b.Fatal(err)
	}
	limits := server.DefaultLimits()
	limits.RateLimit = 0
	for _, gqlgenOnly := range []bool{false, true} {
		h := server.GraphQL(server.Options{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: keys, Limits: limits, GqlgenOnly: gqlgenOnly})
		if gqlgenOnly {
			f.gqlgen = h
		} else {
			f.h = h
		}
	}
	return f
}

func (f fixture) do(b testing.TB, query string, vars map[string]any) []byte {
	return f.doOn(b, f.h, query, vars)
}

func (f fixture) doOn(b testing.TB, h http.Handler, query string, vars map[string]any) []byte {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
		b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
	}
	return w.Body.Bytes()
}

// BenchmarkConsolePage runs the page on the fast read path and on gqlgen's executor alone,
// side by side in one run, after checking that both give the same bytes.
func BenchmarkConsolePage(b *testing.B) {
	f := setup(b)
	vars := map[string]any{"grid": resolvers.GlobalID("Grid", f.grid)}
	if fast, slow := f.doOn(b, f.h, consoleQuery, vars), f.doOn(b, f.gqlgen, consoleQuery, vars); !bytes.Equal(fast, slow) {
		b.Fatalf("the fast path and gqlgen disagree:\n%s\n%s", fast, slow)
	}
	for _, run := range []struct {
		name string
		h    http.Handler
	}{{"fast", f.h}, {"gqlgen", f.gqlgen}} {
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				f.doOn(b, run.h, consoleQuery, vars)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkConsolePageParallel(b *testing.B) {
	f := setup(b)
	vars := map[string]any{"grid": resolvers.GlobalID("Grid", f.grid)}
	f.do(b, consoleQuery, vars)
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.do(b, consoleQuery, vars)
		}
	})
}

func BenchmarkMemberProfile(b *testing.B) {
	f := setup(b)
	f.do(b, profileQuery, map[string]any{"id": resolvers.GlobalID("PartyMember", f.members[0])})
	b.ReportAllocs()
	start := cpuTime(b)
	i := 0
	for b.Loop() {
		f.do(b, profileQuery, map[string]any{"id": resolvers.GlobalID("PartyMember", f.members[i%len(f.members)])})
		i++
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkReports runs the workflows' root reports on the grid of the console page: its
// public roster, its quarterly service ledger and its community's monthly review.
func BenchmarkReports(b *testing.B) {
	f := setup(b)
	grid := resolvers.GlobalID("Grid", f.grid)
	reports := []struct{ name, query string }{
		{"roster", `query($g: ID!) { gridRoster(gridId: $g) { name unit { name } building { number } } }`},
		{"ledger", `query($g: ID!) { gridLedger(gridId: $g, year: 2026, quarter: 3) { grid { name } totalHours
			entries { name hours member { unit { name } } records { servedOn hours content order { title } } } } }`},
		{"review", `query($c: ID!) { monthlyReview(communityId: $c, month: "2026-10") { community { name } openCount overdueCount
			overdueIssues(first: 20) { edges { node { title dueAt grid { name } handler { name } } } } } }`},
	}
	vars := map[string]any{"g": grid, "c": resolvers.GlobalID("Community", f.community)}
	for _, r := range reports {
		b.Run(r.name, func(b *testing.B) {
			f.do(b, r.query, vars)
			b.ReportAllocs()
			for b.Loop() {
				f.do(b, r.query, vars)
			}
		})
	}
}
