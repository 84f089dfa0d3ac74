package analytics_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/analytics"
	"gridgov/auth"
	"gridgov/warehouse"
)

type env struct {
	srv   *httptest.Server
	keys  auth.Keys
	m     *warehouse.Metrics
	token string
}

// newEnv serves the endpoint over a statistician's connection; o carries the options a test
// sets (Timeout, MaxResultBytes), the rest is filled in here.
func newEnv(t *testing.T, o analytics.Options) env {
	t.Helper()
	keys := auth.Keys{Method: jwt.SigningMethodHS256, Secret: []byte("analytics-test-secret-0123456789abcdef"), Audience: "gridgov", Issuer: "gridgov"}
	m := warehouse.NewMetrics(prometheus.NewRegistry())
	o.Warehouse, o.Keys, o.Metrics = statistician(t), keys, m
	srv := httptest.NewServer(analytics.Handler(o))
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
		t.Fatalf("want {\"error\":{\"code\",\"message\"}}, got %.300s", body)
	}
	return e.Error.Code
}

// answer is a JSON answer of the endpoint.
type answer struct {
	Columns  []struct{ Name, Type string }
	Rows     [][]any
	Complete bool
	Error    struct{ Code, Message string }
}

func decode(t *testing.T, body string) answer {
	t.Helper()
	var a answer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	return a
}

func TestSelectAsJSONAndCSV(t *testing.T) {
	e := newEnv(t, analytics.Options{})
	q := "SELECT year, count() AS days, toDate(min(date)) AS first FROM dim_date FINAL WHERE year IN (2024, 2025) GROUP BY year ORDER BY year"
	resp, body := e.post(t, "/analytics/sql", e.token, "application/json", "", `{"sql": "`+q+`"}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	out := decode(t, body)
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
	e := newEnv(t, analytics.Options{})
	resp, body := e.post(t, "/analytics/sql?format=csv", e.token, "", "", "SELECT year, toString(date) AS s FROM dim_date ARRAY JOIN range(3) AS k LIMIT 100000")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	if n := strings.Count(body, "\n"); n != 100001 {
		t.Errorf("%d lines, want a header and 100000 rows", n)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, analytics.Options{})
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
		{"two statements hidden", e.token, `SELECT 1 AS "a'b"; DROP TABLE dim_date --'`, 400, analytics.CodeMultipleStatements},
		{"result rows", e.token, "SELECT arrayJoin(range(100001))", 422, analytics.CodeLimitExceeded},
		{"syntax", e.token, "SELECT FROM WHERE", 400, analytics.CodeQueryError},
		{"unknown table", e.token, "SELECT * FROM no_such_table", 400, analytics.CodeQueryError},
		{"other database", e.token, "SELECT * FROM default.t", 403, "FORBIDDEN"},
		{"system", e.token, `SELECT user, address, query FROM "system"."processes"`, 403, "FORBIDDEN"},
		{"table function", e.token, "SELECT * FROM numbers(1e12)", 403, "FORBIDDEN"},
		{"format", e.token, "SELECT 1 FORMAT TabSeparated", 400, "BAD_USER_INPUT"},
		{"nested comment", e.token, "SELECT 1 /* /* */ , query FROM system.processes -- */", 400, "BAD_USER_INPUT"},
		{"empty", e.token, "  ", 400, "BAD_USER_INPUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.post(t, "/analytics/sql", c.token, "text/plain", "", c.sql)
			if resp.StatusCode != c.status || errorCode(t, body) != c.code {
				t.Errorf("%d %s; want %d %s", resp.StatusCode, body, c.status, c.code)
			}
		})
	}
	// A semicolon or "system." inside a string or a comment is no statement and no table.
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", "SELECT 'a;b', 'system.processes' -- ; comment")
	if resp.StatusCode != 200 {
		t.Errorf("literal with ';': %d %s", resp.StatusCode, body)
	}
}

// The system database is refused whole, schema discovery included: the data dictionary
// (docs/warehouse.md) describes the warehouse's tables.
func TestSystemTablesRefused(t *testing.T) {
	e := newEnv(t, analytics.Options{})
	for _, q := range []string{"SELECT * FROM system.processes", "SELECT query FROM system.query_log", "SELECT * FROM `system`.`users`",
		"SELECT * FROM system . parts", "SELECT name FROM system.tables WHERE database = 'gridgov'",
		"SELECT name, type FROM system.columns WHERE database = 'gridgov' AND table = 'dim_date'", "SELECT number FROM system.numbers LIMIT 3"} {
		resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", q)
		if resp.StatusCode != 403 || errorCode(t, body) != "FORBIDDEN" {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

// Over the result-row limit after the first blocks: ClickHouse says so once the answer has
// started, so JSON ends with the error and "complete": false, and CSV is cut off.
func TestResultLimitMidStream(t *testing.T) {
	e := newEnv(t, analytics.Options{})
	// Three blocks of 36,525 rows: the third takes the result past 100,000 rows.
	q := "SELECT d FROM (SELECT toString(date) AS d FROM dim_date UNION ALL SELECT toString(date) FROM dim_date UNION ALL SELECT toString(date) FROM dim_date)"
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", q)
	out := decode(t, body)
	if resp.StatusCode != 200 || out.Complete || out.Error.Code != analytics.CodeLimitExceeded || !strings.Contains(out.Error.Message, "max rows") {
		t.Errorf("JSON: %d complete=%v error=%+v, %d rows", resp.StatusCode, out.Complete, out.Error, len(out.Rows))
	}
	_, body = e.post(t, "/analytics/sql?format=csv", e.token, "text/plain", "", q)
	if !strings.Contains(body, "read error") {
		t.Error("CSV over the limit was not cut off")
	}
}

// The endpoint's own cap on the answer's bytes: refused with a status while the answer is
// held back, ended with "complete": false (JSON) or cut off (CSV) once it has started.
func TestResultByteCap(t *testing.T) {
	small := newEnv(t, analytics.Options{MaxResultBytes: 10 << 10})
	q := "SELECT toString(date) AS d FROM dim_date FINAL ORDER BY date LIMIT 5000" // about 80 KB as JSON
	for _, path := range []string{"/analytics/sql", "/analytics/sql?format=csv"} {
		resp, body := small.post(t, path, small.token, "text/plain", "", q)
		if resp.StatusCode != 422 || errorCode(t, body) != analytics.CodeLimitExceeded {
			t.Errorf("%s over a 10 KiB cap: %d %.300s", path, resp.StatusCode, body)
		}
	}

	const limit = 200 << 10
	mid := newEnv(t, analytics.Options{MaxResultBytes: limit})
	q = "SELECT toString(date) AS d FROM dim_date FINAL ORDER BY date" // 36,525 rows, about 550 KB
	resp, body := mid.post(t, "/analytics/sql", mid.token, "text/plain", "", q)
	out := decode(t, body)
	if resp.StatusCode != 200 || out.Complete || out.Error.Code != analytics.CodeLimitExceeded || len(out.Rows) == 0 || len(out.Rows) >= 36525 {
		t.Errorf("JSON past a 200 KiB cap: %d complete=%v error=%+v, %d rows", resp.StatusCode, out.Complete, out.Error, len(out.Rows))
	}
	if len(body) > limit+1024 {
		t.Errorf("JSON past a 200 KiB cap: %d bytes sent", len(body))
	}
	_, body = mid.post(t, "/analytics/sql?format=csv", mid.token, "text/plain", "", q)
	if !strings.Contains(body, "read error") || len(body) > limit+1024 {
		t.Errorf("CSV past a 200 KiB cap was not cut off (%d bytes)", len(body))
	}

	// 50 rows of a 1 MB constant string: 18.16's max_result_bytes lets them through (a
	// constant counts once per block); the default cap of 32 MiB stops them.
	dflt := newEnv(t, analytics.Options{})
	resp, body = dflt.post(t, "/analytics/sql", dflt.token, "text/plain", "", "SELECT arrayStringConcat(arrayResize(['x'], 1000000, 'x')) AS s FROM dim_date LIMIT 50")
	out = decode(t, body)
	if resp.StatusCode != 200 || out.Complete || out.Error.Code != analytics.CodeLimitExceeded || len(out.Rows) >= 50 || len(body) > 32<<20+1024 {
		t.Errorf("50 MB answer: %d complete=%v error=%+v, %d rows, %d bytes", resp.StatusCode, out.Complete, out.Error, len(out.Rows), len(body))
	}
}

// CSV cells that a spreadsheet would run as a formula start with a single quote; numbers,
// negative ones included, and JSON answers are left as they are.
func TestCSVNeutralisesFormulas(t *testing.T) {
	e := newEnv(t, analytics.Options{})
	q := `SELECT '=HYPERLINK("http://evil.example/","minutes")' AS title, '+1' AS plus, '-2' AS minus, '@SUM(A1)' AS at,
		'\tx' AS tab, '\rx' AS cr, '＝1' AS wide, 'plain' AS plain, -3 AS n, toDecimal32(-1.5, 2) AS d, toFloat64(-0.25) AS f,
		1 AS "=cmd|' /C calc'!A0"`
	_, body := e.post(t, "/analytics/sql?format=csv", e.token, "text/plain", "", q)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v: %q", err, body)
	}
	want := []string{`'=HYPERLINK("http://evil.example/","minutes")`, "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "'＝1", "plain", "-3", "-1.5", "-0.25", "1"}
	for i, w := range want {
		if recs[1][i] != w {
			t.Errorf("column %s: %q, want %q", recs[0][i], recs[1][i], w)
		}
	}
	if h := recs[0][len(recs[0])-1]; h != `'=cmd|' /C calc'!A0` {
		t.Errorf("header %q: a column name is neutralised too", h)
	}
	_, body = e.post(t, "/analytics/sql", e.token, "text/plain", "", q)
	if out := decode(t, body); len(out.Rows) != 1 || out.Rows[0][0] != `=HYPERLINK("http://evil.example/","minutes")` || out.Rows[0][1] != "+1" {
		t.Errorf("JSON is data, not a spreadsheet: %v", out.Rows)
	}
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, analytics.Options{Timeout: 500 * time.Millisecond})
	began := time.Now()
	resp, body := e.post(t, "/analytics/sql", e.token, "text/plain", "", "SELECT sleep(2)")
	if resp.StatusCode != 504 || errorCode(t, body) != analytics.CodeTimeout {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if d := time.Since(began); d > 1800*time.Millisecond {
		t.Errorf("answered after %s; the query was not cancelled", d)
	}
}
