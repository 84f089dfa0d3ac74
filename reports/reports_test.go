package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/gid"
	"gridgov/reports"
	"gridgov/seed"
	"gridgov/server"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// seedAsOf is the demo city's as-of date in these tests.
var seedAsOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// world is the demo city at scale 1 in Postgres, copied into a warehouse by one ETL run, and
// the API serving both.
type world struct {
	pg   *pgxpool.Pool
	r    *warehouse.Reader
	src  reports.Source
	keys auth.Keys
	h    http.Handler
}

func newWorld(t testing.TB, scale int) world {
	t.Helper()
	ctx := context.Background()
	w := world{pg: dbtest.New(t)}
	ch := whtest.New(t)
	began := time.Now()
	if _, err := seed.Run(ctx, w.pg, seed.Options{Profile: "chaohu", Seed: 1, Scale: scale, AsOf: seedAsOf}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if _, err := etl.New(w.pg, ch, etl.Options{Database: ch.Database}).RunOnce(ctx); err != nil {
		t.Fatalf("etl: %v", err)
	}
	t.Logf("seeded at scale %d and loaded in %s", scale, time.Since(began).Round(time.Millisecond))
	w.r = warehouse.NewReader(ch, ch.Database, warehouse.ReaderOptions{AsOf: etl.CheckpointAsOf(w.pg, warehouse.IndicatorTables)})
	w.src = reports.Source{Warehouse: w.r, Store: store.New(w.pg)}
	var err error
	if w.keys, err = auth.LoadKeys("HS256", "reports-test-secret-of-at-least-32-bytes", "", "", "gridgov", "gridgov", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	w.h = server.New(server.Deps{Pool: w.pg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: w.keys,
		Indicators: w.r, Reports: w.r})
	return w
}

func (w world) token(t testing.TB, role, scope string) string {
	t.Helper()
	var person string
	if err := w.pg.QueryRow(context.Background(), `SELECT min(id)::text FROM people`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	tok, err := w.keys.Issue(role, scope, person, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get answers GET path with the token.
func (w world) get(t *testing.T, tok, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// graphql answers a query with the token, failing on an error.
func (w world) graphql(t *testing.T, tok, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("graphql: %d %s", rec.Code, rec.Body.String())
	}
	return out.Data
}

func export(kind, scope, period, format string) string {
	return "/reports/export?" + url.Values{"kind": {kind}, "scope": {scope}, "period": {period}, "format": {format}}.Encode()
}

// cell is a cell as openpyxl reads it: its value (dates in ISO form), type (n, s, d) and number
// format.
type cell struct {
	V any    `json:"v"`
	T string `json:"t"`
	F string `json:"f"`
}

var python = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("../scripts/openpyxl.sh").Output()
	return strings.TrimSpace(string(out)), err
})

// readBack reads a workbook with openpyxl, a reader independent of the library that wrote it:
// sheet names in order, and each sheet's cells by row.
func readBack(t *testing.T, xlsx []byte) ([]string, map[string][][]cell) {
	t.Helper()
	py, err := python()
	if err != nil {
		t.Fatalf("scripts/openpyxl.sh: %v", err)
	}
	file := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(file, xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	const script = `
import datetime, json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def c(x):
    v = x.value
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = v.isoformat()
    return {"v": v, "t": x.data_type, "f": x.number_format}
json.dump({"names": wb.sheetnames, "cells": {ws.title: [[c(x) for x in row] for row in ws.iter_rows()] for ws in wb.worksheets}}, sys.stdout, ensure_ascii=False)
`
	out, err := exec.Command(py, "-c", script, file).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got struct {
		Names []string
		Cells map[string][][]cell
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got.Names, got.Cells
}

// at resolves a path of the GraphQL answer (checkins.rate), adding up a list's elements
// (orders.serviceHours.hours is the sum over the quarters).
func at(v any, path string) any {
	head, rest, _ := strings.Cut(path, ".")
	switch x := v.(type) {
	case []any:
		var sum float64
		for _, e := range x {
			if n, ok := at(e, path).(float64); ok {
				sum += n
			}
		}
		return sum
	case map[string]any:
		if rest == "" {
			return x[head]
		}
		return at(x[head], rest)
	}
	return nil
}

// selection writes the GraphQL selection of paths: a.b, a.c → a { b c }.
func selection(paths []string) string {
	tree := map[string][]string{}
	var order []string
	for _, p := range paths {
		head, rest, _ := strings.Cut(p, ".")
		if _, ok := tree[head]; !ok {
			order = append(order, head)
		}
		if rest != "" {
			tree[head] = append(tree[head], rest)
		} else {
			tree[head] = tree[head][:0:0]
		}
	}
	var b strings.Builder
	for _, f := range order {
		b.WriteString(f)
		if sub := tree[f]; len(sub) > 0 {
			b.WriteString(" { " + selection(sub) + " }")
		}
		b.WriteString(" ")
	}
	return b.String()
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// number is a cell's value as a number; ok false when the cell holds none.
func number(c cell) (float64, bool) {
	f, ok := c.V.(float64)
	return f, ok && c.T == "n"
}

// checkHead checks the heading every sheet starts with: the place, the period's days as dates
// and the time of the data.
func checkHead(t *testing.T, sheet string, rows [][]cell, place string, from, to string) {
	t.Helper()
	if len(rows) < reports.HeadRows+1 {
		t.Fatalf("%s: %d rows", sheet, len(rows))
	}
	if rows[1][0].V != "范围" || rows[1][1].V != place {
		t.Errorf("%s: place row %v, want %s", sheet, rows[1], place)
	}
	if rows[2][0].V != "期间" || rows[2][1].T != "d" || rows[2][1].V != from+"T00:00:00" || rows[2][2].V != to+"T00:00:00" {
		t.Errorf("%s: period row %+v, want dates %s to %s", sheet, rows[2], from, to)
	}
	if rows[3][0].V != "数据截至" || rows[3][1].T != "d" {
		t.Errorf("%s: as-of row %+v, want a date and time", sheet, rows[3])
	}
}

// TestReports runs every check on one demo city: seeding and loading it is the slow part.
func TestReports(t *testing.T) {
	w := newWorld(t, 1)
	t.Run("export", func(t *testing.T) { testExports(t, w) })
	t.Run("scheduled", func(t *testing.T) { testScheduled(t, w) })
}

// testExports exports the demo city's reports through GET /reports/export, reads the
// workbooks back with openpyxl, and checks every figure against the API's own answer for the
// same scope and period (indicators, unitScorecard, gridLedger), and the CSV against the
// workbook.
func testExports(t *testing.T, w world) {
	admin := w.token(t, "city_admin", "city")

	t.Run("monthly", func(t *testing.T) {
		rec := w.get(t, admin, export("monthly", "city", "2026-10", "xlsx"))
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
		}
		if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename=gridgov-monthly-city-2026-10.xlsx` {
			t.Errorf("Content-Disposition %q", cd)
		}
		names, cells := readBack(t, rec.Body.Bytes())
		if want := []string{"概况", "分区", "问题分类", "活动", "志愿队伍", "单位报到"}; strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("sheets %v, want %v", names, want)
		}
		summary := cells["概况"]
		var paths []string
		for _, row := range summary[reports.HeadRows+1:] {
			paths = append(paths, row[3].V.(string))
		}
		data := w.graphql(t, admin, `query($p: PeriodInput!) { indicators(scope: "city", period: $p) { scope { name } `+selection(paths)+
			` breakdown { scope { name } checkins { expected checkedIn } issues { reported resolvedOnTime } orders { posted } } } }`,
			map[string]any{"p": map[string]any{"kind": "MONTH", "year": 2026, "month": 10}})
		ind := data["indicators"].(map[string]any)
		checkHead(t, "概况", summary, ind["scope"].(map[string]any)["name"].(string), "2026-10-01", "2026-10-31")
		for _, row := range summary[reports.HeadRows+1:] {
			path := row[3].V.(string)
			want, got := at(ind, path), row[2]
			if want == nil {
				if got.V != nil {
					t.Errorf("%s (%s): %v, want an empty cell", row[1].V, path, got.V)
				}
				continue
			}
			n, ok := number(got)
			if !ok || !near(n, want.(float64)) {
				t.Errorf("%s (%s): %+v, want %v", row[1].V, path, got, want)
			}
			if strings.HasSuffix(path, "Rate") || strings.HasSuffix(path, ".rate") {
				if !strings.Contains(got.F, "%") {
					t.Errorf("%s: format %q, want a percentage", path, got.F)
				}
			}
		}
		if len(summary) < reports.HeadRows+30 {
			t.Errorf("summary holds %d rows", len(summary))
		}
		// The breakdown: one row per street, as the indicators' breakdown, and the rest.
		parts := cells["分区"][reports.HeadRows+1:]
		bd := ind["breakdown"].([]any)
		if len(parts) != len(bd)+1 {
			t.Fatalf("breakdown: %d rows, want %d", len(parts), len(bd)+1)
		}
		for i, b := range bd {
			for col, path := range map[int]string{0: "scope.name", 1: "checkins.expected", 2: "checkins.checkedIn", 4: "issues.reported",
				6: "issues.resolvedOnTime", 9: "orders.posted"} {
				want, got := at(b, path), parts[i][col].V
				if f, ok := want.(float64); ok {
					if n, _ := number(parts[i][col]); !near(n, f) {
						t.Errorf("breakdown %d %s: %v, want %v", i, path, got, want)
					}
				} else if got != want {
					t.Errorf("breakdown %d %s: %v, want %v", i, path, got, want)
				}
			}
		}

		// The same report as CSV: a byte-order mark, and the summary's figures as the workbook's.
		rec = w.get(t, admin, export("monthly", "city", "2026-10", "csv"))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		body, ok := strings.CutPrefix(rec.Body.String(), "\uFEFF")
		if !ok {
			t.Fatal("csv: no byte-order mark")
		}
		r := csv.NewReader(strings.NewReader(body))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		figures := map[string]string{}
		for _, rec := range records {
			if len(rec) == 4 {
				figures[rec[3]] = rec[2]
			}
		}
		for _, row := range summary[reports.HeadRows+1:] {
			path := row[3].V.(string)
			if want := at(ind, path); want == nil && figures[path] != "" || want != nil && figures[path] == "" {
				t.Errorf("csv %s: %q, want %v", path, figures[path], want)
			}
		}
		if figures["接口字段"] != "数值" || records[2][1] != "2026-10-01" {
			t.Errorf("csv heading: %v / %v", records[2], figures["接口字段"])
		}
	})

	t.Run("ledger", func(t *testing.T) {
		var gridID int64
		if err := w.pg.QueryRow(context.Background(), `SELECT grid_id FROM service_records WHERE served_on >= '2026-07-01' AND served_on < '2026-10-01'
			AND grid_id IS NOT NULL AND deleted_at IS NULL GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT 1`).Scan(&gridID); err != nil {
			t.Fatal(err)
		}
		grid := gid.Encode("Grid", gridID)
		rec := w.get(t, admin, export("ledger", grid, "2026-Q3", "xlsx"))
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
		}
		_, cells := readBack(t, rec.Body.Bytes())
		data := w.graphql(t, admin, `query($g: ID!, $p: PeriodInput!) { indicators(scope: $g, period: $p) { orders { serviceHours { records hours } } }
			gridLedger(gridId: $g, year: 2026, quarter: 3) { totalHours entries { name hours records { id } } } }`,
			map[string]any{"g": grid, "p": map[string]any{"kind": "QUARTER", "year": 2026, "quarter": 3}})
		ind := data["indicators"].(map[string]any)
		summary := cells["概况"][reports.HeadRows+1:]
		records, hours := at(ind, "orders.serviceHours.records").(float64), at(ind, "orders.serviceHours.hours").(float64)
		if n, _ := number(summary[0][2]); n != records || records == 0 {
			t.Errorf("records %v, want the indicators' %v", summary[0][2].V, records)
		}
		if n, _ := number(summary[1][2]); math.Abs(n-hours) > 0.005 {
			t.Errorf("hours %v, want the indicators' %v", summary[1][2].V, hours)
		}
		detail := cells["服务台账"][reports.HeadRows+1:]
		if float64(len(detail)) != records {
			t.Errorf("%d detail rows, want %v", len(detail), records)
		}
		if detail[0][1].T != "d" || !strings.HasPrefix(detail[0][1].V.(string), "2026-0") {
			t.Errorf("served on: %+v, want a date", detail[0][1])
		}
		entries := data["gridLedger"].(map[string]any)["entries"].([]any)
		totals := cells["党员合计"][reports.HeadRows+1:]
		if len(totals) != len(entries) {
			t.Fatalf("%d members, the gridLedger query %d", len(totals), len(entries))
		}
		for i, e := range entries {
			e := e.(map[string]any)
			if n, _ := number(totals[i][2]); totals[i][0].V != e["name"] || !near(n, e["hours"].(float64)) {
				t.Errorf("member %d: %v %v, want %v %v", i, totals[i][0].V, totals[i][2].V, e["name"], e["hours"])
			}
		}
	})

	t.Run("scorecard", func(t *testing.T) {
		rec := w.get(t, admin, export("scorecard", "city", "2025", "xlsx"))
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
		}
		_, cells := readBack(t, rec.Body.Bytes())
		lines := cells["单位评分"][reports.HeadRows+1:]
		byName := map[string][]cell{}
		for _, l := range lines {
			byName[l[0].V.(string)] = l
		}
		data := w.graphql(t, admin, `{ unitScorecard(year: 2025) { unit { name } members checkedIn serviceHours good score } }`, nil)
		units := data["unitScorecard"].([]any)
		if len(units) == 0 {
			t.Fatal("no unit scored")
		}
		for _, u := range units {
			u := u.(map[string]any)
			name := at(u, "unit.name").(string)
			l := byName[name]
			if l == nil {
				t.Errorf("unit %s missing", name)
				continue
			}
			for col, f := range map[int]string{1: "members", 2: "checkedIn", 4: "serviceHours", 6: "good", 11: "score"} {
				if n, _ := number(l[col]); !near(n, u[f].(float64)) {
					t.Errorf("unit %s %s: %v, want %v", name, f, l[col].V, u[f])
				}
			}
		}
	})

	t.Run("scope", func(t *testing.T) {
		var streets []int64
		rows, err := w.pg.Query(context.Background(), `SELECT id FROM streets WHERE deleted_at IS NULL ORDER BY id LIMIT 2`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id) //nolint:errcheck
			streets = append(streets, id)
		}
		own, other := gid.Encode("Street", streets[0]), gid.Encode("Street", streets[1])
		var unit int64
		if err := w.pg.QueryRow(context.Background(), `SELECT min(id) FROM units`).Scan(&unit); err != nil {
			t.Fatal(err)
		}
		leader := w.token(t, "leader", own)
		cases := []struct {
			name, tok, path string
			status          int
			code            string
		}{
			{"own street", leader, export("monthly", own, "2026-10", "csv"), http.StatusOK, ""},
			{"own street's quarter", leader, export("monthly", own, "2026-Q3", "csv"), http.StatusOK, ""},
			{"own street's year", leader, export("monthly", own, "2026", "xlsx"), http.StatusOK, ""},
			{"another street", leader, export("monthly", other, "2026-10", "xlsx"), http.StatusNotFound, "NOT_FOUND"},
			{"the city", leader, export("monthly", "city", "2026-10", "xlsx"), http.StatusNotFound, "NOT_FOUND"},
			{"an unknown street", admin, export("monthly", gid.Encode("Street", 999999), "2026-10", "xlsx"), http.StatusNotFound, "NOT_FOUND"},
			{"a bad period", admin, export("monthly", "city", "2026-13", "xlsx"), http.StatusBadRequest, "BAD_USER_INPUT"},
			{"a ledger of a street", admin, export("ledger", own, "2026-Q3", "xlsx"), http.StatusBadRequest, "BAD_USER_INPUT"},
			{"a bad format", admin, export("monthly", "city", "2026-10", "pdf"), http.StatusBadRequest, "BAD_USER_INPUT"},
			{"a unit's admin", w.token(t, "unit_admin", gid.Encode("Unit", unit)), export("monthly", "city", "2026-10", "xlsx"), http.StatusForbidden, "FORBIDDEN"},
			{"no token", "", export("monthly", "city", "2026-10", "xlsx"), http.StatusUnauthorized, "UNAUTHENTICATED"},
		}
		for _, c := range cases {
			rec := w.get(t, c.tok, c.path)
			if rec.Code != c.status {
				t.Errorf("%s: %d, want %d (%s)", c.name, rec.Code, c.status, rec.Header().Get("Content-Type"))
				continue
			}
			if c.code == "" {
				continue
			}
			var e struct {
				Errors []struct{ Extensions struct{ Code string } }
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || len(e.Errors) != 1 || e.Errors[0].Extensions.Code != c.code {
				t.Errorf("%s: %s, want code %s", c.name, rec.Body.String(), c.code)
			}
		}
	})
}
