package reliability

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/dbtest"
	"gridgov/seed"
	"gridgov/store"
)

// seedNeeds is the last migration the demo-city generator writes to: from it on, the city can
// be seeded as an older release would have held it, and every later migration applied on top.
// 30: the generator writes the places' boundaries and the points of buildings, facilities,
// intersections and issues (00030), after red stewards' patrols and their findings (00024), after scheduling
// joint meetings with agendas and named attendees (00022) and the stages of year-end ratings (00020).
const seedNeeds = 30

// TestMigrationsForwardOnDemoCity seeds the demo city into a database migrated only as far as
// the generator needs, then applies each later migration in turn: after each one every table
// that existed before holds exactly the rows it held. Until a migration follows the
// generator's, it checks that migrating the seeded city again applies and changes nothing.
func TestMigrationsForwardOnDemoCity(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Open(ctx, dbtest.EmptyURL(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := store.MigrateTo(ctx, pool, seedNeeds); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 5, Scale: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	before := tableDigests(t, pool)
	forward := 0
	for _, m := range all {
		if m.Version <= seedNeeds {
			continue
		}
		if _, err := store.MigrateTo(ctx, pool, m.Version); err != nil {
			t.Fatalf("migration %05d_%s on the demo city: %v", m.Version, m.Name, err)
		}
		forward++
		after := tableDigests(t, pool)
		for table, digest := range before {
			if after[table] != digest {
				t.Errorf("migration %05d_%s changed the data of %s", m.Version, m.Name, table)
			}
		}
	}
	if forward == 0 {
		applied, err := store.MigrateUp(ctx, pool)
		if err != nil || len(applied) != 0 {
			t.Fatalf("migrating the seeded city again: applied %v, %v", applied, err)
		}
		for table, digest := range tableDigests(t, pool) {
			if before[table] != digest {
				t.Errorf("migrating the seeded city again changed the data of %s", table)
			}
		}
		t.Log("no migration follows the generator's yet: the seeded city migrates again to no change")
		return
	}
	t.Logf("%d migrations applied forward on the demo city without data loss", forward)
}

// tableDigests gives, for every table, its row count and a digest of its ids and versions.
func tableDigests(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT c.table_name FROM information_schema.columns c
		WHERE c.table_schema = 'public' AND c.column_name = 'version'
		AND EXISTS (SELECT 1 FROM information_schema.columns i WHERE i.table_name = c.table_name AND i.column_name = 'id')`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name) //nolint:errcheck
		tables = append(tables, name)
	}
	out := map[string]string{}
	for _, table := range tables {
		var digest string
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(id || '.' || version, ',' ORDER BY id)), '') FROM "` + table + `"`
		if err := pool.QueryRow(ctx, q).Scan(&digest); err != nil {
			t.Fatalf("digest %s: %v", table, err)
		}
		out[table] = digest
	}
	return out
}
