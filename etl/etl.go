// Package etl copies gridgov's operational data from Postgres into the ClickHouse warehouse,
// exactly and incrementally.
//
// Why it is exact: every replicated row carries row_xid, the transaction that last wrote it. A
// run reads in one REPEATABLE READ transaction, takes pg_current_snapshot(), and extracts the
// rows with row_xid >= the previous run's horizon; after ClickHouse acknowledged a table's
// batches it stores the new horizon, pg_snapshot_xmin() of this run's snapshot. A transaction
// still open when a run started (it may commit later, with rows an updated_at watermark would
// miss) has an xid at or above that xmin, so the next run extracts its rows. Rows extracted
// twice are harmless: the warehouse tables are ReplacingMergeTree(version), so a re-load
// deduplicates, and a run killed at any point converges on the next one. Hard deletes reach
// the warehouse through etl_tombstones as rows with is_deleted = 1 and the highest version.
//
// One ETL runs at a time per Postgres database (an advisory lock); the others wait or stop
// with a clear message. Rows stream from a pgx cursor into clickhouse-go batches, so memory
// stays bounded whatever the table size: values are decoded from pgx's raw bytes straight
// into typed columns (columns.go), and a loader goroutine sends one batch while the next is
// extracted (sink.go), at most two batches in memory.
package etl

import (
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/warehouse"
)

// Options tunes an ETL. The zero value of every field has a sensible default.
type Options struct {
	Database  string         // ClickHouse database of the warehouse
	BatchSize int            // rows per ClickHouse batch; default 50,000
	Pseudo    *Pseudonymizer // default: keyed with DevPseudonymKey
	Metrics   *Metrics       // nil: no metrics
	Log       *slog.Logger   // nil: discard
	Progress  io.Writer      // progress of full loads; nil: none
	Tables    []string       // warehouse tables to copy; default all
	Wait      bool           // wait for another ETL to finish instead of failing
	// MaxAttempts bounds the tries of one run on retryable errors; default 8.
	MaxAttempts int
	// Backoff is the first pause after a retryable error, doubled each time up to 30 s;
	// default 500 ms.
	Backoff time.Duration
	// Hook, when set, is called at named points of a run (see Point); an error it returns
	// stops the run there, as a crash would. Tests inject crashes with it.
	Hook func(p Point, table string) error
	// SummaryEvery spaces the rebuilds of the indicators' summary tables: a run within this
	// long of the last rebuild leaves them (their snapshot, and so the indicators' asOf, stays
	// truthful), which keeps follow mode's lag low. 0 rebuilds after every run.
	SummaryEvery time.Duration
	// Cluster, when the warehouse is on a ClickHouse cluster (warehouse.Cluster): the ETL
	// writes through the Distributed tables of ch, and each node rebuilds its summaries from
	// its own copy of their sources.
	Cluster *warehouse.Cluster
}

// Point is a place in a run where Hook is called.
type Point string

// The points of a run, in order, for each table.
const (
	AfterSnapshot   Point = "after-snapshot"   // snapshot taken, nothing extracted yet (table "")
	AfterBatch      Point = "after-batch"      // one batch acknowledged, more may follow
	AfterLoad       Point = "after-load"       // every batch of the table acknowledged, checkpoint not stored
	AfterCheckpoint Point = "after-checkpoint" // checkpoint of the table stored
	AfterSwap       Point = "after-swap"       // resync: new table swapped in, checkpoint not stored
)

// ETL copies Postgres into the warehouse.
type ETL struct {
	pg          *pgxpool.Pool
	ch          *warehouse.Client
	opt         Options
	lastSummary time.Time // when the summaries were last refreshed by this process
}

// New prepares an ETL from pg into the warehouse ch.
func New(pg *pgxpool.Pool, ch *warehouse.Client, opt Options) *ETL {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 50_000
	}
	if opt.Pseudo == nil {
		opt.Pseudo = NewPseudonymizer(DevPseudonymKey)
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 500 * time.Millisecond
	}
	if opt.Database == "" {
		opt.Database = ch.Database
	}
	return &ETL{pg: pg, ch: ch, opt: opt}
}

func (e *ETL) hook(p Point, table string) error {
	if e.opt.Hook == nil {
		return nil
	}
	return e.opt.Hook(p, table)
}

// tables resolves Options.Tables.
func (e *ETL) tables() ([]Table, error) {
	if len(e.opt.Tables) == 0 {
		return Tables, nil
	}
	var out []Table
	for _, n := range e.opt.Tables {
		t, ok := TableNamed(n)
		if !ok {
			return nil, errUnknownTable(n)
		}
		out = append(out, t)
	}
	return out, nil
}
