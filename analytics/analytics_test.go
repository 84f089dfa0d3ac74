package analytics_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/analytics"
	"gridgov/auth"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// warehouseDB is the database the statistician may read (allow_databases in users.xml).
const warehouseDB = "gridgov"

// statistician connects as the ClickHouse user "statistician", after making sure the
// warehouse database has its tables (as the service account: migrating is idempotent).
func statistician(t *testing.T) *warehouse.Client {
	t.Helper()
	admin := whtest.Open(t)
	if _, err := warehouse.Migrate(context.Background(), admin, warehouseDB, warehouse.Topology{}); err != nil {
		t.Fatalf("migrate %s: %v", warehouseDB, err)
	}
	o := whtest.Options(t)
	c, err := warehouse.Open(context.Background(), warehouse.Options{Addr: o.Addr, User: "statistician",
		Password: os.Getenv("GRIDGOV_CH_STATISTICIAN_PASSWORD"), DefaultDatabase: warehouseDB})
	if err != nil {
		t.Fatalf("connect as statistician (deploy/clickhouse/users.xml; restart ClickHouse after editing it): %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The ClickHouse user itself refuses writes, DDL, raising its limits and other databases,
// whatever client a statistician uses.
func TestStatisticianUser(t *testing.T) {
	c := statistician(t)
	ctx := context.Background()
	rows, err := c.Query(ctx, "SELECT count() FROM dim_date FINAL")
	if err != nil || len(rows) != 1 || rows[0][0] != "36525" {
		t.Fatalf("SELECT on the warehouse: %v %v", rows, err)
	}
	refused := map[string]string{
		"INSERT":          "INSERT INTO gridgov.dim_city (id, code, name, created_at, updated_at, version, is_deleted) SELECT 99, 'x', 'x', now(), now(), 1, 0",
		"CREATE":          "CREATE TABLE gridgov.statistician_was_here (a UInt8) ENGINE = Memory",
		"DROP":            "DROP TABLE gridgov.dim_date",
		"ALTER":           "ALTER TABLE gridgov.dim_city DELETE WHERE 1",
		"SET higher":      "SET max_result_rows = 1000000000",
		"SETTINGS higher": "SELECT count() FROM dim_date SETTINGS max_execution_time = 100000",
		"other database":  "SELECT count() FROM default.t",
		"table function":  "SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')",
	}
	for name, q := range refused {
		if err := c.Exec(ctx, q); err == nil {
			t.Errorf("%s: accepted: %s", name, q)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	// The profile's limits, as the statistician sees them.
	want := map[string]string{"readonly": "1", "max_execution_time": "30", "max_result_rows": "100000",
		"max_rows_to_read": "200000000", "max_memory_usage": "4000000000", "result_overflow_mode": "throw"}
	rows, err = c.Query(ctx, "SELECT name, value FROM system.settings WHERE name IN ('readonly', 'max_execution_time', 'max_result_rows', 'max_rows_to_read', 'max_memory_usage', 'result_overflow_mode')")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if want[r[0]] != r[1] {
			t.Errorf("setting %s = %s, want %s", r[0], r[1], want[r[0]])
		}
		delete(want, r[0])
	}
	if len(want) > 0 {
		t.Errorf("settings not reported: %v", want)
	}
	rows, err = c.Query(ctx, "SELECT count() FROM system.quotas WHERE name = 'statistician'")
	if err == nil && len(rows) == 1 && rows[0][0] == "0" {
		t.Log("system.quotas does not list the quota on this version")
	}
	// ClickHouse 18.16 lets every user read the system database (no grants, no row policies):
	// the endpoint refuses it (TestSystemTablesRefused); here we only record what the server does.
	if _, err := c.Query(ctx, "SELECT count() FROM system.processes"); err == nil {
		t.Log("this ClickHouse lets the statistician read system.processes directly (18.16: every user reads system)")
	}
}

type env struct {
	srv   *httptest.Server
	keys  auth.Keys
	m     *warehouse.Metrics
	token string
}

func newEnv(t *testing.T, timeout time.Duration) env {
	t.Helper()
	keys := auth.Keys{Method: jwt.SigningMethodHS256, Secret: []byte("analytics-test-secret-0123456789abcdef"), Audience: "gridgov", Issuer: "gridgov"}
	m := warehouse.NewMetrics(prometheus.NewRegistry())
	h := analytics.Handler(analytics.Options{Warehouse: statistician(t), Keys: keys, Metrics: m, Timeout: timeout})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tok, err := keys.Issue("statistician", "city", "42", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return env{srv: srv, keys: keys, m: m, token: tok}
}

func (e env) post(t *testing.T, path, token, contentType, accept, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, string(b) + "\nread error: " + err.Error()
	}
	return resp, string(b)
}

func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("want {\"error\":{\"code\",\"message\"}}, got %s", body)
	}
	return e.Error.Code
}

func TestSelectAsJSONAndCSV(t *testing.T) {
	e := newEnv(t, 0)
	q := "SELECT year, count() AS days, toDate(min(date)) AS first FROM dim_date FINAL WHERE year IN (2024, 2025) GROUP BY year ORDER BY year"
	resp, body := e.post(t, "/analytics/sql", e.token, "application/json", "", `{"sql": "`+q+`"}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var out struct {
		Columns  []struct{ Name, Type string }
		Rows     [][]any
		Complete bool
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(out.Columns) != 3 || out.Columns[1].Name != "days" || len(out.Rows) != 2 || !out.Complete ||
		out.Rows[0][1] != float64(366) || out.Rows[1][1] != float64(365) {
		t.Errorf("JSON answer: %s", body)
	}

	for _, how := range []struct{ path, accept string }{{"/analytics/sql?format=csv", ""}, {"/analytics/sql", "text/csv"}} {
		resp, body = e.post(t, how.path, e.token, "text/plain", how.accept, q+";")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "year,days,first" || recs[1][1] != "366" {
			t.Errorf("CSV answer %q: %v", body, err)
		}
	}
	if n := testutil.CollectAndCount(e.m.QueryDuration); n != 1 {
		t.Errorf("analytics_sql durations not recorded (%d series)", n)
	}
}

// A large answer streams: 100,000 rows (the result limit) arrive complete.
func TestStreamsLargeResults(t *testing.T) {
	e := newEnv(t, 0)
	resp, body := e.post(t, "/analytics/sql?format=csv", e.token, "", "", "SELECT number, toString(number) AS s FROM system.numbers LIMIT 100000")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body[:min(len(body), 300)])
	}
	if n := strings.Count(body, "\n"); n != 100001 {
		t.Errorf("%d lines, want a header and 100000 rows", n)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, 0)
	leader, _ := e.keys.Issue("leader", "city", "7", time.Hour, time.Now())
	for _, c := range []struct {
		name, token, sql string
		status           int
		code             string
	}{
		{"no token", "", "SELECT 1", 401, "UNAUTHENTICATED"},
		{"bad token", "not-a-token", "SELECT 1", 401, "UNAUTHENTICATED"},
		{"leader", leader, "SELECT 1", 403, "FORBIDDEN"},
		{"insert", e.token, "INSERT INTO dim_city (id) SELECT 1", 403, analytics.CodeReadOnly},
		{"drop", e.token, "drop table dim_date", 403, analytics.CodeReadOnly},
		{"create", e.token, "/* hi */ CREATE TABLE x (a UInt8) ENGINE = Memory", 403, analytics.CodeReadOnly},
		{"set", e.token, "SET max_result_rows = 1000000000", 403, analytics.CodeReadOnly},
		{"settings clause", e.token, "SELECT 1 SETTINGS max_result_rows = 1000000000", 403, analytics.CodeReadOnly},
		{"two statements", e.token, "SELECT 1; SELECT 2", 400, analytics.CodeMultipleStatements},
		{"two statements hidden", e.token, "SELECT 1; DROP TABLE dim_date", 400, analytics.CodeMultipleStatements},
		{"rows read", e.token, "SELECT count() FROM (SELECT number FROM system.numbers LIMIT 300000000)", 422, analytics.CodeLimitExceeded},
		{"syntax", e.token, "SELECT FROM WHERE", 400, analytics.CodeQueryError},
		{"unknown table", e.token, "SELECT * FROM no_such_table", 400, analytics.CodeQueryError},
		{"other database", e.token, "SELECT * FROM default.t", 403, "FORBIDDEN"},
		{"format", e.token, "SELECT 1 FORMAT TabSeparated", 400, "BAD_USER_INPUT"},
		{"empty", e.token, "  ", 400, "BAD_USER_INPUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.post(t, "/analytics/sql", c.token, "text/plain", "", c.sql)
			if resp.StatusCode != c.status || errorCode(t, body) != c.code {
				t.Errorf("%d %s; want %d %s", resp.StatusCode, body, c.status, c.code)
			}
		})
	}
	// A semicolon or "system." inside a string is no statement and no table.
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", "SELECT 'a;b', 'system.processes' -- ; comment")
	if resp.StatusCode != 200 {
		t.Errorf("literal with ';': %d %s", resp.StatusCode, body)
	}
}

// The system database: schema discovery yes, other users' queries no (18.16 itself would
// let the statistician user read them).
func TestSystemTablesRefused(t *testing.T) {
	e := newEnv(t, 0)
	for _, q := range []string{"SELECT * FROM system.processes", "SELECT query FROM system.query_log", "SELECT * FROM `system`.`users`",
		"SELECT * FROM system . parts", "SELECT name FROM system.tables WHERE database IN (SELECT database FROM system.query_log)"} {
		resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", q)
		if resp.StatusCode != 403 || errorCode(t, body) != "FORBIDDEN" {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", "SELECT name, type FROM system.columns WHERE database = 'gridgov' AND table = 'dim_date'")
	if resp.StatusCode != 200 || !strings.Contains(body, "yyyymm") {
		t.Errorf("schema discovery: %d %s", resp.StatusCode, body)
	}
}

// Over the result-row limit: ClickHouse says so after streaming the first blocks, so the
// answer has started; JSON ends with the error and "complete": false, CSV is cut off.
func TestResultLimitMidStream(t *testing.T) {
	e := newEnv(t, 0)
	q := "SELECT number FROM system.numbers LIMIT 100001"
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", q)
	var out struct {
		Rows     [][]any
		Complete bool
		Error    struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || out.Complete || out.Error.Code != analytics.CodeLimitExceeded ||
		!strings.Contains(out.Error.Message, "max rows") {
		t.Errorf("JSON: %d complete=%v error=%+v (%v)", resp.StatusCode, out.Complete, out.Error, err)
	}
	_, body = e.post(t, "/analytics/sql?format=csv", e.token, "text/plain", "", q)
	if !strings.Contains(body, "read error") {
		t.Error("CSV over the limit was not cut off")
	}
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, 500*time.Millisecond)
	began := time.Now()
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", "SELECT sleep(2)")
	if resp.StatusCode != 504 || errorCode(t, body) != analytics.CodeTimeout {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if d := time.Since(began); d > 1800*time.Millisecond {
		t.Errorf("answered after %s; the query was not cancelled", d)
	}
}
