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

// The benchmark's machinery on the demo city at scale 1, with gridgov's handler in process
// (its pool connected through a tap): every class answers with the data it asks for and no
// error, the tap sees its statements, and both pgbench replays of them run without a failed
// transaction (the claim's replay claiming a fresh order in each). A schema change that
// breaks a class's query fails here.
func TestClassesAnswerAndReplay(t *testing.T) {
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
	fx, err := loadFixtures(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	keys, admin := testKeys(t)
	classes := newClasses(fx, admin, keys, pool, 3)

	tap, err := loadgen.NewTap(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	tapURL, err := tap.TapURL(url, "apibench_test")
	if err != nil {
		t.Fatal(err)
	}
	tapped, err := store.Open(ctx, tapURL, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer tapped.Close()
	ts := httptest.NewServer(handler(keys, tapped))
	defer ts.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	cp := capturer{client: loadgen.NewClient(ts.URL, 1), tap: tap, conn: conn, dir: t.TempDir()}

	var seeded int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM service_orders`).Scan(&seeded); err != nil {
		t.Fatal(err)
	}
	for _, id := range classIDs {
		t.Run(id, func(t *testing.T) {
			c := classes[id]
			got, err := cp.capture(ctx, "test", c)
			if err != nil {
				t.Fatal(err)
			}
			if got.Statements < 1 || got.RoundTrips < 1 || got.RoundTrips > got.Statements || got.Conns < 1 || got.Conns > got.RoundTrips {
				t.Fatalf("%.1f statements in %.1f round trips over %.1f connections per request", got.Statements, got.RoundTrips, got.Conns)
			}
			weights := 0
			for _, w := range got.AsSent {
				weights += w.Weight
			}
			if want := c.distinct; len(got.OneByOne) != want || weights != want {
				t.Fatalf("%d one-by-one scripts and as-sent ones weighing %d, want %d", len(got.OneByOne), weights, want)
			}
			for _, w := range ways {
				cell, err := replay(ctx, pool, url, got, w, 2, time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if cell.Transactions == 0 || cell.Failed != 0 || cell.Note != "" {
					t.Fatalf("pgbench %s: %d transactions, %d failed, %q", w.name, cell.Transactions, cell.Failed, cell.Note)
				}
			}
		})
	}
	// The claims leave nothing behind: no order they published, no history or audit record
	// of one.
	if err := removeClaims(ctx, pool); err != nil {
		t.Fatal(err)
	}
	var orders, events, audits int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM service_orders),
		(SELECT count(*) FROM order_events WHERE action = 'claim' AND at > now() - interval '1 hour'),
		(SELECT count(*) FROM audit_log)`).Scan(&orders, &events, &audits); err != nil {
		t.Fatal(err)
	}
	if orders != seeded || events != 0 || audits != 0 {
		t.Fatalf("%d orders (seeded %d), %d claim events and %d audit records left", orders, seeded, events, audits)
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

// handler is gridgov's GraphQL handler on pool, without a rate limit.
func handler(keys auth.Keys, pool *pgxpool.Pool) http.Handler {
	limits := server.DefaultLimits()
	limits.RateLimit = 0
	return server.GraphQL(server.Options{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: keys, Limits: limits})
}

// The read classes through the GraphQL handler in process, without the network: the CPU
// and allocations the API spends per request. On a seeded benchmark database (make
// bench-api creates one):
//
//	GRIDGOV_APIBENCH_PG_URL=postgres://…/gridgov_bench go test ./loadgen/apibench -run '^$' -bench . -benchmem

type benchFixture struct {
	h       http.Handler
	classes map[string]*class
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
	return benchFixture{h: handler(keys, pool), classes: newClasses(fx, admin, keys, pool, 64)}
}

func (f benchFixture) do(b *testing.B, r loadgen.Request) {
	body, err := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.Token)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
		b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
	}
}

// BenchmarkClasses runs each read class, rotating over its ids as the benchmark does.
func BenchmarkClasses(b *testing.B) {
	f := setup(b)
	for _, id := range classIDs {
		c := f.classes[id]
		if c.claims != nil {
			continue
		}
		b.Run(id, func(b *testing.B) {
			f.do(b, c.request(0))
			b.ReportAllocs()
			start := cpuTime(b)
			i := 0
			for b.Loop() {
				f.do(b, c.request(i))
				i++
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
