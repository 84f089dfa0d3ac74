package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/config"
	"gridgov/observe"
	"gridgov/reports"
	"gridgov/scheduler"
	"gridgov/server"
	"gridgov/store"
	"gridgov/warehouse"
)

// cmdWorker runs the scheduler of the issue register's time-driven steps until stopped, with
// /metrics on GRIDGOV_METRICS_LISTEN when that is an address.
func cmdWorker(ctx context.Context, a *app, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: gridgov worker (configured by environment variables)")
	}
	pool, err := store.Open(ctx, a.cfg.PGURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	reg := observe.NewRegistry()
	if addr := a.cfg.MetricsAddress(); addr != "" {
		srv := sideServer(addr, server.Metrics(reg))
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				a.log.Error("worker metrics", "err", err)
			}
		}()
		defer srv.Close()
	}
	reader, closeReader, err := indicatorReader(a, pool)
	if err != nil {
		return err
	}
	defer closeReader()
	a.log.Info("worker: scheduling", "interval", a.cfg.SchedulerEvery)
	return newScheduler(a, pool, reg, reader).Run(ctx)
}

// newScheduler is the scheduler of the configuration, its metrics on reg; with the warehouse's
// reader it generates the monthly reports too.
func newScheduler(a *app, pool *pgxpool.Pool, reg prometheus.Registerer, wh *warehouse.Reader) *scheduler.Scheduler {
	st := store.New(pool)
	s := &scheduler.Scheduler{Store: st, Log: a.log, Interval: a.cfg.SchedulerEvery}
	if wh != nil {
		s.Reports = reports.Source{Warehouse: wh, Store: st}.Step
	}
	s.Register(reg)
	return s
}

// scheduleInServe starts the scheduler beside the API when the configuration puts it there;
// it stops with ctx.
func scheduleInServe(ctx context.Context, a *app, pool *pgxpool.Pool, reg prometheus.Registerer, wh *warehouse.Reader) {
	if a.cfg.Scheduler != config.SchedulerInServe {
		return
	}
	s := newScheduler(a, pool, reg, wh)
	go s.Run(ctx) //nolint:errcheck // Run logs its failures and returns nil when ctx ends
}
