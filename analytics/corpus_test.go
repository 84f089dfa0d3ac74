package analytics_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"gridgov/analytics"
	"gridgov/warehouse"
)

// attempt is one entry of testdata/bypass.txt (its first lines say the format).
type attempt struct {
	name       string
	line       int
	want       string // accept, or the code Check answers
	clickhouse string // accept, refuse, refuse NNN, or - (not sent)
	sql        string // with {other} and {probe} in place of names (see the file's preamble)
}

func loadCorpus(t *testing.T) []attempt {
	t.Helper()
	raw, err := os.ReadFile("testdata/bypass.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []attempt
	var cur *attempt
	var body []string
	inBody := false
	finish := func() {
		if cur == nil {
			return
		}
		if inBody {
			cur.sql = strings.TrimRight(strings.Join(body, "\n"), "\n")
		}
		if cur.want == "" || cur.clickhouse == "" || cur.sql == "" {
			t.Fatalf("bypass.txt:%d (%s): want, clickhouse and the SQL are all needed", cur.line, cur.name)
		}
		out = append(out, *cur)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		if name, ok := strings.CutPrefix(line, "=== "); ok {
			finish()
			cur, body, inBody = &attempt{name: name, line: i + 1}, nil, false
			continue
		}
		switch {
		case cur == nil: // the file's preamble
		case inBody:
			body = append(body, line)
		case line == "---":
			inBody = true
		case strings.HasPrefix(line, "want: "):
			cur.want = strings.TrimPrefix(line, "want: ")
		case strings.HasPrefix(line, "clickhouse: "):
			cur.clickhouse = strings.TrimPrefix(line, "clickhouse: ")
		case strings.HasPrefix(line, "quoted: "):
			if cur.sql, err = strconv.Unquote(strings.TrimPrefix(line, "quoted: ")); err != nil {
				t.Fatalf("bypass.txt:%d: quoted: %v", i+1, err)
			}
		case line != "":
			t.Fatalf("bypass.txt:%d: unknown header %q", i+1, line)
		}
	}
	finish()
	return out
}

// with puts names in place of {other} (a database) and {probe} (a table).
func (a attempt) with(other, probe string) string {
	return strings.NewReplacer("{other}", other, "{probe}", probe).Replace(a.sql)
}

// TestCorpusAgainstChecker runs every attempt of the corpus through Check.
func TestCorpusAgainstChecker(t *testing.T) {
	corpus := loadCorpus(t)
	if len(corpus) < 100 {
		t.Errorf("the corpus has %d attempts; it only grows", len(corpus))
	}
	for _, a := range corpus {
		err := analytics.Check(a.with("gridgov_other", "probe"), "gridgov")
		got := "accept"
		var e analytics.Error
		if errors.As(err, &e) {
			got = e.Code
		} else if err != nil {
			t.Fatalf("%s: Check returned %T, want analytics.Error", a.name, err)
		}
		if got != a.want {
			t.Errorf("bypass.txt:%d %s: Check says %s (%v), want %s\n%s", a.line, a.name, got, err, a.want, a.sql)
		}
	}
}

// Every worked example of the data dictionary passes the checker: statisticians copy them.
func TestExamplesPassTheChecker(t *testing.T) {
	for _, ex := range warehouse.Examples {
		if err := analytics.Check(ex.SQL, "gridgov"); err != nil {
			t.Errorf("example %q: %v", ex.Title, err)
		}
	}
}

// The checker answers with the status and code of each kind of refusal.
func TestCheckStatuses(t *testing.T) {
	for _, c := range []struct {
		sql    string
		status int
		code   string
	}{
		{"DROP TABLE dim_date", 403, analytics.CodeReadOnly},
		{"SELECT 1 SETTINGS readonly = 0", 403, analytics.CodeReadOnly},
		{"SELECT 1; SELECT 2", 400, analytics.CodeMultipleStatements},
		{"SELECT * FROM system.processes", 403, "FORBIDDEN"},
		{"SELECT * FROM numbers(10)", 403, "FORBIDDEN"},
		{"SELECT 1 FORMAT JSON", 400, "BAD_USER_INPUT"},
		{"SELECT 'abc", 400, "BAD_USER_INPUT"},
		{"  -- nothing\n", 400, "BAD_USER_INPUT"},
	} {
		var e analytics.Error
		if err := analytics.Check(c.sql, "gridgov"); !errors.As(err, &e) || e.Status != c.status || e.Code != c.code || e.Message == "" {
			t.Errorf("Check(%q) = %#v; want %d %s with a message", c.sql, err, c.status, c.code)
		}
	}
	if err := analytics.Check("SELECT * FROM warehouse2.dim_date", "warehouse2"); err != nil {
		t.Errorf("the warehouse database is the one given: %v", err)
	}
}
