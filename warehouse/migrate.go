package warehouse

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

const migrationsTable = "schema_migrations"

// MigrationState is a migration and whether the warehouse has it.
type MigrationState struct {
	Migration
	Applied bool
}

// Migrate creates the database if needed and applies the DDL not yet applied, in order,
// recording each version in the database's schema_migrations table after it succeeded. Every
// CREATE is IF NOT EXISTS, so a run interrupted between a statement and its record is
// repaired by the next one; so is one interrupted after an ALTER of columns, which the next
// run finds done (DESCRIBE shows the columns it leaves) and only records. A mutation (ALTER
// ... UPDATE) is waited for before the next file, which may drop the columns it reads; run
// again, it rewrites the same values. It returns the migrations it applied.
func Migrate(ctx context.Context, e Engine, db string, t Topology) ([]Migration, error) {
	return MigrateTo(ctx, e, db, t, math.MaxInt)
}

// MigrateTo applies, as Migrate does, the migrations up to version and none after it.
func MigrateTo(ctx context.Context, e Engine, db string, t Topology, version int) ([]Migration, error) {
	states, err := Status(ctx, e, db, t)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, s := range states {
		if s.Applied || s.Version > version {
			continue
		}
		done, err := altered(ctx, e, db, s.Migration, t)
		if err != nil {
			return applied, fmt.Errorf("warehouse migration %05d_%s: %w", s.Version, s.Name, err)
		}
		if stmt := s.Statement(db, t); !done && stmt != "" {
			if err := e.Exec(ctx, stmt); err != nil {
				return applied, fmt.Errorf("warehouse migration %05d_%s: %w", s.Version, s.Name, err)
			}
		}
		if s.Mutation {
			if err := waitForMutations(ctx, e, db, s.Table); err != nil {
				return applied, fmt.Errorf("warehouse migration %05d_%s: %w", s.Version, s.Name, err)
			}
		}
		record := fmt.Sprintf("INSERT INTO %s (version, name, applied_at) SELECT %d, %s, now()",
			Qualified(db, migrationsTable), s.Version, QuoteString(s.Name))
		if err := e.Exec(ctx, record); err != nil {
			return applied, fmt.Errorf("record warehouse migration %05d_%s: %w", s.Version, s.Name, err)
		}
		applied = append(applied, s.Migration)
	}
	return applied, nil
}

// Status lists every embedded migration and whether db has it, creating the database and its
// schema_migrations table when they are missing.
func Status(ctx context.Context, e Engine, db string, t Topology) ([]MigrationState, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	if err := CreateDatabase(ctx, e, db); err != nil {
		return nil, err
	}
	// Each node of a cluster records what it has: a plain table, never replicated.
	create := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (version UInt32, name String, applied_at DateTime) ENGINE = ReplacingMergeTree() ORDER BY version`,
		Qualified(db, migrationsTable))
	if err := e.Exec(ctx, create); err != nil {
		return nil, fmt.Errorf("create warehouse schema_migrations: %w", err)
	}
	rows, err := e.Query(ctx, "SELECT toString(version) FROM "+Qualified(db, migrationsTable)+" FINAL")
	if err != nil {
		return nil, fmt.Errorf("read warehouse schema_migrations: %w", err)
	}
	done := map[int]bool{}
	for _, r := range rows {
		v, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("read warehouse schema_migrations: version %q", r[0])
		}
		done[v] = true
	}
	out := make([]MigrationState, len(ms))
	for i, m := range ms {
		out[i] = MigrationState{Migration: m, Applied: done[m.Version]}
		delete(done, m.Version)
	}
	for v := range done {
		return nil, fmt.Errorf("warehouse has migration %05d, which this binary does not know: it is older than the warehouse", v)
	}
	return out, nil
}

// altered says whether an ALTER of columns has already left its table as it would: the live
// columns (names, types, comments) are those of the DDL as of the migration.
func altered(ctx context.Context, e Engine, db string, m Migration, t Topology) (bool, error) {
	if m.Kind != "alter" || m.Mutation {
		return false, nil
	}
	tables, err := TablesAt(m.Version)
	if err != nil {
		return false, err
	}
	var want []Column
	for _, tbl := range tables {
		if tbl.Table == m.Table {
			want = tbl.Columns
		}
	}
	rows, err := e.Query(ctx, "DESCRIBE TABLE "+Qualified(db, m.Table))
	if err != nil || len(rows) != len(want) {
		return false, err
	}
	for i, r := range rows {
		if len(r) < 5 || r[0] != want[i].Name || r[1] != want[i].Type || r[4] != want[i].Comment && !t.replicated(m.Table) {
			return false, nil
		}
	}
	return true, nil
}

// mutationWait bounds how long Migrate waits for a mutation: ClickHouse 18.16 reports no
// failure of one (newer releases do, in latest_fail_reason), it only never finishes.
const mutationWait = 30 * time.Minute

// waitForMutations waits until table has no mutation left to do (system.mutations, on this
// server: on a cluster, each replica runs its own).
func waitForMutations(ctx context.Context, e Engine, db, table string) error {
	q := fmt.Sprintf("SELECT toString(count()) FROM system.mutations WHERE database = %s AND table = %s AND is_done = 0",
		QuoteString(db), QuoteString(table))
	deadline := time.Now().Add(mutationWait)
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, time.Second) {
		rows, err := e.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("wait for the mutation of %s: %w", table, err)
		}
		if len(rows) == 1 && rows[0][0] == "0" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the mutation of %s is not done after %s: see system.mutations", table, mutationWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}
