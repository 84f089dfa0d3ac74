package warehouse

import (
	"context"
	"fmt"
	"strconv"
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
// repaired by the next one. It returns the migrations it applied.
func Migrate(ctx context.Context, e Engine, db string, t Topology) ([]Migration, error) {
	states, err := Status(ctx, e, db, t)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, s := range states {
		if s.Applied {
			continue
		}
		if err := e.Exec(ctx, s.Statement(db, t)); err != nil {
			return applied, fmt.Errorf("warehouse migration %05d_%s: %w", s.Version, s.Name, err)
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
	create := EngineFor(fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (version UInt32, name String, applied_at DateTime) ENGINE = ReplacingMergeTree() ORDER BY version`,
		Qualified(db, migrationsTable)), t)
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
