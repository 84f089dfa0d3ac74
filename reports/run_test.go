package reports_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gridgov/gid"
	"gridgov/reports"
	"gridgov/scheduler"
	"gridgov/store"
	"gridgov/warehouse"
)

// testScheduled generates the monthly reports of every place: two runs at once keep each
// once, a run again skips them all, a run cancelled midway resumes where it stopped, a month
// the warehouse does not hold to its end is refused, the scheduler's step generates the
// previous month's; then a street's leader lists their places' reports in GraphQL and
// downloads them, and no other's.
func testScheduled(t *testing.T, w world) {
	ctx := context.Background()
	places, err := w.src.Store.ReportPlaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := func(period string) (n int) {
		t.Helper()
		if err := w.pg.QueryRow(ctx, `SELECT count(*) FROM generated_reports WHERE period = $1`, period).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("once", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]reports.RunResult, 2)
		errs := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = w.src.Run(ctx, warehouse.Month(2026, 10), nil)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if got := results[0].Generated + results[1].Generated; got != len(places) {
			t.Errorf("two runs generated %d, want %d places once", got, len(places))
		}
		if n := count("2026-10"); n != len(places) {
			t.Errorf("%d reports kept, want %d", n, len(places))
		}
		again, err := w.src.Run(ctx, warehouse.Month(2026, 10), nil)
		if err != nil || again.Generated != 0 || again.Skipped != len(places) {
			t.Errorf("run again: %+v %v, want all %d skipped", again, err, len(places))
		}
	})

	t.Run("resume", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_, err := w.src.Run(cctx, warehouse.Month(2026, 9), func(done, _ int, _ string, _ bool, _ time.Duration) {
			if done == 3 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled run: %v", err)
		}
		if n := count("2026-09"); n != 3 {
			t.Fatalf("%d reports kept by the cancelled run, want 3", n)
		}
		var seen []string
		res, err := w.src.Run(ctx, warehouse.Month(2026, 9), func(done, total int, place string, generated bool, _ time.Duration) {
			if done <= 3 && generated {
				t.Errorf("%d/%d %s generated again", done, total, place)
			}
			seen = append(seen, place)
		})
		if err != nil || res.Generated != len(places)-3 || res.Skipped != 3 || len(seen) != len(places) {
			t.Errorf("resumed: %+v %v (%d places heard of), want %d generated and 3 skipped", res, err, len(seen), len(places)-3)
		}
	})

	t.Run("not current", func(t *testing.T) {
		if _, err := w.src.Run(ctx, warehouse.Month(2099, 1), nil); !errors.Is(err, reports.ErrNotCurrent) {
			t.Errorf("a month not over: %v, want ErrNotCurrent", err)
		}
	})

	t.Run("scheduler", func(t *testing.T) {
		shanghai := time.FixedZone("CST", 8*3600)
		s := &scheduler.Scheduler{Store: store.New(w.pg), Reports: w.src.Step,
			Now: func() time.Time { return time.Date(2026, 9, 1, 6, 0, 0, 0, shanghai) }}
		changed, err := s.Tick(ctx)
		if err != nil || changed["monthly_reports"] != len(places) || count("2026-08") != len(places) {
			t.Errorf("first of September: %v %v, want the %d reports of August", changed, err, len(places))
		}
		if changed, err := s.Tick(ctx); err != nil || changed["monthly_reports"] != 0 {
			t.Errorf("next tick: %v %v, want none", changed, err)
		}
	})

	t.Run("download", func(t *testing.T) {
		street := *places[1].StreetID
		own := gid.Encode("Street", street)
		leader := w.token(t, "leader", own)
		data := w.graphql(t, leader, `{ generatedReports(period: "2026-10", kind: MONTHLY) { id kind scope period asOf xlsxUrl csvUrl xlsxBytes } }`, nil)
		list := data["generatedReports"].([]any)
		var inStreet int
		for _, p := range places {
			if p.StreetID != nil && *p.StreetID == street {
				inStreet++
			}
		}
		if len(list) != inStreet {
			t.Fatalf("the leader lists %d reports, want the %d of their street and its communities", len(list), inStreet)
		}
		var streetReport map[string]any
		for _, r := range list {
			r := r.(map[string]any)
			if r["scope"] == own {
				streetReport = r
			}
			if r["kind"] != "MONTHLY" || r["period"] != "2026-10" || r["xlsxBytes"].(float64) <= 0 {
				t.Errorf("report %v", r)
			}
		}
		if streetReport == nil {
			t.Fatalf("no report of the street %s among %v", own, list)
		}
		rec := w.get(t, leader, streetReport["xlsxUrl"].(string))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download: %d %s", rec.Code, rec.Header())
		}
		if names, _ := readBack(t, rec.Body.Bytes()); len(names) == 0 || names[0] != "概况" {
			t.Errorf("kept workbook's sheets: %v", names)
		}
		kept := w.get(t, leader, streetReport["csvUrl"].(string))
		fresh := w.get(t, leader, export("monthly", own, "2026-10", "csv"))
		if kept.Code != http.StatusOK || kept.Body.String() != fresh.Body.String() {
			t.Errorf("the kept CSV (%d, %d bytes) differs from the export of the same place and month (%d bytes)", kept.Code, kept.Body.Len(), fresh.Body.Len())
		}
		// Another street's report: out of scope, as absent.
		admin := w.token(t, "city_admin", "city")
		all := w.graphql(t, admin, `{ generatedReports(period: "2026-10") { scope xlsxUrl } }`, nil)["generatedReports"].([]any)
		if len(all) != len(places) {
			t.Errorf("the city admin lists %d, want %d", len(all), len(places))
		}
		other := gid.Encode("Street", *places[2].StreetID)
		for _, r := range all {
			r := r.(map[string]any)
			if r["scope"] == other {
				if rec := w.get(t, leader, r["xlsxUrl"].(string)); rec.Code != http.StatusNotFound {
					t.Errorf("another street's report: %d, want 404", rec.Code)
				}
				if rec := w.get(t, admin, r["xlsxUrl"].(string)); rec.Code != http.StatusOK {
					t.Errorf("the city admin's download: %d", rec.Code)
				}
			}
		}
		if rec := w.get(t, leader, "/reports/files/"+gid.Encode("GeneratedReport", 1<<40)); rec.Code != http.StatusNotFound {
			t.Errorf("an unknown report: %d, want 404", rec.Code)
		}
	})
}
