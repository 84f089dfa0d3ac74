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
	"gridgov/evidence"
	"gridgov/seed"
	"gridgov/workflow"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func seeded(t *testing.T, n uint64) *pgxpool.Pool {
	t.Helper()
	pool, _ := seededWithFiles(t, n)
	return pool
}

// seededWithFiles seeds a fresh database, the photos of its evidence into a fresh store.
func seededWithFiles(t *testing.T, n uint64) (*pgxpool.Pool, *evidence.Dir) {
	t.Helper()
	pool := dbtest.New(t)
	files, err := evidence.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(context.Background(), pool, seed.Options{Profile: "chaohu", Seed: n, Scale: 1, AsOf: asOf, Evidence: files}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return pool, files
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
		AND table_name NOT IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns') -- PostGIS's own (its views name the database)
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

// matterStep is one row of a seeded matter's history, with the matter it belongs to.
type matterStep struct {
	matter              int64
	kind, outcome       string
	action, from, to    *string
	at                  *time.Time
	inPlace, byItsCadre bool
}

// TestMatterHistories checks every seeded matter's history as the API would have written it:
// recorded first (from no outcome) with an outcome its kind may be recorded with, then each
// change from the outcome before it as the outcome machine allows, later than the one before,
// before --as-of, in the matter's place, by a cadre of its community; the last to-state is
// the matter's outcome.
func TestMatterHistories(t *testing.T) {
	pool := seeded(t, 3)
	rows, err := pool.Query(context.Background(), `SELECT m.id, m.kind, m.outcome, e.action, e.from_state, e.to_state, e.at,
		e.street_id = m.street_id AND e.community_id = m.community_id,
		EXISTS (SELECT 1 FROM cadres c WHERE c.person_id = e.actor_id AND c.community_id = m.community_id)
		FROM meeting_matters m LEFT JOIN matter_events e ON e.matter_id = m.id ORDER BY m.id, e.at, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	var steps []matterStep
	for rows.Next() {
		var s matterStep
		var inPlace *bool
		if err := rows.Scan(&s.matter, &s.kind, &s.outcome, &s.action, &s.from, &s.to, &s.at, &inPlace, &s.byItsCadre); err != nil {
			t.Fatal(err)
		}
		s.inPlace = inPlace != nil && *inPlace
		steps = append(steps, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	matters, changed := 0, 0
	for i := 0; i < len(steps); {
		j := i + 1
		for j < len(steps) && steps[j].matter == steps[i].matter {
			j++
		}
		checkMatterHistory(t, steps[i:j])
		matters++
		if j-i > 1 {
			changed++
		}
		i = j
	}
	if matters < 800 || changed == 0 {
		t.Fatalf("%d matters, %d with a changed outcome: want the demo city's matters, some changed", matters, changed)
	}
}

// checkMatterHistory checks the history of one matter, its steps in time order.
func checkMatterHistory(t *testing.T, steps []matterStep) {
	t.Helper()
	m := steps[0]
	if m.action == nil {
		t.Fatalf("matter %d has no history", m.matter)
	}
	if *m.action != "record" || m.from != nil || workflow.FirstOutcome(workflow.MatterKind(m.kind), workflow.MatterOutcome(*m.to)) != nil {
		t.Fatalf("matter %d (%s) starts with %s %v -> %s, want its recording with an outcome it may have", m.matter, m.kind, *m.action, m.from, *m.to)
	}
	for k, s := range steps {
		if !s.inPlace || !s.byItsCadre || !s.at.Before(asOf) {
			t.Fatalf("matter %d step %d: in its place %v, by a cadre of its community %v, at %v (as of %v)", s.matter, k, s.inPlace, s.byItsCadre, s.at, asOf)
		}
		if k == 0 {
			continue
		}
		prev := steps[k-1]
		err := workflow.NextOutcome(workflow.MatterKind(s.kind), workflow.MatterOutcome(*prev.to), workflow.MatterOutcome(*s.to))
		if *s.action != "set_outcome" || s.from == nil || *s.from != *prev.to || err != nil || !s.at.After(*prev.at) {
			t.Fatalf("matter %d step %d: %s %v -> %s at %v after %s at %v (%v)", s.matter, k, *s.action, s.from, *s.to, s.at, *prev.to, prev.at, err)
		}
	}
	if last := steps[len(steps)-1]; *last.to != m.outcome {
		t.Fatalf("matter %d: history ends at %s, the matter is %s", m.matter, *last.to, m.outcome)
	}
}
