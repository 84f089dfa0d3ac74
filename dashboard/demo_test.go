package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/seed"
	"gridgov/server"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// demoCity is the real API over the demo city (seed 1, as of 2026-11-27), loaded into a
// warehouse by the ETL, served until the test ends.
type demoCity struct {
	pool   *pgxpool.Pool
	srv    *httptest.Server
	keys   auth.Keys
	reader *warehouse.Reader
}

func serveDemoCity(t *testing.T) demoCity {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 1, Scale: 1, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ch := whtest.New(t)
	run := etl.New(pool, ch, etl.Options{Database: ch.Database, Pseudo: etl.NewPseudonymizer(etl.DevPseudonymKey),
		Metrics: etl.NewMetrics(prometheus.NewRegistry())})
	if _, err := run.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.LoadKeys("HS256", strings.Repeat("s", 32), "", "", "gridgov", "gridgov", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	reader := warehouse.NewReader(ch, ch.Database, warehouse.ReaderOptions{AsOf: etl.CheckpointAsOf(pool, warehouse.IndicatorTables)})
	srv := httptest.NewServer(server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: keys, Indicators: reader}))
	t.Cleanup(srv.Close)
	return demoCity{pool: pool, srv: srv, keys: keys, reader: reader}
}
