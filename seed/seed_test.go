package seed_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/dbtest"
	"gridgov/seed"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func seeded(t *testing.T, n uint64) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	if _, err := seed.Run(context.Background(), pool, seed.Options{Profile: "chaohu", Seed: n, Scale: 1, AsOf: asOf}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return pool
}

// TestPublishedFigures counts every published figure with SQL in a freshly seeded database.
func TestPublishedFigures(t *testing.T) {
	pool := seeded(t, 1)
	for _, f := range seed.Figures {
		t.Run(f.Key, func(t *testing.T) {
			var v float64
			if err := pool.QueryRow(context.Background(), "SELECT ("+f.SQL+")::float8").Scan(&v); err != nil {
				t.Fatalf("count %s: %v", f.Key, err)
			}
			if !f.Accepts(v) {
				t.Errorf("%s = %v, want %s", f.Label, v, bounds(f))
			}
		})
	}
}

func bounds(f seed.Figure) string {
	if f.Min == f.Max {
		return fmt.Sprint(f.Min)
	}
	return fmt.Sprintf("in [%v, %v)", f.Min, f.Max)
}

// fingerprints digests every generated table, ignoring bookkeeping columns that depend on
// when the rows were written.
func fingerprints(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = 'public'
		AND column_name NOT IN ('row_xid', 'created_at', 'updated_at', 'version', 'done_at', 'started_at', 'finished_at')
		AND table_name NOT IN ('schema_migrations', 'etl_checkpoints', 'etl_tombstones')
		GROUP BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{}
	for rows.Next() {
		var table, list string
		if err := rows.Scan(&table, &list); err != nil {
			t.Fatal(err)
		}
		cols[table] = list
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	out := map[string]string{}
	for table, list := range cols {
		var sum string
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg(row_text, '|' ORDER BY row_text)), '')
			FROM (SELECT (%s)::text AS row_text FROM %q) r`, "ROW("+list+")", table)
		if err := pool.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatalf("fingerprint %s: %v", table, err)
		}
		out[table] = sum
	}
	return out
}

// TestDeterministic seeds three databases: the same seed twice gives identical tables, a
// different seed gives different ones.
func TestDeterministic(t *testing.T) {
	a, b, c := fingerprints(t, seeded(t, 7)), fingerprints(t, seeded(t, 7)), fingerprints(t, seeded(t, 8))
	var tables []string
	for k := range a {
		tables = append(tables, k)
	}
	sort.Strings(tables)
	if len(tables) < 30 {
		t.Fatalf("only %d tables fingerprinted", len(tables))
	}
	differ := 0
	for _, table := range tables {
		if a[table] != b[table] {
			t.Errorf("%s differs between two seeds with the same --seed", table)
		}
		if a[table] != c[table] {
			differ++
		}
	}
	if differ < 10 {
		t.Errorf("a different --seed changed only %d tables", differ)
	}
}

// TestResume interrupts a seed mid-way and resumes it: the result equals an uninterrupted
// seed, and finished chunks are not written twice.
func TestResume(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	opts := seed.Options{Profile: "chaohu", Seed: 7, Scale: 1, AsOf: asOf}
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		// Cancel once the big people table has committed its first chunk.
		for {
			var n int
			pool.QueryRow(ctx, `SELECT count(*) FROM seed_chunks WHERE job = 'people'`).Scan(&n) //nolint:errcheck
			if n > 0 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if _, err := seed.Run(cctx, pool, opts); err == nil {
		t.Fatal("interrupted seed returned no error")
	}
	var chunks int
	pool.QueryRow(ctx, `SELECT count(*) FROM seed_chunks`).Scan(&chunks) //nolint:errcheck
	if chunks == 0 {
		t.Fatal("no chunk committed before the interruption")
	}
	if _, err := seed.Run(ctx, pool, opts); err != nil {
		t.Fatalf("resume: %v", err)
	}
	want, got := fingerprints(t, seeded(t, 7)), fingerprints(t, pool)
	for table, sum := range want {
		if table != "seed_chunks" && got[table] != sum {
			t.Errorf("%s differs after an interrupted and resumed seed", table)
		}
	}
	if s, err := seed.Run(ctx, pool, opts); err != nil || !s.Skipped {
		t.Errorf("third run: skipped=%v err=%v, want a skip", s.Skipped, err)
	}
	other := opts
	other.Seed = 9
	if _, err := seed.Run(ctx, pool, other); !errors.Is(err, seed.ErrDifferentSeed) {
		t.Errorf("seeding over another seed: %v, want ErrDifferentSeed", err)
	}
}
