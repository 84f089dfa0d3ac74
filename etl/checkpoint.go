package etl

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/warehouse"
)

// snapshot is the Postgres snapshot a run reads from.
type snapshot struct {
	text string    // pg_current_snapshot() as text: xmin:xmax:xip,...
	xmin uint64    // the horizon the next run starts from
	at   time.Time // when it was taken
}

// takeSnapshot starts the run's REPEATABLE READ transaction; its first statement fixes the
// snapshot that every extraction of the run then reads.
func takeSnapshot(ctx context.Context, tx pgx.Tx) (snapshot, error) {
	var s snapshot
	var xmin string
	err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text, pg_snapshot_xmin(pg_current_snapshot())::text, clock_timestamp()`).
		Scan(&s.text, &xmin, &s.at)
	if err != nil {
		return s, fmt.Errorf("take snapshot: %w", err)
	}
	if s.xmin, err = strconv.ParseUint(xmin, 10, 64); err != nil {
		return s, fmt.Errorf("take snapshot: xmin %q: %w", xmin, err)
	}
	return s, nil
}

// Checkpoint is the state of one warehouse table's copy.
type Checkpoint struct {
	Table         string
	Loaded        bool   // false until the first successful load
	Horizon       uint64 // rows with row_xid >= Horizon are extracted next
	Snapshot      string
	SnapshotAt    time.Time // the copy is fresh as of this time
	LastSuccessAt time.Time
	RowsLastRun   int64
	RowsTotal     int64
	LastError     string
	LastErrorAt   time.Time
}

// Lag is how far the copy is behind Postgres at now.
func (c Checkpoint) Lag(now time.Time) time.Duration {
	if !c.Loaded {
		return 0
	}
	return now.Sub(c.SnapshotAt)
}

func readCheckpoints(ctx context.Context, pool *pgxpool.Pool) (map[string]Checkpoint, error) {
	rows, err := pool.Query(ctx, `SELECT table_name, horizon::text, snapshot, snapshot_at, last_success_at,
		rows_last_run, rows_total, coalesce(last_error, ''), coalesce(last_error_at, 'epoch')
		FROM etl_checkpoints`)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	out := map[string]Checkpoint{}
	for rows.Next() {
		var c Checkpoint
		var horizon string
		if err := rows.Scan(&c.Table, &horizon, &c.Snapshot, &c.SnapshotAt, &c.LastSuccessAt,
			&c.RowsLastRun, &c.RowsTotal, &c.LastError, &c.LastErrorAt); err != nil {
			return nil, fmt.Errorf("read checkpoints: %w", err)
		}
		if c.Horizon, err = strconv.ParseUint(horizon, 10, 64); err != nil {
			return nil, fmt.Errorf("read checkpoints: horizon %q of %s: %w", horizon, c.Table, err)
		}
		c.Loaded = true
		out[c.Table] = c
	}
	return out, rows.Err()
}

// saveCheckpoint records that table holds everything up to snap. It only moves a horizon
// forward. A full reload (resync) restarts the table's row total.
func saveCheckpoint(ctx context.Context, pool *pgxpool.Pool, table string, snap snapshot, rows int64, full bool) error {
	_, err := pool.Exec(ctx, `INSERT INTO etl_checkpoints AS c
			(table_name, horizon, snapshot, snapshot_at, last_success_at, rows_last_run, rows_total)
		VALUES ($1, $2::text::xid8, $3, $4, now(), $5, $5)
		ON CONFLICT (table_name) DO UPDATE SET
			horizon = EXCLUDED.horizon, snapshot = EXCLUDED.snapshot, snapshot_at = EXCLUDED.snapshot_at,
			last_success_at = now(), rows_last_run = EXCLUDED.rows_last_run,
			rows_total = CASE WHEN $6 THEN EXCLUDED.rows_total ELSE c.rows_total + EXCLUDED.rows_last_run END,
			last_error = NULL, last_error_at = NULL
		WHERE c.horizon <= EXCLUDED.horizon`,
		table, strconv.FormatUint(snap.xmin, 10), snap.text, snap.at, rows, full)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", table, err)
	}
	return nil
}

// saveFailure notes why a table's load failed, for `etl status`. A table never loaded has no
// row to note it in; the log and the failures metric still say.
func saveFailure(ctx context.Context, pool *pgxpool.Pool, table string, cause error) {
	pool.Exec(ctx, `UPDATE etl_checkpoints SET last_error = $2, last_error_at = now() WHERE table_name = $1`, //nolint:errcheck // best effort: Postgres may be what failed
		table, cause.Error())
}

// CheckpointAsOf gives the time as of which the warehouse holds everything committed in
// Postgres to tables: the oldest snapshot_at among their checkpoints. A checkpoint is stored
// only after ClickHouse acknowledged its table's rows, so the copy is at least that fresh.
// While any of tables has never been loaded there is no such time, and the answer is
// WAREHOUSE_UNAVAILABLE. The warehouse's reader gets it injected (warehouse.AsOfFunc): the
// checkpoints are the ETL's record of progress, kept in Postgres.
func CheckpointAsOf(pool *pgxpool.Pool, tables []string) warehouse.AsOfFunc {
	return func(ctx context.Context) (time.Time, error) {
		var n int
		var at *time.Time
		err := pool.QueryRow(ctx, `SELECT count(*), min(snapshot_at) FROM etl_checkpoints WHERE table_name = ANY($1)`,
			tables).Scan(&n, &at)
		if err != nil {
			return time.Time{}, fmt.Errorf("read etl checkpoints: %w", err)
		}
		if n < len(tables) || at == nil {
			return time.Time{}, apperr.New(apperr.WarehouseUnavailable, "the warehouse has not been loaded yet (gridgov etl run)")
		}
		return *at, nil
	}
}

// Status lists the checkpoint of every table, loaded or not, in the order of Tables.
func Status(ctx context.Context, pool *pgxpool.Pool) ([]Checkpoint, error) {
	cps, err := readCheckpoints(ctx, pool)
	if err != nil {
		return nil, err
	}
	out := make([]Checkpoint, 0, len(Tables))
	for _, t := range Tables {
		c, ok := cps[t.Name]
		if !ok {
			c = Checkpoint{Table: t.Name}
		}
		out = append(out, c)
	}
	return out, nil
}
