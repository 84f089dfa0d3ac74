package analytics_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gridgov/analytics"
	"gridgov/dbtest"
)

// get answers GET path with the token.
func (e env) get(t *testing.T, path, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// A statistician saves a query with typed parameters, runs it by name in JSON, CSV and XLSX
// with values that are bound, never spliced (a quote in a string stays in the string), and
// reads its runs; another statistician sees it only once shared.
func TestSavedQueries(t *testing.T) {
	e := newEnv(t, analytics.Options{Pool: dbtest.New(t)})
	other, err := e.keys.Issue("statistician", "city", "43", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const query = `SELECT {n:Int64} * 2 AS doubled, {s:String} AS echoed, {d:Date} AS day, '{not:Int64}' AS text`
	save := func(body string) (int, string) {
		resp, b := e.post(t, "/analytics/queries", e.token, "application/json", "", body)
		return resp.StatusCode, b
	}
	body, _ := json.Marshal(map[string]any{"name": "echo", "sql": query,
		"params": []map[string]string{{"name": "n", "type": "Int64"}, {"name": "s", "type": "String"}, {"name": "d", "type": "Date"}}})
	if code, b := save(string(body)); code != http.StatusCreated {
		t.Fatalf("save: %d %s", code, b)
	}
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"the same name", string(body), http.StatusConflict, "CONFLICT"},
		{"an undeclared placeholder", `{"name": "q2", "sql": "SELECT {n:Int64}", "params": []}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a parameter of another type", `{"name": "q2", "sql": "SELECT {n:Int64}", "params": [{"name": "n", "type": "String"}]}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unused parameter", `{"name": "q2", "sql": "SELECT 1", "params": [{"name": "n", "type": "Int64"}]}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unknown type", `{"name": "q2", "sql": "SELECT {n:Int128}", "params": [{"name": "n", "type": "Int128"}]}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a write", `{"name": "q2", "sql": "INSERT INTO t SELECT {n:Int64}", "params": [{"name": "n", "type": "Int64"}]}`, http.StatusForbidden, "READ_ONLY"},
		{"a bad name", `{"name": "Q 2", "sql": "SELECT 1", "params": []}`, http.StatusBadRequest, "BAD_USER_INPUT"},
	} {
		if code, b := save(c.body); code != c.status || errorCode(t, b) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, b, c.status, c.code)
		}
	}

	run := func(token, format string, params map[string]any) (*http.Response, string) {
		b, _ := json.Marshal(map[string]any{"query": "echo", "params": params, "format": format})
		return e.post(t, "/analytics/sql", token, "application/json", "", string(b))
	}
	tricky := `x' OR 1 = 1) --` + "\n" + `\'`
	params := map[string]any{"n": 21, "s": tricky, "d": "2026-10-01"}
	resp, b := run(e.token, "json", params)
	var got struct {
		Rows     [][]any
		Complete bool
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &got) != nil || len(got.Rows) != 1 {
		t.Fatalf("run: %d %s", resp.StatusCode, b)
	}
	if row := got.Rows[0]; row[0] != float64(42) && row[0] != "42" || row[1] != tricky || !strings.HasPrefix(row[2].(string), "2026-10-01") || row[3] != "{not:Int64}" {
		t.Errorf("row %q, want 42, the string as given, the day, and the text in quotes untouched", row)
	}
	resp, b = run(e.token, "csv", params)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(b, "doubled,echoed,day,text\n42,") {
		t.Errorf("csv: %d %q", resp.StatusCode, b)
	}
	resp, b = run(e.token, "xlsx", params)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cells := readXLSX(t, []byte(b)); len(cells) != 2 || cells[0][1] != "echoed" || cells[1][0] != float64(42) || cells[1][1] != tricky {
		t.Errorf("xlsx read back: %v", cells)
	}
	for _, c := range []struct {
		name   string
		params map[string]any
	}{
		{"a number as text", map[string]any{"n": "21", "s": "a", "d": "2026-10-01"}},
		{"a bad day", map[string]any{"n": 21, "s": "a", "d": "2026-10-01' OR '1"}},
		{"a value missing", map[string]any{"n": 21, "s": "a"}},
		{"a value not declared", map[string]any{"n": 21, "s": "a", "d": "2026-10-01", "x": 1}},
		{"a fraction for an integer", map[string]any{"n": 2.5, "s": "a", "d": "2026-10-01"}},
	} {
		if resp, b := run(e.token, "json", c.params); resp.StatusCode != http.StatusBadRequest || errorCode(t, b) != "BAD_USER_INPUT" {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}

	// The runs: the three that answered, newest first, with rows read and time taken.
	resp, b = e.get(t, "/analytics/queries/echo/runs", e.token)
	var runs struct {
		Runs []analytics.Run
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &runs) != nil || len(runs.Runs) != 3 {
		t.Fatalf("runs: %d %s", resp.StatusCode, b)
	}
	for i, r := range runs.Runs {
		if r.ResultRows != 1 || r.RowsRead < 1 || r.Seconds <= 0 || r.ErrorCode != nil || r.Runner != "42" || r.Format != []string{"xlsx", "csv", "json"}[i] {
			t.Errorf("run %d: %+v", i, r)
		}
	}

	// Another statistician: the query is not theirs and not shared, so it is absent.
	if resp, b := run(other, "json", params); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's unshared query: %d %s", resp.StatusCode, b)
	}
	if resp, _ := e.get(t, "/analytics/queries/echo/runs", other); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's runs: %d", resp.StatusCode)
	}
	shared := `{"name": "shared_one", "sql": "SELECT {n:UInt64} AS n", "params": [{"name": "n", "type": "UInt64"}], "shared": true}`
	if code, b := save(shared); code != http.StatusCreated {
		t.Fatalf("save shared: %d %s", code, b)
	}
	_, b = e.get(t, "/analytics/queries", other)
	if !strings.Contains(b, `"shared_one"`) || strings.Contains(b, `"echo"`) {
		t.Errorf("another's list: %s", b)
	}
}

// readXLSX reads the first sheet of a workbook with openpyxl (scripts/openpyxl.sh).
func readXLSX(t *testing.T, b []byte) [][]any {
	t.Helper()
	out, err := exec.Command("../scripts/openpyxl.sh").Output()
	if err != nil {
		t.Fatalf("scripts/openpyxl.sh: %v", err)
	}
	file := filepath.Join(t.TempDir(), "answer.xlsx")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	js, err := exec.Command(strings.TrimSpace(string(out)), "-c", `import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
json.dump([[c.value if not hasattr(c.value, "isoformat") else c.value.isoformat() for c in row] for row in ws.iter_rows()], sys.stdout)`, file).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var cells [][]any
	if err := json.Unmarshal(js, &cells); err != nil {
		t.Fatal(err)
	}
	return cells
}
