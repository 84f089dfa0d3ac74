package store_test

import (
	"context"
	"sync"
	"testing"

	"gridgov/dbtest"
	"gridgov/store"
)

// TestMigrationsApplyAndRerun migrates an empty database, twice at once and then again: every
// migration is applied exactly once, and status reports them all.
func TestMigrationsApplyAndRerun(t *testing.T) {
	ctx := context.Background()
	admin := dbtest.New(t) // any database on the server, to create an empty one
	name := "gridgov_empty_migrations"
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name) //nolint:errcheck
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }) //nolint:errcheck
	pool, err := store.Open(ctx, dbtest.WithDatabase(dbtest.BaseURL(t), name), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	applied := make([]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms, err := store.MigrateUp(ctx, pool)
			applied[i], errs[i] = len(ms), err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("migrate up: %v", err)
		}
	}
	if applied[0]+applied[1] != len(all) {
		t.Errorf("two concurrent migrators applied %d + %d migrations, want %d in all", applied[0], applied[1], len(all))
	}
	again, err := store.MigrateUp(ctx, pool)
	if err != nil || len(again) != 0 {
		t.Errorf("rerun applied %d migrations (err %v), want none", len(again), err)
	}
	status, err := store.MigrationStatus(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range status {
		if m.AppliedAt == nil {
			t.Errorf("migration %05d_%s not reported as applied", m.Version, m.Name)
		}
	}
	var tables int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables) //nolint:errcheck
	if tables < 40 {
		t.Errorf("only %d tables after migrating", tables)
	}
}
