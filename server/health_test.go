package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/server"
	"gridgov/warehouse"
)

func get(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: not JSON: %q", path, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	return rec.Code, body
}

// TestHealthAndReadiness: /healthz answers while the process lives; /readyz only when
// Postgres answers and every migration is applied.
func TestHealthAndReadiness(t *testing.T) {
	pool := dbtest.New(t)
	h := server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if code, body := get(t, h, "/healthz"); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("/healthz = %d %v", code, body)
	}
	if code, body := get(t, h, "/readyz"); code != http.StatusOK || body["ready"] != true {
		t.Errorf("/readyz on a migrated database = %d %v", code, body)
	}
	// A migration missing from the database makes the server unready.
	if _, err := pool.Exec(context.Background(), `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || body["ready"] != false {
		t.Errorf("/readyz with a pending migration = %d %v", code, body)
	}
	pool.Close()
	if code, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Postgres gone = %d", code)
	}
}

// TestReadinessReportsClickHouse: ClickHouse is reported, and its absence does not make the
// API unready (only indicators need it).
func TestReadinessReportsClickHouse(t *testing.T) {
	pool := dbtest.New(t)
	cfg, err := config.From(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		addr string
		up   bool
	}{{cfg.CHAddr, true}, {"127.0.0.1:1", false}} {
		wh, err := warehouse.Dial(warehouse.Options{Addr: c.addr, Database: "gridgov", User: cfg.CHUser, Password: cfg.CHPassword})
		if err != nil {
			t.Fatal(err)
		}
		defer wh.Close()
		h := server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Warehouse: wh})
		code, body := get(t, h, "/readyz")
		ch, _ := body["clickhouse"].(map[string]any)
		if code != http.StatusOK || ch == nil || ch["ok"] != c.up {
			t.Errorf("ClickHouse at %s (up=%v): /readyz = %d %v", c.addr, c.up, code, body)
		}
	}
}
