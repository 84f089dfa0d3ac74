package analytics_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gridgov/analytics"
	"gridgov/dbtest"
)

// get answers GET path with the token.
func (e env) get(t *testing.T, path, token string) (*http.Response, string) {
	t.Helper()
	return e.do(t, http.MethodGet, path, token, "")
}

// do answers a request of method to path with the token and a JSON body (none when empty).
func (e env) do(t *testing.T, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
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

// The owner of a saved query updates it at the version they read (each change bumps it; a stale
// one is CONFLICT and changes nothing), checked as a new one is; another statistician who sees it
// shared is answered as for a missing query when changing it; unsharing hides it; deleting it
// removes it and its runs, and a run by name is then NOT_FOUND.
func TestSavedQueryChanges(t *testing.T) {
	e := newEnv(t, analytics.Options{Pool: dbtest.New(t)})
	other, err := e.keys.Issue("statistician", "city", "43", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		resp, b := e.do(t, method, path, token, body)
		return resp.StatusCode, b
	}
	// listed is the query named weekly as token's list shows it; nil when absent.
	listed := func(token string) *analytics.SavedQuery {
		t.Helper()
		var l struct{ Queries []analytics.SavedQuery }
		if code, b := call(http.MethodGet, "/analytics/queries", token, ""); code != http.StatusOK || json.Unmarshal([]byte(b), &l) != nil {
			t.Fatalf("list: %d %s", code, b)
		}
		for _, q := range l.Queries {
			if q.Name == "weekly" {
				return &q
			}
		}
		return nil
	}
	run := func(token string) (int, string) {
		t.Helper()
		return call(http.MethodPost, "/analytics/sql", token, `{"query": "weekly", "params": {"n": 1}}`)
	}
	save := `{"name": "weekly", "sql": "SELECT {n:Int64} AS n", "params": [{"name": "n", "type": "Int64"}], "description": "first", "shared": true}`
	if code, b := call(http.MethodPost, "/analytics/queries", e.token, save); code != http.StatusCreated {
		t.Fatalf("save: %d %s", code, b)
	}
	if q := listed(other); q == nil || q.Version != 1 || q.Description != "first" || !q.Shared {
		t.Fatalf("another's list, shared: %+v", q)
	}

	// Another statistician sees it shared but may not change it: the answer of a missing query.
	for _, method := range []string{http.MethodPatch, http.MethodDelete} {
		code, b := call(method, "/analytics/queries/weekly", other, `{"version": 1, "shared": false}`)
		missingCode, missing := call(method, "/analytics/queries/nosuch", other, `{"version": 1, "shared": false}`)
		if code != http.StatusNotFound || errorCode(t, b) != "NOT_FOUND" || code != missingCode ||
			strings.ReplaceAll(b, "weekly", "nosuch") != missing {
			t.Errorf("%s by another: %d %s; a missing one: %d %s", method, code, b, missingCode, missing)
		}
	}
	if q := listed(e.token); q == nil || q.Version != 1 || !q.Shared {
		t.Fatalf("after another's attempts: %+v", q)
	}

	// The owner updates the SQL and description: version 2, the rest kept, and the new SQL runs.
	code, b := call(http.MethodPatch, "/analytics/queries/weekly", e.token, `{"version": 1, "sql": "SELECT {n:Int64} + 1 AS n", "description": "second"}`)
	var got analytics.SavedQuery
	if code != http.StatusOK || json.Unmarshal([]byte(b), &got) != nil || got.Version != 2 || got.SQL != "SELECT {n:Int64} + 1 AS n" ||
		got.Description != "second" || !got.Shared || len(got.Params) != 1 || got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("update: %d %s", code, b)
	}
	var ran struct{ Rows [][]any }
	if code, b := run(other); code != http.StatusOK || json.Unmarshal([]byte(b), &ran) != nil || len(ran.Rows) != 1 || ran.Rows[0][0] != float64(2) {
		t.Errorf("run after the update: %d %s, want 2", code, b)
	}

	// Refused changes leave it at version 2: a stale version, and SQL or parameters failing the
	// checks of a save.
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"a stale version", `{"version": 1, "description": "third"}`, http.StatusConflict, "CONFLICT"},
		{"no version", `{"description": "third"}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a write", `{"version": 2, "sql": "INSERT INTO t SELECT {n:Int64}"}`, http.StatusForbidden, "READ_ONLY"},
		{"system", `{"version": 2, "sql": "SELECT {n:Int64} FROM system.processes"}`, http.StatusForbidden, "FORBIDDEN"},
		{"an undeclared placeholder", `{"version": 2, "sql": "SELECT {m:Int64}"}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a parameter of another type", `{"version": 2, "params": [{"name": "n", "type": "String"}]}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unknown field", `{"version": 2, "name": "renamed"}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a description too long", `{"version": 2, "description": "` + strings.Repeat("述", 2001) + `"}`, http.StatusBadRequest, "BAD_USER_INPUT"},
	} {
		if code, b := call(http.MethodPatch, "/analytics/queries/weekly", e.token, c.body); code != c.status || errorCode(t, b) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, b, c.status, c.code)
		}
	}
	if q := listed(e.token); q == nil || q.Version != 2 || q.Description != "second" || q.SQL != got.SQL {
		t.Fatalf("after refused changes: %+v", q)
	}

	// Unshared, it is gone for the other statistician: not listed, not run, no runs.
	if code, b := call(http.MethodPatch, "/analytics/queries/weekly", e.token, `{"version": 2, "shared": false}`); code != http.StatusOK || !strings.Contains(b, `"version":3`) {
		t.Fatalf("unshare: %d %s", code, b)
	}
	if q := listed(other); q != nil {
		t.Errorf("another lists an unshared query: %+v", q)
	}
	if code, _ := run(other); code != http.StatusNotFound {
		t.Errorf("another runs an unshared query: %d", code)
	}
	if code, _ := call(http.MethodGet, "/analytics/queries/weekly/runs", other, ""); code != http.StatusNotFound {
		t.Errorf("another reads an unshared query's runs: %d", code)
	}

	// Changes at the same version at once: one wins, the others are CONFLICT.
	statuses := make(chan int, 8)
	var wg sync.WaitGroup
	for i := range cap(statuses) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPatch, e.srv.URL+"/analytics/queries/weekly", strings.NewReader(fmt.Sprintf(`{"version": 3, "description": "racer %d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for code := range statuses {
		if code == http.StatusOK {
			won++
		} else if code != http.StatusConflict {
			t.Errorf("a change at once: %d", code)
		}
	}
	if q := listed(e.token); won != 1 || q == nil || q.Version != 4 {
		t.Errorf("changes at once: %d won, now %+v; want 1, at version 4", won, q)
	}

	// Deleted: gone with its runs; a run by name is NOT_FOUND; the name saved again starts afresh.
	if code, b := call(http.MethodGet, "/analytics/queries/weekly/runs", e.token, ""); code != http.StatusOK || !strings.Contains(b, `"runner":"43"`) {
		t.Fatalf("runs before delete: %d %s", code, b)
	}
	if code, b := call(http.MethodDelete, "/analytics/queries/weekly", e.token, ""); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, b)
	}
	if code, b := run(e.token); code != http.StatusNotFound || errorCode(t, b) != "NOT_FOUND" {
		t.Errorf("run after delete: %d %s", code, b)
	}
	if q := listed(e.token); q != nil {
		t.Errorf("listed after delete: %+v", q)
	}
	if code, b := call(http.MethodDelete, "/analytics/queries/weekly", e.token, ""); code != http.StatusNotFound {
		t.Errorf("delete twice: %d %s", code, b)
	}
	if code, b := call(http.MethodPost, "/analytics/queries", e.token, save); code != http.StatusCreated {
		t.Fatalf("save again: %d %s", code, b)
	}
	if code, b := call(http.MethodGet, "/analytics/queries/weekly/runs", e.token, ""); code != http.StatusOK || !strings.Contains(b, `"runs":[]`) {
		t.Errorf("runs of the name saved again: %d %s", code, b)
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
