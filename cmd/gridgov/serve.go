package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/analytics"
	"gridgov/auth"
	"gridgov/config"
	"gridgov/etl"
	"gridgov/evidence"
	"gridgov/observe"
	"gridgov/realtime"
	"gridgov/server"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/webhook"
)

// openEvidence opens the configured evidence store: the S3 bucket, else the directory.
func openEvidence(ctx context.Context, c config.Config) (evidence.Blobs, error) {
	if c.EvidenceS3URL != "" {
		return evidence.OpenS3(ctx, evidence.S3Options{URL: c.EvidenceS3URL, Region: c.EvidenceS3Region,
			AccessKey: c.EvidenceS3Access, SecretKey: c.EvidenceS3Secret})
	}
	return evidence.OpenDir(c.EvidenceDir)
}

// limitsOf gives the request limits the configuration sets.
func limitsOf(c config.Config) server.Limits {
	return server.Limits{MaxBodyBytes: c.MaxBodyBytes, MaxDepth: c.MaxDepth, MaxComplexity: c.MaxComplexity, MaxTokens: c.MaxTokens,
		MaxFields: c.MaxFields, Timeout: c.RequestTimeout, RateLimit: c.RateLimit, RateBurst: c.RateBurst, APQCache: c.APQCache,
		MaxFileBytes: c.MaxFileBytes, MaxFiles: c.MaxFiles}
}

func cmdServe(ctx context.Context, a *app, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: gridgov serve (configured by environment variables)")
	}
	tuneGC(a)
	pool, err := store.Open(ctx, a.cfg.PGURL, a.cfg.PGMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	replica, err := openReplica(a)
	if err != nil {
		return err
	}
	if replica != nil {
		defer replica.Pool.Close()
	}
	wh, err := warehouse.Dial(warehouse.Options{Addr: a.cfg.CHAddr, Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword})
	if err != nil {
		return err
	}
	defer wh.Close()
	keys, err := auth.LoadKeys(a.cfg.JWTAlg, a.cfg.JWTSecret, a.cfg.JWTPublicKey, a.cfg.JWTPrivateKey,
		a.cfg.JWTAudience, a.cfg.JWTIssuer, a.cfg.JWTLeeway)
	if err != nil {
		return err
	}
	keys.Private = nil // the API only verifies
	var allow *server.AllowList
	if a.cfg.AllowList != "" {
		if allow, err = server.LoadAllowList(a.cfg.AllowList); err != nil {
			return err
		}
		a.log.Info("allow-list mode", "operations", allow.Len())
	}
	files, err := openEvidence(ctx, a.cfg)
	if err != nil {
		return err
	}
	reg := observe.NewRegistry()
	indicators, analyticsHandler, closeStat, err := warehouseServices(a, pool, wh, keys, reg)
	if err != nil {
		return err
	}
	defer closeStat()
	scheduleCtx, stopScheduler := context.WithCancel(ctx)
	defer stopScheduler()
	hub := startRealtime(scheduleCtx, a, pool, reg)
	guard := webhook.Guard{Allow: a.cfg.WebhookAllow}
	go newWebhookWorker(a, pool, reg, guard).Run(scheduleCtx) //nolint:errcheck // it returns only when ctx ends
	handler := server.New(server.Deps{Pool: pool, Realtime: hub, WebhookGuard: guard, Log: a.log, Dev: a.cfg.Development(), Registry: reg,
		MetricsOnAPI: a.cfg.MetricsListen == config.MetricsOnAPI, Warehouse: wh, Keys: keys, AllowList: allow, CORSOrigins: a.cfg.CORSOrigins,
		Indicators: indicators, Analytics: analyticsHandler, Reports: indicators,
		Limits: limitsOf(a.cfg), Evidence: files, Replica: replica})
	scheduleInServe(scheduleCtx, a, pool, reg, indicators)
	servers := []*http.Server{apiServer(a.cfg, handler)}
	if addr := a.cfg.MetricsAddress(); addr != "" {
		servers = append(servers, sideServer(addr, server.Metrics(reg)))
	}
	if a.cfg.DebugListen != "" {
		// No write timeout: a CPU profile or trace is written after the seconds it samples.
		debug := sideServer(a.cfg.DebugListen, server.Profiler())
		debug.WriteTimeout = 0
		servers = append(servers, debug)
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", srv.Addr, err)
		}
		a.log.Info("serving", "addr", ln.Addr().String(), "mode", a.cfg.Mode)
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return errors.Join(shutdown(ctx, a, servers), goAway(ctx, a, hub))
}

// goAway closes the subscribers' WebSocket connections, which http.Server.Shutdown leaves
// open, with 1001 (going away), waiting for them within the shutdown timeout: their clients
// reconnect to another process.
func goAway(ctx context.Context, a *app, hub *realtime.Hub) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	return hub.GoAway(sctx)
}

// startRealtime runs the hub that hands the outbox's events to this process's subscribers,
// until ctx ends.
func startRealtime(ctx context.Context, a *app, pool *pgxpool.Pool, reg *prometheus.Registry) *realtime.Hub {
	hub := realtime.NewHub(pool, a.log, reg, realtime.Limits{PerConnection: a.cfg.RealtimePerConnection,
		PerToken: a.cfg.RealtimePerToken, Buffer: a.cfg.RealtimeBuffer})
	go hub.Run(ctx) //nolint:errcheck // it returns only when ctx ends
	return hub
}

// newWebhookWorker makes the webhook worker with the configured retry window and the run of
// failures that disables an endpoint.
func newWebhookWorker(a *app, pool *pgxpool.Pool, reg *prometheus.Registry, guard webhook.Guard) *webhook.Worker {
	w := webhook.NewWorker(pool, a.log, reg, guard)
	w.MaxAge, w.DisableAfter = a.cfg.WebhookRetryWindow, a.cfg.WebhookDisableAfter
	return w
}

// apiServer is the API's http.Server with the configured connection limits: a client that
// sends its headers or its body too slowly is cut off (ReadHeaderTimeout, ReadTimeout), an
// answer the client does not read in time is abandoned (WriteTimeout; POST /analytics/sql
// moves its own deadline), idle keep-alive connections are closed (IdleTimeout), and the
// request line and headers are bounded (MaxHeaderBytes).
func apiServer(cfg config.Config, h http.Handler) *http.Server {
	return &http.Server{Addr: cfg.Listen, Handler: h, ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, MaxHeaderBytes: cfg.MaxHeaderBytes}
}

// sideServer serves metrics or the profiler on a listener of their own, with fixed limits:
// their clients are a scraper and an operator, and their requests carry no body.
func sideServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
}

// serveGCPercent is the API's GOGC. A request allocates a lot that is garbage once it is
// answered (≈0.3 MB for a console page of 50 issues on the API's executor, 1.6 MB on gqlgen's)
// while the live heap stays small (tens of MiB), so with Go's default GOGC=100 the collector
// runs many times a second under load. GOGC=400 lets the heap grow to five times the live
// heap between collections; the soft memory limit (GRIDGOV_MEMORY_LIMIT) keeps the process
// inside its memory budget, since past it the collector runs as often as it must.
// docs/benchmarks.md ("GraphQL API") has the measurement.
const serveGCPercent = 400

// tuneGC applies serveGCPercent and GRIDGOV_MEMORY_LIMIT, unless the operator has set Go's
// own GOGC or GOMEMLIMIT: then the runtime's settings stand alone.
func tuneGC(a *app) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(serveGCPercent)
	debug.SetMemoryLimit(a.cfg.MemoryLimit)
	a.log.Debug("gc tuned", "gogc", serveGCPercent, "memory_limit_bytes", a.cfg.MemoryLimit)
}

// shutdown stops accepting, lets in-flight requests finish within the configured deadline,
// and only then returns, so the deferred pool close comes last.
func shutdown(ctx context.Context, a *app, servers []*http.Server) error {
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", srv.Addr, err))
		}
	}
	return errors.Join(errs...)
}

// warehouseServices builds what the API reads from ClickHouse: indicators (as the ETL's user)
// and statisticians' SQL (as the read-only user, whose profile carries the limits). Neither
// connects at start: ClickHouse may be down, and then only these fail.
func warehouseServices(a *app, pool *pgxpool.Pool, wh *warehouse.Client, keys auth.Keys, reg *prometheus.Registry) (
	*warehouse.Reader, http.Handler, func(), error) {
	m := warehouse.NewMetrics(reg)
	reader := warehouse.NewReader(wh, a.cfg.CHDatabase, warehouse.ReaderOptions{Metrics: m, AsOf: etl.CheckpointAsOf(pool, warehouse.IndicatorTables)})
	stat, err := warehouse.Dial(warehouse.Options{Addr: a.cfg.CHAddr, Database: a.cfg.CHDatabase, User: "statistician",
		Password: a.cfg.CHStatPassword, DefaultDatabase: a.cfg.CHDatabase})
	if err != nil {
		return nil, nil, nil, err
	}
	h := analytics.Handler(analytics.Options{Warehouse: stat, Keys: keys, Metrics: m, Log: a.log, Pool: pool})
	return reader, h, func() { stat.Close() }, nil
}

// openReplica makes the pool of the read replica, when GRIDGOV_PG_READ_URL names one, without
// waiting for it to answer: until it does, reads go to the primary.
func openReplica(a *app) (*store.Replica, error) {
	if a.cfg.PGReadURL == "" {
		return nil, nil
	}
	pool, err := pgxpool.New(context.Background(), a.cfg.PGReadURL)
	if err != nil {
		return nil, fmt.Errorf("read replica: %w", err)
	}
	return &store.Replica{Pool: pool, MaxLag: a.cfg.PGReadMaxLag}, nil
}
