package loaders_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/loaders"
	"gridgov/loadgen"
	"gridgov/store"
)

// city builds two streets of three grids each and gives a store over it with a statement
// recorder, and the ids of the streets and of their grids.
func city(t *testing.T) (*store.Store, *loadgen.Recorder, []int64, [][]int64) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &loadgen.Recorder{}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
		INSERT INTO streets (city_id, code, name, kind) SELECT (SELECT id FROM cities), 'S' || s, '街道' || s, 'street' FROM generate_series(1, 2) s;
		INSERT INTO communities (street_id, code, name) SELECT id, 'C' || id, '社区' || id FROM streets;
		INSERT INTO grids (street_id, community_id, code, name) SELECT street_id, id, 'G' || id || '-' || g, '网格' || g
			FROM communities, generate_series(1, 3) g`); err != nil {
		t.Fatal(err)
	}
	var streets []int64
	var grids [][]int64
	rows, _ := pool.Query(ctx, `SELECT street_id, array_agg(id ORDER BY id) FROM grids GROUP BY street_id ORDER BY street_id`)
	for rows.Next() {
		var s int64
		var g []int64
		if err := rows.Scan(&s, &g); err != nil {
			t.Fatal(err)
		}
		streets, grids = append(streets, s), append(grids, g)
	}
	if err := rows.Err(); err != nil || len(streets) != 2 {
		t.Fatalf("city: %v, %d streets", err, len(streets))
	}
	return store.New(pool), rec, streets, grids
}

// One level's keys of several sources are read in one round trip; keys read once are not
// read again; a key without a row reads as nil; rows out of the cache's scope are not read.
func TestCacheReadsALevelInOneRoundTrip(t *testing.T) {
	s, rec, streets, grids := city(t)
	ctx := context.Background()
	c := loaders.New(s, auth.Scope{StreetID: streets[0]})
	var sources, statements int
	c.Counted = func(src, stmts int) { sources, statements = src, stmts }
	loaders.Want(c, store.StreetsByID, streets...)
	loaders.Want(c, store.GridsByID, append(grids[0], grids[1][0], 1<<40)...)
	loaders.Want(c, store.GridsByID, grids[0][0]) // staged twice: read once
	before := rec.Batches.Load()
	rec.Start()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.Stop(); len(got) != 2 || rec.Batches.Load()-before != 1 || sources != 2 || statements != 2 {
		t.Fatalf("%d statements in %d round trips (%d sources counted), want 2 in 1", len(got), rec.Batches.Load()-before, sources)
	}
	for _, g := range grids[0] {
		if v, ok := loaders.Get(c, store.GridsByID, g); !ok || v == nil || v.ID != g {
			t.Errorf("grid %d of the scope: %v %v", g, v, ok)
		}
	}
	for _, g := range []int64{grids[1][0], 1 << 40} {
		if v, ok := loaders.Get(c, store.GridsByID, g); !ok || v != nil {
			t.Errorf("grid %d (out of scope, or absent): %v %v, want read as nil", g, v, ok)
		}
	}
	if v, _ := loaders.Get(c, store.StreetsByID, streets[1]); v != nil {
		t.Errorf("the other street was read: %+v", v)
	}
	loaders.Want(c, store.GridsByID, grids[0]...)
	rec.Start()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.Stop(); len(got) != 0 {
		t.Errorf("keys read before were read again: %d statements", len(got))
	}
	if _, ok := loaders.Get(c, store.CommunitiesByID, 1); ok {
		t.Error("a key never wanted reads as read")
	}
}

// Loads from many goroutines, as gqlgen's executor resolves fields, while one goroutine
// stages and flushes levels, as the executor does: every value is right (run under -race).
func TestCacheUnderConcurrentLoads(t *testing.T) {
	s, _, streets, grids := city(t)
	ctx := context.Background()
	c := loaders.New(s, auth.Scope{})
	all := append(append([]int64(nil), grids[0]...), grids[1]...)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Go(func() {
			for j := range 20 {
				g := all[(i+j)%len(all)]
				v, err := loaders.Load(ctx, c, store.GridsByID, g)
				if err != nil || v == nil || v.ID != g {
					errs <- fmt.Errorf("grid %d: %v %v", g, v, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			loaders.Want(c, store.StreetsByID, streets...)
			loaders.Want(c, store.GridsByID, all...)
			if err := c.Flush(ctx); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, st := range streets {
		if v, ok := loaders.Get(c, store.StreetsByID, st); !ok || v == nil || v.ID != st {
			t.Errorf("street %d: %v %v", st, v, ok)
		}
	}
}

// A request that ends while its level is read gets the context's error, and the cache holds
// nothing half-read.
func TestCacheFlushCancelled(t *testing.T) {
	s, _, streets, grids := city(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := loaders.New(s, auth.Scope{})
	loaders.Want(c, store.StreetsByID, streets...)
	loaders.Want(c, store.GridsByID, grids[0]...)
	if err := c.Flush(ctx); err == nil {
		t.Fatal("a cancelled flush read")
	}
	if _, ok := loaders.Get(c, store.GridsByID, grids[0][0]); ok {
		t.Error("a cancelled flush kept a value")
	}
}
