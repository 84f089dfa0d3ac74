package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/seed"
	"gridgov/store"
	"gridgov/warehouse/whtest"
)

// TestPrometheusScrapesServeAndETL builds gridgov, runs `gridgov serve` and
// `gridgov etl run --follow` on loopback, lets Debian's Prometheus scrape both, and checks
// through Prometheus's HTTP API that the series count exactly the traffic the test made.
func TestPrometheusScrapesServeAndETL(t *testing.T) {
	if _, err := exec.LookPath("prometheus"); err != nil {
		t.Fatal("prometheus not found: run scripts/tools.sh (make test does)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "gridgov")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/gridgov").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pgURL := dbtest.NewURL(t)
	pool, err := store.Open(ctx, pgURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 3, Scale: 1, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ch := whtest.New(t) // a fresh, migrated warehouse database
	apiAddr, apiMetrics, etlMetrics, promAddr := free(t), free(t), free(t), free(t)
	env := append(os.Environ(), "GRIDGOV_PG_URL="+pgURL, "GRIDGOV_CH_DATABASE="+ch.Database, "GRIDGOV_MODE=development",
		"GRIDGOV_LISTEN="+apiAddr, "GRIDGOV_METRICS_LISTEN="+apiMetrics, "GRIDGOV_LOG_LEVEL=warn", "GRIDGOV_EVIDENCE_DIR="+t.TempDir(),
		"GRIDGOV_SCHEDULER=worker") // the rows the ETL loads are the seeded ones, counted below
	start(t, env, bin, "serve")
	start(t, env, bin, "etl", "run", "--follow", "--interval", "300ms", "--metrics-listen", etlMetrics)
	waitHTTP(t, "http://"+apiAddr+"/readyz") // not /healthz: its count is asserted

	const healthChecks, badQueries = 37, 5
	for range healthChecks {
		mustGet(t, "http://"+apiAddr+"/healthz")
	}
	// serve runs in development mode: its tokens are signed with the built-in secret.
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	token, err := keys.Issue("leader", auth.ScopeCity, "1", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for range badQueries {
		req, _ := http.NewRequest("POST", "http://"+apiAddr+"/graphql", strings.NewReader(`{"query":"{ nosuchfield }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var issues float64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM issues`).Scan(&issues); err != nil {
		t.Fatal(err)
	}

	cfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`global: {scrape_interval: 500ms}
scrape_configs:
  - {job_name: api, static_configs: [{targets: ["%s"]}]}
  - {job_name: etl, static_configs: [{targets: ["%s"]}]}
`, apiMetrics, etlMetrics)), 0o644)
	start(t, nil, "prometheus", "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)

	expect := map[string]float64{
		`sum(gridgov_http_requests_total{job="api",route="/healthz",code="200"})`: healthChecks,
		`sum(gridgov_graphql_errors_total{job="api",code="BAD_USER_INPUT"})`:      badQueries,
		`sum(gridgov_http_requests_total{job="api",route="/graphql",code="422"})`: badQueries,
		`sum(gridgov_etl_rows_loaded_total{job="etl",table="fact_issue"})`:        issues,
		`count(up{job=~"api|etl"} == 1)`:                                          2,
	}
	deadline := time.Now().Add(60 * time.Second)
	for q, want := range expect {
		var got float64
		var err error
		for {
			got, err = promQuery("http://"+promAddr, q)
			if err == nil && got == want || time.Now().After(deadline) {
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		if err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", q, got, err, want)
		}
	}
}

func free(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs a command for the rest of the test, stopping it with SIGTERM at cleanup.
func start(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) //nolint:errcheck
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }() //nolint:errcheck
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill() //nolint:errcheck
		}
		if t.Failed() {
			t.Logf("%s %v output:\n%s", name, args, logs.String())
		}
	})
}

func waitHTTP(t *testing.T, u string) {
	t.Helper()
	for range 200 {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", u)
}

func mustGet(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
}

// promQuery runs an instant query that yields one number.
func promQuery(base, q string) (float64, error) {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	if out.Status != "success" || len(out.Data.Result) != 1 {
		return 0, fmt.Errorf("status %s, %d results", out.Status, len(out.Data.Result))
	}
	s, _ := out.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}
