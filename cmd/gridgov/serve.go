package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"gridgov/observe"
	"gridgov/server"
	"gridgov/store"
	"gridgov/warehouse"
)

func cmdServe(ctx context.Context, a *app, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: gridgov serve (configured by environment variables)")
	}
	pool, err := store.Open(ctx, a.cfg.PGURL, a.cfg.PGMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	wh, err := warehouse.Dial(warehouse.Options{Addr: a.cfg.CHAddr, Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword})
	if err != nil {
		return err
	}
	defer wh.Close()
	reg := observe.NewRegistry()
	handler := server.New(server.Deps{Pool: pool, Log: a.log, Dev: a.cfg.Development(), Registry: reg,
		MetricsElsewhere: a.cfg.MetricsListen != "", Warehouse: wh})
	servers := []*http.Server{{Addr: a.cfg.Listen, Handler: handler, ReadHeaderTimeout: 10 * time.Second}}
	if a.cfg.MetricsListen != "" {
		servers = append(servers, &http.Server{Addr: a.cfg.MetricsListen, Handler: server.Metrics(reg), ReadHeaderTimeout: 10 * time.Second})
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
	return shutdown(ctx, a, servers)
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
