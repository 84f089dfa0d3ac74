package etl

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/warehouse"
)

// Resync reloads tables in full (Options.Tables, default all) without downtime for readers:
// each is loaded into a staging copy from one snapshot, swapped in by one RENAME, and its
// checkpoint set to that snapshot. Use it after a warehouse table was damaged or its DDL
// changed in a way an incremental run cannot fill in.
func (e *ETL) Resync(ctx context.Context) (Summary, error) {
	if e.opt.Cluster != nil {
		// A staging copy of a Distributed table would write into the live local tables.
		return Summary{}, fmt.Errorf("resync: not on a cluster; drop the table on every node, migrate and reset its checkpoint instead")
	}
	l, err := e.lock(ctx)
	if err != nil {
		return Summary{}, err
	}
	defer l.release()
	tables, err := e.tables()
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Started: time.Now()}
	for _, t := range tables {
		r, err := e.resyncWithRetry(ctx, l, t)
		s.Tables = append(s.Tables, r)
		if err != nil {
			return s, err
		}
	}
	s.Duration = time.Since(s.Started)
	return s, nil
}

func (e *ETL) resyncWithRetry(ctx context.Context, l *lease, t Table) (TableResult, error) {
	pause := e.opt.Backoff
	for attempt := 1; ; attempt++ {
		r, err := e.resyncTable(ctx, l, t)
		if err == nil || !retryable(err) || attempt >= e.opt.MaxAttempts {
			if err != nil && e.opt.Metrics != nil {
				e.opt.Metrics.Failures.WithLabelValues("fatal").Inc()
			}
			return r, err
		}
		if e.opt.Metrics != nil {
			e.opt.Metrics.Failures.WithLabelValues("retryable").Inc()
		}
		e.opt.Log.Warn("resync failed; retrying", "table", t.Name, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, 30*time.Second)
	}
}

func (e *ETL) resyncTable(ctx context.Context, l *lease, t Table) (TableResult, error) {
	r := TableResult{Table: t.Name, Full: true}
	start := time.Now()
	if err := l.check(ctx); err != nil {
		return r, err
	}
	db := e.opt.Database
	staging, old := t.Name+"__resync", t.Name+"__old"
	p, err := e.newPlan(ctx, t)
	if err != nil {
		return r, err
	}
	for _, q := range warehouse.StagingStatements(db, t.Name, staging) {
		if err := e.ch.Exec(ctx, q); err != nil {
			return r, fmt.Errorf("resync %s: %w", t.Name, err)
		}
	}
	tx, err := e.pg.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return r, fmt.Errorf("resync %s: begin: %w", t.Name, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	snap, err := takeSnapshot(ctx, tx)
	if err != nil {
		return r, err
	}
	sk := e.newSink(ctx, p, t.Name, p.insertSQL(db, staging))
	defer sk.abort()
	// From horizon 0 every live and soft-deleted row; hard-deleted rows are simply absent.
	if err := e.extract(ctx, tx, p, 0, true, sk); err != nil {
		return r, err
	}
	if err := sk.flush(); err != nil {
		return r, err
	}
	r.Rows = sk.loaded.Load()
	if err := e.hook(AfterLoad, t.Name); err != nil {
		return r, err
	}
	for _, q := range warehouse.SwapStatements(db, t.Name, staging, old) {
		if err := e.ch.Exec(ctx, q); err != nil {
			return r, fmt.Errorf("resync %s: swap: %w", t.Name, err)
		}
	}
	if err := e.hook(AfterSwap, t.Name); err != nil {
		return r, err
	}
	// Crashing before this line is safe: the old horizon is lower, so the next run only
	// re-extracts rows the new table already has.
	if err := saveCheckpoint(ctx, e.pg, t.Name, snap, sk.loaded.Load(), true); err != nil {
		return r, err
	}
	r.Duration = time.Since(start)
	return r, e.hook(AfterCheckpoint, t.Name)
}
