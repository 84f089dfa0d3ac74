package seed_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/dbtest"
	"gridgov/seed"
	"gridgov/store"
)

// BenchmarkSeed seeds the demo city at scales 1 and 20, then loads the very same rows into
// the same tables of a fresh database with bare binary COPY, and reports both rates, their
// ratio and the seeder's peak heap: the heap in use, garbage included, which depends on when
// the collector runs, and the live heap the collector found, which is what the seeder holds.
// Run with -benchtime 1x (make bench-seed).
func BenchmarkSeed(b *testing.B) {
	for _, scale := range []int{1, 20} {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			for range b.N {
				benchSeed(b, scale)
			}
		})
	}
}

func benchSeed(b *testing.B, scale int) {
	ctx := context.Background()
	pool, err := store.Open(ctx, dbtest.NewURL(b), 4)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	var peak, live atomic.Uint64
	stop := sampleHeap(&peak, &live)
	began := time.Now()
	s, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 1, Scale: scale, AsOf: asOf})
	seedTime := time.Since(began)
	stop()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	tables := dump(b, pool, s, dir)
	copyTime := reload(b, tables, dir)
	rows := float64(s.Rows)
	b.ReportMetric(rows, "rows")
	b.ReportMetric(rows/seedTime.Seconds(), "seed-rows/s")
	b.ReportMetric(rows/copyTime.Seconds(), "copy-rows/s")
	b.ReportMetric(seedTime.Seconds()/copyTime.Seconds(), "seed/copy-time")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(live.Load())/(1<<20), "peak-live-MiB")
}

// sampleHeap records the largest heap in use and the largest live heap (as of the last
// collection) until stop is called.
func sampleHeap(peak, live *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > live.Load() {
				live.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done) }
}

// dump writes each seeded table, in seeding order, to a binary COPY file.
func dump(b *testing.B, pool *pgxpool.Pool, s seed.Summary, dir string) []string {
	b.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	var tables []string
	for _, t := range s.Tables {
		f, err := os.Create(filepath.Join(dir, t.Table))
		if err != nil {
			b.Fatal(err)
		}
		_, err = conn.Conn().PgConn().CopyTo(ctx, f, fmt.Sprintf("COPY %q TO STDOUT (FORMAT binary)", t.Table))
		f.Close()
		if err != nil {
			b.Fatalf("dump %s: %v", t.Table, err)
		}
		tables = append(tables, t.Table)
	}
	return tables
}

// reload times bare COPY of the dumped files into a fresh database, then ANALYZE, as seeding
// ends with one too.
func reload(b *testing.B, tables []string, dir string) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.NewURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	began := time.Now()
	for _, t := range tables {
		f, err := os.Open(filepath.Join(dir, t))
		if err != nil {
			b.Fatal(err)
		}
		_, err = conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %q FROM STDIN (FORMAT binary)", t))
		f.Close()
		if err != nil {
			b.Fatalf("copy %s: %v", t, err)
		}
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return time.Since(began)
}
