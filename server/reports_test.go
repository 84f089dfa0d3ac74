package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"gridgov/dbtest"
)

// The statisticians' handler answers the saved queries' paths as well as /analytics/sql, and
// the report routes exist only with a warehouse to build reports from (package reports tests
// them through the server with one).
func TestAnalyticsAndReportRoutes(t *testing.T) {
	mark := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })
	h := New(Deps{Pool: dbtest.New(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Analytics: mark})
	for path, want := range map[string]int{
		"/analytics/sql":                http.StatusAccepted,
		"/analytics/queries":            http.StatusAccepted,
		"/analytics/queries/echo/runs":  http.StatusAccepted,
		"/reports/export?kind=monthly":  http.StatusNotFound,
		"/reports/files/R2VuZXJhdGVkUm": http.StatusNotFound,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
	for _, method := range []string{http.MethodPatch, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/analytics/queries/echo", nil))
		if rec.Code != http.StatusAccepted {
			t.Errorf("%s /analytics/queries/echo: %d, want the statisticians' handler", method, rec.Code)
		}
	}
}
