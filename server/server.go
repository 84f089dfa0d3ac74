// Package server assembles gridgov's HTTP surface: health and readiness probes now, and the
// GraphQL endpoint, metrics and dashboard as they are added. It holds routing and
// cross-cutting middleware only; the work is done by the packages it mounts.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/store"
)

// Deps are what the server needs from the outside.
type Deps struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
}

// New builds the HTTP handler.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		status, body := readiness(r.Context(), d.Pool)
		writeJSON(w, status, body)
	})
	return mux
}

// readiness reports whether Postgres answers and carries every migration this binary knows.
func readiness(ctx context.Context, pool *pgxpool.Pool) (int, map[string]any) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	pg := map[string]any{"ok": true}
	all, err := store.MigrationStatus(ctx, pool)
	switch {
	case err != nil:
		pg = map[string]any{"ok": false, "error": "unreachable or unreadable"}
	default:
		pending := 0
		for _, m := range all {
			if m.AppliedAt == nil {
				pending++
			}
		}
		if pending > 0 {
			pg = map[string]any{"ok": false, "error": "migrations pending", "pending": pending}
		}
	}
	status := http.StatusOK
	if pg["ok"] != true {
		status = http.StatusServiceUnavailable
	}
	return status, map[string]any{"ready": status == http.StatusOK, "postgres": pg}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}
