// Package server assembles gridgov's HTTP surface: health and readiness probes, the GraphQL
// endpoint (with GraphiQL in development mode) and its limits, files sent to it in multipart
// requests, evidence downloads, report exports, the dashboard, statisticians' SQL and saved
// queries and, where configured, the metrics. It holds routing and cross-cutting middleware
// only; the work is done by the packages it mounts.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/dashboard"
	"gridgov/evidence"
	"gridgov/graphiql"
	"gridgov/observe"
	"gridgov/realtime"
	"gridgov/resolvers"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/webhook"
)

// Deps are what the server needs from the outside.
type Deps struct {
	Pool *pgxpool.Pool
	// Replica, when set, takes the API's reads while it is fresh (store.Replica).
	Replica *store.Replica
	Log     *slog.Logger
	// Dev serves the GraphQL explorer (GraphiQL, embedded) at /graphiql; off in production.
	Dev bool
	// Registry receives the server's metrics; a new one is made when nil.
	Registry *prometheus.Registry
	// MetricsOnAPI serves /metrics on this handler, without a token; by default it is absent
	// here (404) and served on a listener of its own (GRIDGOV_METRICS_LISTEN).
	MetricsOnAPI bool
	// Warehouse is ClickHouse, reported by /readyz but not required; nil when not configured.
	Warehouse Pinger
	// Keys verify the bearer tokens of /graphql: without a valid token only the health
	// endpoints (and /metrics, with MetricsOnAPI) answer.
	Keys auth.Keys
	// Limits bound each GraphQL request; DefaultLimits when zero.
	Limits Limits
	// AllowList, when set, serves only its registered operations.
	AllowList *AllowList
	// CORSOrigins may call /graphql from a browser; none by default.
	CORSOrigins []string
	// Indicators answer the indicators field from the warehouse; nil: WAREHOUSE_UNAVAILABLE.
	Indicators resolvers.IndicatorReader
	// Analytics serves POST /analytics/sql for statisticians; nil: not mounted.
	Analytics http.Handler
	// Evidence keeps the bytes of attached evidence, served at /evidence/{id}; nil: neither
	// attached nor served.
	Evidence evidence.Blobs
	// Realtime serves GraphQL subscriptions over WebSocket on /graphql; nil: none.
	Realtime *realtime.Hub
	// WebhookGuard checks the addresses of webhook endpoints when they are registered.
	WebhookGuard webhook.Guard
	// Reports is the warehouse reader the report exports are built from (/reports/...); nil:
	// not mounted.
	Reports *warehouse.Reader
}

// Pinger is what readiness needs of the warehouse.
type Pinger interface {
	Ping(ctx context.Context) error
}

// New builds the HTTP handler. Every route is counted, timed and logged under its pattern,
// and every request gets an id, returned in X-Request-Id.
func New(d Deps) http.Handler {
	if d.Registry == nil {
		d.Registry = observe.NewRegistry()
	}
	httpm := observe.NewHTTP(d.Registry, d.Log)
	gqlm := observe.NewGraphQL(d.Registry)
	observe.RegisterPool(d.Registry, d.Pool)
	mux := http.NewServeMux()
	route := func(pattern string, h http.Handler) {
		name := pattern
		if _, path, ok := strings.Cut(pattern, " "); ok {
			name = path
		}
		mux.Handle(pattern, httpm.Wrap(name, h))
	}
	route("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	}))
	route("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := readiness(r.Context(), d.Pool, d.Warehouse)
		writeJSON(w, status, body)
	}))
	st := store.New(d.Pool).WithReplica(d.Replica)
	evm := observe.NewEvidence(d.Registry)
	route("/graphql", cors(GraphQL(Options{Store: st, Log: d.Log, Metrics: gqlm, Keys: d.Keys, Dev: d.Dev,
		Limits: d.Limits, AllowList: d.AllowList, Indicators: d.Indicators, Evidence: d.Evidence, EvidenceMetrics: evm,
		Realtime: d.Realtime, Origins: d.CORSOrigins, WebhookGuard: d.WebhookGuard}), d.CORSOrigins))
	authn := authenticator(st, d.Keys, nil, gqlm)
	route("/graphql/schema", cors(onlyGet(authn.Middleware(sdlHandler()), gqlm), d.CORSOrigins))
	if d.Evidence != nil {
		for _, thumb := range []bool{false, true} {
			pattern := "/evidence/{id}"
			if thumb {
				pattern += "/thumbnail"
			}
			route(pattern, cors(onlyGet(authn.Middleware(evidenceFiles(st, d.Evidence, evm, gqlm, d.Log, thumb)), gqlm), d.CORSOrigins))
		}
	}
	if d.Reports != nil {
		mountReports(route, d, st, authn, gqlm)
	}
	if d.Analytics != nil {
		route("/analytics/sql", longWrite(d.Analytics, AnalyticsWriteTimeout))
		route("/analytics/queries", d.Analytics)  // saved queries: save and list
		route("/analytics/queries/", d.Analytics) // a saved query: its runs, update, delete
	}
	route("GET /dashboard", dashboard.Handler())
	route("GET /dashboard/", dashboard.Handler())
	if d.Dev {
		route("GET /graphiql", graphiql.Handler())
		route("GET /graphiql/", graphiql.Handler())
	}
	if d.MetricsOnAPI {
		route("GET /metrics", Metrics(d.Registry))
	}
	route("/", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found"})
	}))
	return secureHeaders(trackWrites(mux))
}

// trackWrites gives every request the flag that sends its reads to the primary once it has
// written (store.TrackWrites).
func trackWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(store.TrackWrites(r.Context())))
	})
}

// onlyGet refuses every method but GET and HEAD with 405 (a CORS preflight is answered
// before, by cors).
func onlyGet(next http.Handler, m *observe.GraphQL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeGraphQLError(w, r, m, http.StatusMethodNotAllowed, apperr.BadUserInput, "use GET")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// AnalyticsWriteTimeout bounds the answer of POST /analytics/sql, which streams up to the
// statistician profile's max_result_rows as ClickHouse reads them, past the server's write
// timeout (which the GraphQL answers, held until complete, fit well within).
const AnalyticsWriteTimeout = 10 * time.Minute

// longWrite gives next's answers a write deadline of d from the start of the request, in
// place of the server's.
func longWrite(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Where the writer cannot move its deadline (a test's recorder), the server's stays.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
		next.ServeHTTP(w, r)
	})
}

// Metrics serves the registry in the Prometheus exposition format.
func Metrics(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// Profiler serves Go's runtime profiles (net/http/pprof) for an operator or a benchmark to
// read under load. It holds nothing but the profiler, for a listener of its own: the profiles
// show code paths and timings, so they are never served beside the API.
func Profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// readiness reports whether Postgres answers and carries every migration this binary knows.
// ClickHouse is reported too, but the API is ready without it: only indicators need it.
func readiness(ctx context.Context, pool *pgxpool.Pool, wh Pinger) (int, map[string]any) {
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
	body := map[string]any{"ready": status == http.StatusOK, "postgres": pg}
	if wh != nil {
		ch := map[string]any{"ok": true, "required": false}
		if err := wh.Ping(ctx); err != nil {
			ch["ok"], ch["error"] = false, "unreachable"
		}
		body["clickhouse"] = ch
	}
	return status, body
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}
