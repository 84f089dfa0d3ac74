package reports_test

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/reports"
	"gridgov/warehouse"
)

// BenchmarkExport builds and writes the city's monthly report and the largest grid's quarterly
// ledger of the demo city at scale GRIDGOV_REPORTS_SCALE (default 20), as GET /reports/export
// does, and reports each one's time, the bytes allocated and the peak of the heap in use above
// what it was before (sampled every millisecond). Run with -benchtime 5x
// (docs/reports.md has the figures).
func BenchmarkExport(b *testing.B) {
	scale := 20
	if s := os.Getenv("GRIDGOV_REPORTS_SCALE"); s != "" {
		scale, _ = strconv.Atoi(s)
	}
	w := newWorld(b, scale)
	ctx := context.Background()
	var grid int64
	if err := w.pg.QueryRow(ctx, `SELECT grid_id FROM service_records WHERE served_on >= '2026-07-01' AND served_on < '2026-10-01'
		AND grid_id IS NOT NULL AND deleted_at IS NULL GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT 1`).Scan(&grid); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		q    reports.Request
	}{
		{"monthly-city", reports.Request{Kind: reports.Monthly, Scope: warehouse.City, Period: warehouse.Month(2026, 10)}},
		{"ledger-largest-grid", reports.Request{Kind: reports.Ledger, Scope: warehouse.Scope{Level: warehouse.LevelGrid, ID: grid}, Period: warehouse.Quarter(2026, 3)}},
	} {
		for _, format := range []string{"xlsx", "csv"} {
			b.Run(c.name+"/"+format, func(b *testing.B) {
				b.ReportAllocs()
				var peak atomic.Uint64
				var rows int
				for range b.N {
					runtime.GC()
					var before runtime.MemStats
					runtime.ReadMemStats(&before)
					stop := sampleHeap(&peak, before.HeapInuse)
					rep, err := w.src.Build(ctx, auth.Scope{}, c.q)
					var buf bytes.Buffer
					if err == nil && format == "xlsx" {
						err = reports.WriteXLSX(&buf, rep)
					} else if err == nil {
						err = reports.WriteCSV(&buf, rep)
					}
					stop()
					if err != nil {
						b.Fatal(err)
					}
					rows = 0
					for _, sh := range rep.Sheets {
						rows += len(sh.Rows)
					}
					b.ReportMetric(float64(buf.Len()), "file-bytes")
				}
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(rows), "rows")
			})
		}
	}
}

// sampleHeap records the largest heap in use above base until stopped.
func sampleHeap(peak *atomic.Uint64, base uint64) (stop func()) {
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
				peak.Store(m.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done) }
}
