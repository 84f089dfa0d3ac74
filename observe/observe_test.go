package observe_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/dbtest"
	"gridgov/observe"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestHTTPMiddleware counts requests by route and status, times them, and gives each a
// request id in the context and the response.
func TestHTTPMiddleware(t *testing.T) {
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	m := observe.NewHTTP(reg, slog.New(slog.NewJSONHandler(&logs, nil)))
	var seen string
	h := m.Wrap("/things/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = observe.RequestID(r.Context())
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		io.WriteString(w, "hello") //nolint:errcheck
	}))
	for _, c := range []struct {
		url, sentID string
		wantKept    bool
		status      int
	}{
		{"/things/1", "abc-123", true, 200},
		{"/things/2", "", false, 200},
		{"/things/3?fail=1", "bad id with spaces", false, 418},
	} {
		req := httptest.NewRequest(http.MethodGet, c.url, nil)
		if c.sentID != "" {
			req.Header.Set(observe.RequestIDHeader, c.sentID)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get(observe.RequestIDHeader)
		if got == "" || got != seen {
			t.Errorf("%s: response id %q, handler saw %q", c.url, got, seen)
		}
		if (got == c.sentID) != c.wantKept {
			t.Errorf("%s: sent id %q, got %q", c.url, c.sentID, got)
		}
		if rec.Code != c.status {
			t.Errorf("%s: status %d", c.url, rec.Code)
		}
	}
	if n := testutil.ToFloat64(mustVec(t, reg, "gridgov_http_requests_total", map[string]string{"route": "/things/{id}", "code": "200"})); n != 2 {
		t.Errorf("200s counted %v, want 2", n)
	}
	if n := testutil.ToFloat64(mustVec(t, reg, "gridgov_http_requests_total", map[string]string{"route": "/things/{id}", "code": "418"})); n != 1 {
		t.Errorf("418s counted %v, want 1", n)
	}
	if c, err := testutil.GatherAndCount(reg, "gridgov_http_request_duration_seconds"); err != nil || c != 1 {
		t.Errorf("duration series %d (%v), want 1 (one route)", c, err)
	}
	if !strings.Contains(logs.String(), `"request_id":"abc-123"`) || !strings.Contains(logs.String(), `"status":418`) {
		t.Errorf("access log lacks request id or status:\n%s", logs.String())
	}
}

// mustVec finds one series of a gathered metric by its labels.
func mustVec(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) prometheus.Collector {
	t.Helper()
	return collectorFunc(func(ch chan<- prometheus.Metric) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
		next:
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					if labels[lp.GetName()] != lp.GetValue() {
						continue next
					}
				}
				ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, "x", nil, nil), prometheus.CounterValue, m.GetCounter().GetValue())
				return
			}
		}
		t.Fatalf("no series %s%v", name, labels)
	})
}

type collectorFunc func(chan<- prometheus.Metric)

func (f collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

// TestOperationNamesStayBounded: client-chosen operation names cannot blow up the series.
func TestOperationNamesStayBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := observe.NewGraphQL(reg)
	for i := range 500 {
		g.Operation(fmt.Sprintf("Op%d", i), "query", time.Millisecond)
	}
	g.Operation("", "query", time.Millisecond)
	g.Operation("DROP TABLE;--", "mutation", time.Millisecond)
	n, err := testutil.GatherAndCount(reg, "gridgov_graphql_operations_total")
	if err != nil {
		t.Fatal(err)
	}
	// 200 kept names, "other" for queries, "anonymous", and "other" for the mutation.
	if n != 203 {
		t.Errorf("%d operation series, want 203", n)
	}
}

// TestPoolCollector exposes the pool's state at scrape time.
func TestPoolCollector(t *testing.T) {
	pool := dbtest.New(t)
	reg := prometheus.NewRegistry()
	observe.RegisterPool(reg, pool)
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP gridgov_pg_pool_acquired_connections Connections in use.
# TYPE gridgov_pg_pool_acquired_connections gauge
gridgov_pg_pool_acquired_connections 1
# HELP gridgov_pg_pool_max_connections Largest size the pool may grow to.
# TYPE gridgov_pg_pool_max_connections gauge
gridgov_pg_pool_max_connections 8
`), "gridgov_pg_pool_acquired_connections", "gridgov_pg_pool_max_connections"); err != nil {
		t.Error(err)
	}
}

// TestPromtoolAcceptsExposition runs Debian's promtool over everything the registry exposes.
func TestPromtoolAcceptsExposition(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: run scripts/tools.sh (make test does)")
	}
	reg := observe.NewRegistry()
	m := observe.NewHTTP(reg, quiet())
	g := observe.NewGraphQL(reg)
	observe.RegisterPool(reg, dbtest.New(t))
	m.Wrap("/graphql", http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", strings.NewReader("{}")))
	g.Operation("Console", "query", time.Millisecond)
	g.Error("BAD_USER_INPUT")
	g.Refused("depth")
	g.ReadBatch(3, 4)
	g.Answered("issues", true)
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = rec.Body
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
