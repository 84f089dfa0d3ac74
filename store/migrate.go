package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/schema"
)

// migrateLock is the advisory-lock key that serialises concurrent migrators.
const migrateLock = 7_283_001

// Migration is one embedded migration file and, once read from the database, its state.
type Migration struct {
	Version   int
	Name      string
	Checksum  string
	SQL       string
	AppliedAt *time.Time
}

// Migrations lists the embedded Postgres migrations in version order.
func Migrations() ([]Migration, error) {
	files, err := fs.Glob(schema.Postgres, "postgres/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		base := strings.TrimSuffix(strings.TrimPrefix(f, "postgres/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: want NNNNN_name.sql", f)
		}
		body, err := fs.ReadFile(schema.Postgres, f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: version, Name: name, Checksum: hex.EncodeToString(sum[:8]), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

// MigrateUp applies the migrations not yet applied, each in its own transaction, in order.
// It holds an advisory lock so two migrators never interleave, and refuses to run when an
// applied migration's file has changed since. It returns the versions it applied.
func MigrateUp(ctx context.Context, pool *pgxpool.Pool) ([]Migration, error) {
	return MigrateTo(ctx, pool, math.MaxInt)
}

// MigrateTo applies the pending migrations numbered up to version, as MigrateUp does. Tests
// use it to build a database as an older release left it.
func MigrateTo(ctx context.Context, pool *pgxpool.Pool, version int) ([]Migration, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock) //nolint:errcheck

	all, err := status(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range all {
		if m.AppliedAt != nil || m.Version > version {
			continue
		}
		if err := apply(ctx, conn.Conn(), m); err != nil {
			return applied, err
		}
		applied = append(applied, m)
	}
	return applied, nil
}

func apply(ctx context.Context, conn *pgx.Conn, m Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// No arguments: pgx uses the simple protocol, which runs a file of many statements.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %05d_%s: %w", m.Version, m.Name, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
			m.Version, m.Name, m.Checksum)
		return err
	})
}

// MigrationStatus lists every embedded migration with the time it was applied, if it was.
func MigrationStatus(ctx context.Context, pool *pgxpool.Pool) ([]Migration, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	defer conn.Release()
	return status(ctx, conn.Conn())
}

func status(ctx context.Context, conn *pgx.Conn) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		checksum   text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT version, checksum, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	type done struct {
		sum string
		at  time.Time
	}
	applied := map[int]done{}
	for rows.Next() {
		var v int
		var d done
		if err := rows.Scan(&v, &d.sum, &d.at); err != nil {
			return nil, err
		}
		applied[v] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, m := range all {
		d, ok := applied[m.Version]
		if !ok {
			continue
		}
		if d.sum != m.Checksum {
			return nil, fmt.Errorf("migration %05d_%s changed after it was applied (checksum %s, applied %s): add a new migration instead",
				m.Version, m.Name, m.Checksum, d.sum)
		}
		all[i].AppliedAt = &d.at
		delete(applied, m.Version)
	}
	for v := range applied {
		return nil, fmt.Errorf("database has migration %05d, which this binary does not know: it is older than the database", v)
	}
	return all, nil
}
