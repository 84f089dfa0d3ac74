package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"gridgov/server"
	"gridgov/store"
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
	srv := &http.Server{Handler: server.New(server.Deps{Pool: pool, Log: a.log})}
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on GRIDGOV_LISTEN=%s: %w", a.cfg.Listen, err)
	}
	a.log.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
