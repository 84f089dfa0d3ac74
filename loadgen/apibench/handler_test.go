package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/loadgen"
	"gridgov/observe"
	"gridgov/seed"
	"gridgov/server"
	"gridgov/store"
)

// The benchmark's machinery on the demo city at scale 1, for two builds on two databases
// (the baseline's a copy of the candidate's), each build gridgov's handler in process with
// its pool connected through a tap: every class answers with the data it asks for and no
// error, the tap sees its statements, and both pgbench replays of them run on the build's
// database without a failed transaction (the claim's replay claiming a fresh order in each).
// The builds rotate over different numbers of samples, so that the values their as-sent
// scripts read are in their own database only, and a replay on the other database fails. A
// schema change that breaks a class's query fails here.
func TestClassesAnswerAndReplay(t *testing.T) {
	ctx := context.Background()
	candidateURL := seededDatabase(t)
	baseURL := copyDatabase(t, candidateURL)
	builds := []*build{
		{label: "base", db: &database{url: baseURL}},
		{label: "candidate", db: &database{url: candidateURL}},
	}
	dbs, err := connect(ctx, builds)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(dbs)
	if len(dbs) != 2 {
		t.Fatalf("%d databases, want 2", len(dbs))
	}
	fx, err := loadSameFixtures(ctx, dbs)
	if err != nil {
		t.Fatal(err)
	}
	seeded := orderCounts(t, dbs)
	keys, admin := testKeys(t)
	samples := map[string]int{"base": 2, "candidate": 3}
	classes := map[string]map[string]*class{}
	dir := t.TempDir()
	for _, b := range builds {
		classes[b.label] = newClasses(fx, admin, keys, samples[b.label])
		all, err := selectClasses(classes[b.label], "all")
		if err != nil {
			t.Fatal(err)
		}
		if b.captures, err = captureBuild(ctx, b, all, dir, inProcess(keys)); err != nil {
			t.Fatalf("%s: %v", b.label, err)
		}
	}
	for _, id := range classIDs {
		t.Run(id, func(t *testing.T) {
			for i, b := range builds {
				checkCapture(t, b, classes[b.label][id])
				for _, w := range ways {
					checkReplay(t, b, classes[b.label][id], w, dbs[i])
				}
			}
		})
	}
	// The claims leave nothing behind in either database: no order they published, no
	// history or audit record of one.
	if err := removeAllClaims(ctx, dbs); err != nil {
		t.Fatal(err)
	}
	for i, db := range dbs {
		var orders, events, audits int
		if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM service_orders),
			(SELECT count(*) FROM order_events WHERE action = 'claim' AND at > now() - interval '1 hour'),
			(SELECT count(*) FROM audit_log)`).Scan(&orders, &events, &audits); err != nil {
			t.Fatal(err)
		}
		if orders != seeded[i] || events != 0 || audits != 0 {
			t.Errorf("%s: %d orders (seeded %d), %d claim events and %d audit records left", db.name(), orders, seeded[i], events, audits)
		}
	}
	// Databases that hold different cities are refused.
	if _, err := dbs[0].pool.Exec(ctx, `UPDATE issues SET deleted_at = now() WHERE grid_id = $1`, fx.issueGrids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSameFixtures(ctx, dbs); err == nil || !strings.Contains(err.Error(), "different grids with the most issues") {
		t.Fatalf("fixtures of different cities: %v", err)
	}
}

// checkCapture checks what the build sent for the class: statements over at least one round
// trip and connection, and a script per sample.
func checkCapture(t *testing.T, b *build, c *class) {
	t.Helper()
	got := b.captures[c.id]
	if got.Statements < 1 || got.RoundTrips < 1 || got.RoundTrips > got.Statements || got.Conns < 1 || got.Conns > got.RoundTrips {
		t.Fatalf("%s: %.1f statements in %.1f round trips over %.1f connections per request", b.label, got.Statements, got.RoundTrips, got.Conns)
	}
	weights := 0
	for _, w := range got.AsSent {
		weights += w.Weight
	}
	if want := c.distinct; len(got.OneByOne) != want || weights != want {
		t.Fatalf("%s: %d one-by-one scripts and as-sent ones weighing %d, want %d", b.label, len(got.OneByOne), weights, want)
	}
}

// checkReplay replays the build's capture of the class one way, at 2 clients for a second,
// and checks that every transaction ran, on own, the build's database: a claim's replay
// leaves there an order claimed by each.
func checkReplay(t *testing.T, b *build, c *class, w way, own *database) {
	t.Helper()
	ctx := context.Background()
	cell, err := b.replay(ctx, c, w, 2, time.Second)
	if err != nil {
		t.Fatalf("%s: %v", b.label, err)
	}
	if cell.Transactions == 0 || cell.Failed != 0 || cell.Note != "" {
		t.Fatalf("%s: pgbench %s: %d transactions, %d failed, %q", b.label, w.name, cell.Transactions, cell.Failed, cell.Note)
	}
	if c.claims == nil {
		return
	}
	var claimed int
	if err := own.pool.QueryRow(ctx, `SELECT count(*) FROM service_orders
		WHERE title LIKE 'benchmark order %' AND state = 'claimed'`).Scan(&claimed); err != nil {
		t.Fatal(err)
	}
	if claimed < cell.Transactions {
		t.Fatalf("%s: pgbench %s ran %d claims, yet %s holds %d claimed orders", b.label, w.name, cell.Transactions, own.name(), claimed)
	}
}

// seededDatabase gives the URL of a fresh database holding the demo city at scale 1.
func seededDatabase(t *testing.T) string {
	ctx := context.Background()
	url := dbtest.NewURL(t)
	pool, err := store.Open(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 1, Scale: 1, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return url
}

// copyDatabase copies the database at url, which nothing may be connected to, as make
// bench-api-compare copies the benchmark's for the baseline; the copy is dropped at cleanup.
func copyDatabase(t *testing.T, url string) string {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.WithDatabase(url, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	source := (&database{url: url}).name()
	name := source + "_base"
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, source)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, dbtest.WithDatabase(url, "postgres"))
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Error(err)
		}
	})
	return dbtest.WithDatabase(url, name)
}

// orderCounts counts each database's service orders.
func orderCounts(t *testing.T, dbs []*database) []int {
	out := make([]int, len(dbs))
	for i, db := range dbs {
		if err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM service_orders`).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// inProcess serves gridgov's handler in this process on a pool of the given database: the
// serveFunc of a capture in tests.
func inProcess(keys auth.Keys) serveFunc {
	return func(pgURL string) (string, func(), error) {
		pool, err := store.Open(context.Background(), pgURL, 8)
		if err != nil {
			return "", nil, err
		}
		ts := httptest.NewServer(handler(keys, pool, false))
		return ts.URL, func() { ts.Close(); pool.Close() }, nil
	}
}

// The backends of one application name are found and their CPU counted, others' not.
func TestBackendsCPU(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewURL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	busyURL, err := withParams(url, map[string]string{"application_name": "apibench_busy"})
	if err != nil {
		t.Fatal(err)
	}
	busy, err := pgx.Connect(ctx, busyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close(ctx)
	watch := watchBackends(ctx, pool, "apibench_busy", 50*time.Millisecond)
	idle := watchBackends(ctx, pool, "apibench_nobody", 50*time.Millisecond)
	// About half a second of CPU in the busy backend.
	if _, err := busy.Exec(ctx, `SELECT count(*) FROM generate_series(1, 10000000)`); err != nil {
		t.Fatal(err)
	}
	cpu, n, err := watch.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || cpu < 50*time.Millisecond {
		t.Fatalf("%d backends, %s of CPU; want 1 and at least 50ms", n, cpu)
	}
	if cpu, n, err := idle.Stop(ctx); err != nil || n != 0 || cpu != 0 {
		t.Fatalf("no backend of that name, yet %d with %s (%v)", n, cpu, err)
	}
}

func testKeys(t testing.TB) (auth.Keys, string) {
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return keys, admin
}

// handler is the GraphQL handler, rate limit off, on the API's executor, or on gqlgen's
// generated one only (the reference) when gqlgenOnly.
func handler(keys auth.Keys, pool *pgxpool.Pool, gqlgenOnly bool) http.Handler {
	limits := server.DefaultLimits()
	limits.RateLimit = 0
	return server.GraphQL(server.Options{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: keys, Limits: limits, GqlgenOnly: gqlgenOnly})
}

// The read classes through the GraphQL handler in process, without the network: the CPU
// and allocations the API spends per request, on the API's executor and on gqlgen's (the
// reference) side by side. On a seeded benchmark database (make bench-api creates one):
//
//	GRIDGOV_APIBENCH_PG_URL=postgres://…/gridgov_bench go test ./loadgen/apibench -run '^$' -bench . -benchmem

type benchFixture struct {
	executors map[string]http.Handler // "api" and "gqlgen"
	classes   map[string]*class
}

func setup(b *testing.B) benchFixture {
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
	fx, err := loadFixtures(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	keys, admin := testKeys(b)
	return benchFixture{executors: map[string]http.Handler{"api": handler(keys, pool, false), "gqlgen": handler(keys, pool, true)},
		classes: newClasses(fx, admin, keys, 64)}
}

func do(b *testing.B, h http.Handler, r loadgen.Request) {
	body, err := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.Token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
		b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
	}
}

// BenchmarkClasses runs each read class on each executor, rotating over its ids as the
// benchmark does.
func BenchmarkClasses(b *testing.B) {
	f := setup(b)
	for _, id := range classIDs {
		c := f.classes[id]
		if c.claims != nil {
			continue
		}
		for _, executor := range []string{"api", "gqlgen"} {
			h := f.executors[executor]
			b.Run(id+"/executor="+executor, func(b *testing.B) {
				do(b, h, c.request(0))
				b.ReportAllocs()
				start := cpuTime(b)
				i := 0
				for b.Loop() {
					do(b, h, c.request(i))
					i++
				}
				b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			})
		}
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
