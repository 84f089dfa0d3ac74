package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/server"
)

// TestMetricsAndRequestIDs: traffic shows up in /metrics by route, status and error code; a
// GraphQL error carries the request id the response header gives; promtool accepts it all.
func TestMetricsAndRequestIDs(t *testing.T) {
	keys, token := testToken(t, "leader", "city", "7")
	h := server.New(server.Deps{Pool: dbtest.New(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: keys, MetricsOnAPI: true})
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	do("GET", "/healthz", "")
	do("GET", "/healthz", "")
	bad := do("POST", "/graphql", `{"query":"{ nosuchfield }"}`)
	var resp struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(bad.Body.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
		t.Fatalf("bad query: %q", bad.Body.String())
	}
	id := bad.Header().Get("X-Request-Id")
	if id == "" || resp.Errors[0].Extensions["requestId"] != id || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("error extensions %v, header id %q", resp.Errors[0].Extensions, id)
	}
	if rec := do("GET", "/nowhere", ""); rec.Code != http.StatusNotFound {
		t.Errorf("/nowhere = %d", rec.Code)
	}
	metrics := do("GET", "/metrics", "").Body.String()
	for _, want := range []string{
		`gridgov_http_requests_total{code="200",route="/healthz"} 2`,
		`gridgov_graphql_errors_total{code="BAD_USER_INPUT"} 1`,
		`gridgov_http_requests_total{code="404",route="/"} 1`,
		`gridgov_pg_pool_max_connections 8`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: run scripts/tools.sh (make test does)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(metrics)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestOperationLog: each GraphQL operation is logged as JSON with its request id, name, type,
// role and duration.
func TestOperationLog(t *testing.T) {
	var logs bytes.Buffer
	keys, token := testToken(t, "leader", "city", "7")
	h := server.New(server.Deps{Pool: dbtest.New(t), Log: slog.New(slog.NewJSONHandler(&logs, nil)), Keys: keys})
	req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"query Probe { __typename }","operationName":"Probe"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Request-Id", "probe-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "graphql" {
			found = rec["request_id"] == "probe-1" && rec["operation"] == "Probe" && rec["type"] == "query" &&
				rec["role"] == "leader" && rec["duration"] != nil
		}
	}
	if !found {
		t.Errorf("no complete graphql log line:\n%s", logs.String())
	}
}

// testToken gives keys and a token they verify, for role over scope acting for subject.
func testToken(t testing.TB, role, scope, subject string) (auth.Keys, string) {
	t.Helper()
	keys, err := auth.LoadKeys("HS256", "server-test-secret-of-at-least-32-bytes", "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := keys.Issue(role, scope, subject, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return keys, tok
}
