// Package deploy holds the deployment configuration (ClickHouse, Prometheus, Grafana) used by
// scripts/services.sh and docker-compose.yml. Its tests check the configuration against the
// tools and the code it describes.
package deploy

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/observe"
	"gridgov/server"
	"gridgov/warehouse"
)

// TestPrometheusConfig runs Debian's promtool over the shipped Prometheus configuration.
func TestPrometheusConfig(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: run scripts/tools.sh (make test does)")
	}
	out, err := exec.Command(promtool, "check", "config", "prometheus/prometheus.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
}

var metricName = regexp.MustCompile(`\b(gridgov|go|process)_[a-z_]+`)

// TestDashboardQueriesExistingMetrics parses the Grafana dashboard and checks that every
// metric its queries name is exposed by the API or the ETL.
func TestDashboardQueriesExistingMetrics(t *testing.T) {
	raw, err := os.ReadFile("grafana/dashboards/gridgov.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	exposed := exposedMetrics(t)
	queried := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			for _, name := range metricName.FindAllString(target.Expr, -1) {
				queried++
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
				if !exposed[base] {
					t.Errorf("panel %q queries %s, which nothing exposes", p.Title, name)
				}
			}
		}
	}
	if queried < 15 {
		t.Errorf("the dashboard queries only %d metrics", queried)
	}
}

// exposedMetrics drives a real server with requests that create each labelled series (a
// health check, a refused body, a failing query), gives the ETL's vectors a series each, and
// gathers the names both expose.
func exposedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := observe.NewRegistry()
	keys, err := auth.LoadKeys("HS256", strings.Repeat("k", 32), "", "", "gridgov", "gridgov", 0)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := keys.Issue("city_admin", "city", "1", time.Hour, time.Now())
	pool := dbtest.New(t)
	if _, err := pool.Exec(context.Background(), `INSERT INTO cities (id, code, name) VALUES (1, 'c', '巢湖市');
		INSERT INTO streets (id, city_id, code, name, kind) VALUES (1, 1, 's', '卧牛山街道', 'street');
		INSERT INTO communities (id, street_id, code, name) VALUES (1, 1, 'm', '东风社区');
		INSERT INTO grids (id, street_id, community_id, code, name) VALUES (1, 1, 1, 'g', '东风社区第1网格')`); err != nil {
		t.Fatal(err)
	}
	// The warehouse as serve wires it, here unreachable: indicator queries fail and are counted.
	wh, _ := warehouse.Dial(warehouse.Options{Addr: "127.0.0.1:1", Database: "gridgov"})
	reader := warehouse.NewReader(wh, "gridgov", warehouse.ReaderOptions{Metrics: warehouse.NewMetrics(reg), AsOf: etl.CheckpointAsOf(pool, warehouse.IndicatorTables)})
	h := server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: reg, Keys: keys, Indicators: reader})
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/healthz", nil),
		jsonPost(`{"query":"{ nosuchfield }"}`, token),
		jsonPost(`{"query":"{ __typename }"}`, token),
		jsonPost(`{"query":"{ grids(first: 3) { edges { node { name community { name } } } } }"}`, token),
		jsonPost(`{"query":"{ indicators(scope: \"city\", period: {kind: YEAR, year: 2025}) { asOf } }"}`, token),
		jsonPost(`{"query":"`+strings.Repeat(" ", 2<<20)+`"}`, token),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	etlReg := prometheus.NewRegistry()
	m := etl.NewMetrics(etlReg)
	m.RowsExtracted.WithLabelValues("fact_issue").Add(0)
	m.RowsLoaded.WithLabelValues("fact_issue").Add(0)
	m.BatchDuration.WithLabelValues("fact_issue").Observe(0)
	m.Failures.WithLabelValues("retryable").Add(0)
	names := map[string]bool{}
	for _, g := range []prometheus.Gatherer{reg, etlReg} {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			names[mf.GetName()] = true
		}
	}
	return names
}

func jsonPost(body, token string) *http.Request {
	r := httptest.NewRequest("POST", "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}
