package etl_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"gridgov/etl"
	"gridgov/warehouse/whtest"
)

// BenchmarkFullLoad compares the ETL's full load of fact_work_log with the raw pipe on the
// same rows in the same run: psql COPY ... TO STDOUT into clickhouse-client INSERT ... FORMAT
// TSV (no conversion, no pseudonyms, no versions beyond a column copy). Rows: env
// GRIDGOV_BENCH_ROWS, default 500,000.
//
//	go test ./etl -run '^$' -bench FullLoad -benchtime 1x
func BenchmarkFullLoad(b *testing.B) {
	rows := 500_000
	if s := os.Getenv("GRIDGOV_BENCH_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	v := env{pg: dbtestNew(b), ch: whtest.New(b)}
	ctx := context.Background()
	seedWorkLogs(b, v, rows)
	for i := 0; i < b.N; i++ {
		e := v.etl(etl.Options{Tables: []string{"fact_work_log"}, BatchSize: 100_000})
		start := time.Now()
		s, err := e.Resync(ctx)
		if err != nil {
			b.Fatal(err)
		}
		etlRate := float64(s.Rows()) / time.Since(start).Seconds()

		raw := "raw_work_log"
		if err := v.ch.Exec(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s AS %s.fact_work_log", v.ch.Database, raw, v.ch.Database)); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		pipe := fmt.Sprintf(`psql %q -qc "COPY (SELECT id, street_id, community_id, grid_id, cadre_id, kind, extract(epoch FROM logged_at)::bigint, people_served, hours, extract(epoch FROM created_at)::bigint, extract(epoch FROM updated_at)::bigint, version, (deleted_at IS NOT NULL)::int FROM work_logs) TO STDOUT" | clickhouse-client --host %s --port %s -q "INSERT INTO %s.%s (id, street_id, community_id, grid_id, cadre_id, kind, logged_at, people_served, hours, created_at, updated_at, version, is_deleted) FORMAT TSV"`,
			pgURL(v), chHost(b), chPort(b), v.ch.Database, raw)
		if out, err := exec.Command("bash", "-o", "pipefail", "-c", pipe).CombinedOutput(); err != nil {
			b.Fatalf("raw pipe: %v: %s", err, out)
		}
		rawRate := float64(rows) / time.Since(start).Seconds()
		b.ReportMetric(etlRate, "etl-rows/s")
		b.ReportMetric(rawRate, "pipe-rows/s")
		b.ReportMetric(100*etlRate/rawRate, "%-of-pipe")
	}
}
