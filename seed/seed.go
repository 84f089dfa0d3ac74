// Package seed generates the demo city: a deterministic, plausible Chaohu whose data reproduce
// the figures published in the source report (shared/domain/FIGURES.md) when counted, and,
// with a scale factor, tens of millions of rows for benchmarks.
//
// Rows are streamed into Postgres with COPY in chunks. Each chunk commits together with a
// bookkeeping row, so an interrupted seed resumes at the first unfinished chunk; every entity
// draws from its own random stream (see rowRand), so a resumed seed writes exactly what an
// uninterrupted one would have.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/evidence"
)

// Options choose what to generate.
type Options struct {
	Profile  string    // only "chaohu" for now
	Seed     uint64    // random seed: the same seed (and AsOf) gives the same data
	Scale    int       // multiplies people and events; 1 reproduces the published figures
	AsOf     time.Time // the data spans the two years before this date
	Reset    bool      // empty every table first
	Progress io.Writer // progress and summary; nil for none
	// Evidence is the store the photos of the evidence rows are written to: the one the API
	// serves from. Nil writes the rows only, for a database whose photos are not served
	// (they can be written later: a run over a finished seed writes them again).
	Evidence evidence.Blobs
}

// TableStat is how many rows one table received and how long it took.
type TableStat struct {
	Table   string
	Rows    int64
	Elapsed time.Duration
}

// Summary reports a seeding run.
type Summary struct {
	Tables  []TableStat
	Rows    int64
	Elapsed time.Duration
	Resumed int64 // rows an interrupted run had written, not counted in Rows
	Skipped bool  // the database already held this seed
}

// ErrDifferentSeed is returned when the database holds (part of) a seed made with other options.
var ErrDifferentSeed = errors.New("the database holds data from a different seed; run with --reset to replace it")

// Run seeds the database at pool.
func Run(ctx context.Context, pool *pgxpool.Pool, opts Options) (Summary, error) {
	if opts.Profile != "chaohu" {
		return Summary{}, fmt.Errorf("unknown profile %q (known: chaohu)", opts.Profile)
	}
	if opts.Scale < 1 {
		return Summary{}, fmt.Errorf("scale must be at least 1, got %d", opts.Scale)
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = time.Now().UTC()
	}
	if opts.Reset {
		if err := reset(ctx, pool); err != nil {
			return Summary{}, err
		}
	}
	finished, err := claim(ctx, pool, opts)
	if err != nil {
		return Summary{}, err
	}
	if finished {
		return Summary{Skipped: true}, putPhotos(ctx, opts.Evidence, demoPhotos(opts.Seed))
	}
	w := buildWorld(opts)
	if err := putPhotos(ctx, opts.Evidence, w.photos); err != nil {
		return Summary{}, err
	}
	p := newProgress(opts.Progress)
	done, err := doneChunks(ctx, pool)
	if err != nil {
		return Summary{}, err
	}
	began := time.Now()
	for _, j := range w.jobs() {
		if err := runJob(ctx, pool, j, opts.Seed, done, p); err != nil {
			return p.summary(began), fmt.Errorf("seed %s: %w", j.name, err)
		}
	}
	if err := finish(ctx, pool); err != nil {
		return p.summary(began), err
	}
	s := p.summary(began)
	p.report(s)
	return s, nil
}

// claim records the options of this seeding, or checks that they match the ones an earlier,
// interrupted run recorded. It reports whether that run already finished.
func claim(ctx context.Context, pool *pgxpool.Pool, o Options) (bool, error) {
	var profile string
	var seed int64
	var scale int
	var asOf time.Time
	var finished *time.Time
	err := pool.QueryRow(ctx, `SELECT profile, seed, scale, as_of, finished_at FROM seed_runs WHERE id = 1`).
		Scan(&profile, &seed, &scale, &asOf, &finished)
	if errors.Is(err, pgx.ErrNoRows) {
		var populated bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cities)`).Scan(&populated); err != nil {
			return false, fmt.Errorf("check for data: %w", err)
		}
		if populated {
			return false, ErrDifferentSeed
		}
		_, err = pool.Exec(ctx, `INSERT INTO seed_runs (id, profile, seed, scale, as_of) VALUES (1, $1, $2, $3, $4)`,
			o.Profile, int64(o.Seed), o.Scale, dateOf(o.AsOf))
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("read seed_runs: %w", err)
	}
	if profile != o.Profile || seed != int64(o.Seed) || scale != o.Scale || !asOf.Equal(dateOf(o.AsOf)) {
		return false, fmt.Errorf("%w (it holds --profile %s --seed %d --scale %d --as-of %s)",
			ErrDifferentSeed, profile, seed, scale, asOf.Format(time.DateOnly))
	}
	return finished != nil, nil
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func doneChunks(ctx context.Context, pool *pgxpool.Pool) (map[string]map[int]int64, error) {
	rows, err := pool.Query(ctx, `SELECT job, chunk, rows FROM seed_chunks`)
	if err != nil {
		return nil, fmt.Errorf("read seed_chunks: %w", err)
	}
	done := map[string]map[int]int64{}
	var job string
	var chunk int
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&job, &chunk, &n}, func() error {
		if done[job] == nil {
			done[job] = map[int]int64{}
		}
		done[job][chunk] = n
		return nil
	})
	return done, err
}

// finish moves every identity sequence past the generated ids, refreshes planner statistics
// and marks the seed finished.
func finish(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname AS tbl, pg_get_serial_sequence(c.relname, 'id') AS seq
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND a.attidentity <> ''
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('SELECT setval(%L, greatest((SELECT max(id) FROM %I), 1))', t.seq, t.tbl);
    END LOOP;
END $$`)
	if err != nil {
		return fmt.Errorf("advance sequences: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	_, err = pool.Exec(ctx, `UPDATE seed_runs SET finished_at = now() WHERE id = 1`)
	return err
}

// reset empties every table but the migration history. TRUNCATE leaves no tombstones, so a
// warehouse fed from this database needs `gridgov etl resync` afterwards.
func reset(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `DO $$
DECLARE names text;
BEGIN
    SELECT string_agg(format('%I', relname), ', ') INTO names FROM pg_class
    WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname <> 'schema_migrations';
    EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY CASCADE';
END $$`)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}
