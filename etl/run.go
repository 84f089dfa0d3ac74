package etl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func errUnknownTable(name string) error {
	return fmt.Errorf("no replicated table %q (see `gridgov etl status` for the list)", name)
}

// TableResult is what one run did to one table.
type TableResult struct {
	Table      string
	Full       bool  // a full load: the table had no checkpoint (or was resynced)
	Rows       int64 // rows loaded, tombstones included
	Tombstones int64
	Duration   time.Duration
}

// Summary is the result of one run.
type Summary struct {
	Snapshot string
	Started  time.Time
	Duration time.Duration
	Tables   []TableResult
}

// Rows is the number of rows the run loaded.
func (s Summary) Rows() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Rows
	}
	return n
}

// Write prints the rows per table and rows per second, busiest tables first.
func (s Summary) Write(w io.Writer) {
	ts := append([]TableResult(nil), s.Tables...)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Rows > ts[j].Rows })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\trows\tdeleted\tseconds\trows/s\t")
	for _, t := range ts {
		if t.Rows == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.0f\t\n", t.Table, t.Rows, t.Tombstones, t.Duration.Seconds(), rate(t.Rows, t.Duration))
	}
	fmt.Fprintf(tw, "total\t%d\t\t%.2f\t%.0f\t\n", s.Rows(), s.Duration.Seconds(), rate(s.Rows(), s.Duration))
	tw.Flush()
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// RunOnce brings the warehouse up to date with Postgres once: it takes the lock (or fails
// with ErrLocked, or waits with Options.Wait), runs, retrying transient failures with backoff
// from the last checkpoints, and releases the lock.
func (e *ETL) RunOnce(ctx context.Context) (Summary, error) {
	l, err := e.lock(ctx)
	if err != nil {
		return Summary{}, err
	}
	defer l.release()
	return e.runWithRetry(ctx, l)
}

// Follow runs again and again, interval apart, until ctx ends. A failed run is reported and
// the next one resumes from the checkpoints; only losing the lock to another ETL stops it.
func (e *ETL) Follow(ctx context.Context, interval time.Duration, each func(Summary, error)) error {
	l, err := e.lock(ctx)
	if err != nil {
		return err
	}
	defer func() { l.release() }()
	var last time.Time
	for {
		if err := l.check(ctx); err != nil {
			l.release()
			if l, err = e.lock(ctx); err != nil {
				return err
			}
		}
		s, err := e.runWithRetry(ctx, l)
		if err == nil {
			last = s.Started
		}
		if ctx.Err() != nil {
			return nil
		}
		if each != nil {
			each(s, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
		if m := e.opt.Metrics; m != nil && !last.IsZero() {
			m.Lag.Set(time.Since(last).Seconds())
		}
	}
}

func (e *ETL) lock(ctx context.Context) (*lease, error) {
	l, err := acquire(ctx, e.pg, e.opt.Wait, func(msg string, args ...any) { e.opt.Log.Info(msg, args...) })
	if err != nil && errors.Is(err, ErrLocked) && e.opt.Metrics != nil {
		e.opt.Metrics.Failures.WithLabelValues("locked").Inc()
	}
	return l, err
}

// runWithRetry runs until success, a non-retryable error, or MaxAttempts.
func (e *ETL) runWithRetry(ctx context.Context, l *lease) (Summary, error) {
	pause := e.opt.Backoff
	for attempt := 1; ; attempt++ {
		s, err := e.run(ctx, l)
		if err == nil {
			return s, nil
		}
		kind := "fatal"
		if retryable(err) && ctx.Err() == nil {
			kind = "retryable"
		}
		if m := e.opt.Metrics; m != nil {
			m.Failures.WithLabelValues(kind).Inc()
		}
		if kind == "fatal" || attempt >= e.opt.MaxAttempts {
			return s, fmt.Errorf("etl run (attempt %d): %w", attempt, err)
		}
		e.opt.Log.Warn("etl run failed; retrying from the checkpoints", "attempt", attempt, "pause", pause, "err", err)
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, 30*time.Second)
		if err := l.check(ctx); err != nil {
			// The lock's session died with the connection; take the lock again.
			l.release()
			nl, err := e.lock(ctx)
			if err != nil {
				return s, err
			}
			*l = *nl
		}
	}
}

// run is one pass over the tables from one snapshot.
func (e *ETL) run(ctx context.Context, l *lease) (Summary, error) {
	s := Summary{Started: time.Now()}
	tables, err := e.tables()
	if err != nil {
		return s, err
	}
	if err := l.check(ctx); err != nil {
		return s, err
	}
	cps, err := readCheckpoints(ctx, e.pg)
	if err != nil {
		return s, err
	}
	tx, err := e.pg.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s, fmt.Errorf("begin extraction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	snap, err := takeSnapshot(ctx, tx)
	if err != nil {
		return s, err
	}
	s.Snapshot = snap.text
	if err := e.hook(AfterSnapshot, ""); err != nil {
		return s, err
	}
	for _, t := range tables {
		cp := cps[t.Name]
		r, err := e.copyTable(ctx, tx, t, cp.Horizon, !cp.Loaded, snap)
		s.Tables = append(s.Tables, r)
		if err != nil {
			saveFailure(context.WithoutCancel(ctx), e.pg, t.Name, err)
			return s, err
		}
	}
	if err := e.refreshSummaries(ctx); err != nil {
		return s, err
	}
	s.Duration = time.Since(s.Started)
	if m := e.opt.Metrics; m != nil {
		m.LastSuccess.Set(float64(time.Now().Unix()))
		m.Lag.Set(time.Since(snap.at).Seconds())
	}
	return s, nil
}

// copyTable loads the rows of t written at or after horizon, then its tombstones, and
// checkpoints the table once ClickHouse acknowledged all of them.
func (e *ETL) copyTable(ctx context.Context, tx pgx.Tx, t Table, horizon uint64, full bool, snap snapshot) (TableResult, error) {
	r := TableResult{Table: t.Name, Full: full}
	start := time.Now()
	p, err := e.newPlan(ctx, t)
	if err != nil {
		return r, err
	}
	sk := e.newSink(ctx, p, t.Name, p.insertSQL(e.opt.Database, t.Name))
	defer sk.abort()
	if err := e.extract(ctx, tx, p, horizon, full, sk); err != nil {
		return r, err
	}
	n, err := e.tombstones(ctx, tx, p, horizon, sk)
	if err != nil {
		return r, err
	}
	r.Tombstones = n
	if err := sk.flush(); err != nil {
		return r, err
	}
	r.Rows, r.Duration = sk.loaded.Load(), time.Since(start)
	if err := e.hook(AfterLoad, t.Name); err != nil {
		return r, err
	}
	if err := saveCheckpoint(ctx, e.pg, t.Name, snap, sk.loaded.Load(), false); err != nil {
		return r, err
	}
	return r, e.hook(AfterCheckpoint, t.Name)
}

// extract streams the changed rows of a table into the sink.
func (e *ETL) extract(ctx context.Context, tx pgx.Tx, p *plan, horizon uint64, full bool, sk *sink) error {
	h := strconv.FormatUint(horizon, 10)
	var prog *progress
	if full && e.opt.Progress != nil {
		total, err := p.estimate(ctx, tx, h)
		if err != nil {
			return fmt.Errorf("extract %s: count: %w", p.table.Name, err)
		}
		prog = newProgress(e.opt.Progress, sk.table, total)
		defer prog.done()
	}
	rows, err := tx.Query(ctx, p.extractSQL(), h)
	if err != nil {
		return fmt.Errorf("extract %s: %w", p.table.Name, err)
	}
	defer rows.Close()
	var (
		decs []decoder
		fds  []pgconn.FieldDescription
		m    = tx.Conn().TypeMap()
		k    = e.opt.Pseudo.keyer()
		n    int64
	)
	for rows.Next() {
		raw := rows.RawValues()
		if decs == nil {
			fds = rows.FieldDescriptions()
			if len(fds) != len(p.specs) {
				return fmt.Errorf("extract %s: internal: %d fields for %d columns", p.table.Name, len(fds), len(p.specs))
			}
			decs = make([]decoder, len(fds))
			for i := range fds {
				decs[i] = decoderFor(&p.specs[i], fds[i], m, k)
			}
		}
		b := sk.buf()
		for i, v := range raw {
			c, spec := &b.cols[i], &p.specs[i]
			var err error
			switch {
			case v != nil:
				err = decs[i](c, v)
			case spec.nullable:
				c.putNull(spec)
			default:
				err = fmt.Errorf("NULL in a column that is not Nullable(%s)", spec.base)
			}
			if err != nil {
				return p.rowError(i, raw, fds, m, err)
			}
		}
		if err := sk.rowDone(); err != nil {
			return err
		}
		n++
		if prog != nil && n%4096 == 0 {
			prog.update(n)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("extract %s: %w", p.table.Name, err)
	}
	if prog != nil {
		prog.total = n // the bar ends on the exact count, whatever the estimate was
		prog.update(n)
	}
	if m := e.opt.Metrics; m != nil {
		m.RowsExtracted.WithLabelValues(p.table.Name).Add(float64(n))
	}
	return nil
}

// tombstones loads a deleted row for every hard delete at or after horizon.
func (e *ETL) tombstones(ctx context.Context, tx pgx.Tx, p *plan, horizon uint64, sk *sink) (int64, error) {
	rows, err := tx.Query(ctx, tombstoneSQL, p.table.Source, strconv.FormatUint(horizon, 10))
	if err != nil {
		return 0, fmt.Errorf("extract tombstones of %s: %w", p.table.Source, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return n, fmt.Errorf("extract tombstones of %s: %w", p.table.Source, err)
		}
		if err := p.tombstone(id, sk.buf()); err != nil {
			return n, err
		}
		if err := sk.rowDone(); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("extract tombstones of %s: %w", p.table.Source, err)
	}
	if m := e.opt.Metrics; m != nil {
		m.RowsExtracted.WithLabelValues(p.table.Name).Add(float64(n))
	}
	return n, nil
}
